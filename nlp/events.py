"""Listing-event extraction from prose: entity + list reference + trigger -> status.

Cue words live in data/nlp/cues.json per language. Negated sentences yield no
event; modal or proposal language yields ``proposed`` even when a designation
verb is present ("could be added"). News events are signals, never official.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from db.settings import DATA_DIR
from nlp.dates import find_dates

CUES_PATH = DATA_DIR / "nlp" / "cues.json"
STATUS_PRIORITY = ("withdrawn", "removed", "proposed", "designated")
LIST_NAMES = {"ns-cmic": "NS-CMIC", "entity list": "Entity List"}


@dataclass(frozen=True)
class SentenceEvent:
    entity: str
    list_name: str
    status: str
    date: date | None
    sentence: str


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_PATH) -> dict[str, dict[str, list[str]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {lang: cues for lang, cues in data.items() if not lang.startswith("_")}


def _cue_regex(words: list[str]) -> re.Pattern:
    # Cues match at word starts; a cue ending in a letter stem ("compan") matches longer words.
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")", re.I)


@lru_cache(maxsize=8)
def _compiled(lang: str) -> dict[str, re.Pattern]:
    cues = load_cues().get(lang) or load_cues()["en"]
    compiled = {key: _cue_regex(words) for key, words in cues.items()}
    compiled["negation"] = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in cues["negation"]) + r")(?!\w)", re.I)
    return compiled


def classify_sentence(sentence: str, lang: str) -> tuple[str, str] | None:
    """(list name, status) that ``sentence`` reports, or None when it reports no listing change."""
    cues = _compiled(lang)
    ref = cues["list_refs"].search(sentence)
    if ref is None:
        return None
    if cues["negation"].search(sentence):
        return None
    list_name = LIST_NAMES.get(ref.group(1).lower(), "1260H")
    for status in STATUS_PRIORITY:
        if cues[status].search(sentence):
            return list_name, status
    return None


def extract_events(sentences: list[tuple[str, list[str]]], lang: str) -> list[SentenceEvent]:
    """``sentences`` are (text, linked canonical entity names in it)."""
    events = []
    for text, entities in sentences:
        if not entities:
            continue
        classified = classify_sentence(text, lang)
        if classified is None:
            continue
        list_name, status = classified
        dates = find_dates(text)
        for entity in dict.fromkeys(entities):
            events.append(SentenceEvent(entity, list_name, status, dates[0] if dates else None, text.strip()))
    return events

"""Listing-event extraction from prose: entity + list reference + trigger -> status.

Cue words live in data/nlp/cues.json per language. A sentence must refer to a
list; each linked entity takes the status of its own clause ("Tencent was
added, while Megvii was removed"); a negated clause yields nothing for the
entities in it ("BYD was not"); modal or proposal language yields ``proposed``
even when a designation verb is present ("could be added"); a withdrawal cue
outranks everything ("the notice that would have added BYD was withdrawn").
News events are signals, never official.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from core.settings import DATA_DIR
from core.dates import find_dates

CUES_PATH = DATA_DIR / "nlp" / "cues.json"
STATUS_PRIORITY = ("withdrawn", "removed", "proposed", "designated")
LIST_NAMES = {"ns-cmic": "NS-CMIC", "entity list": "Entity List"}


@dataclass(frozen=True)
class SentenceEvent:
    entity: str  # canonical name when linked, else the organisation as printed (a candidate)
    list_name: str  # a ListName value, or the name of another list the text refers to
    status: str
    date: date | None
    sentence: str  # the sentence stating the event
    evidence: tuple[str, ...] = ()  # every sentence that justifies it (event, list reference, withdrawal)
    linked: bool = True  # False: an organisation not in the database, kept as a candidate, never scored
    cue: str = ""  # the words that triggered it


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_PATH) -> dict[str, dict[str, list[str]]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {lang: cues for lang, cues in data.items() if not lang.startswith("_")}


def _cue_regex(words: list[str], *, whole_word: bool = False) -> re.Pattern:
    # Cues match at word starts; a cue ending in a stem ("compan") matches longer words
    # unless whole_word is set.
    end = r"(?!\w)" if whole_word else ""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives}){end}", re.I)


@lru_cache(maxsize=8)
def _compiled(lang: str) -> dict[str, re.Pattern]:
    cues = load_cues().get(lang) or load_cues()["en"]
    compiled = {key: _cue_regex(words) for key, words in cues.items() if key not in ("negation", "clause_breaks")}
    compiled["negation"] = _cue_regex(cues["negation"], whole_word=True)
    compiled["clause_breaks"] = _cue_regex(cues.get("clause_breaks", [";"]), whole_word=True)
    return compiled


def list_reference(sentence: str, lang: str) -> str | None:
    """The list a sentence refers to ('1260H', 'NS-CMIC', 'Entity List'), or None."""
    ref = _compiled(lang)["list_refs"].search(sentence)
    if ref is None:
        return None
    ns_cmic = re.search(r"ns-cmic|military-industrial complex", sentence, re.I)
    if ns_cmic:
        return "NS-CMIC"
    return LIST_NAMES.get(ref.group(1).lower(), "1260H")


def clause_status(clause: str, lang: str) -> tuple[str | None, bool]:
    """(status the clause reports, whether it is negated)."""
    cues = _compiled(lang)
    negated = bool(cues["negation"].search(clause))
    for status in STATUS_PRIORITY:
        if cues[status].search(clause):
            return status, negated
    return None, negated


def clauses(sentence: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of the sentence's clauses (split at 'while', 'but', 'während', ';' ...)."""
    spans, start = [], 0
    for match in _compiled(lang)["clause_breaks"].finditer(sentence):
        spans.append((start, match.start()))
        start = match.start()
    spans.append((start, len(sentence)))
    return spans


def classify_sentence(sentence: str, lang: str) -> tuple[str, str] | None:
    """(list name, status) that ``sentence`` as a whole reports, or None."""
    list_name = list_reference(sentence, lang)
    if list_name is None:
        return None
    status, negated = clause_status(sentence, lang)
    if status is None or negated:
        return None
    return list_name, status


def extract_events(sentences: list[tuple[str, list]], lang: str) -> list[SentenceEvent]:
    """``sentences`` are (text, entities); an entity is a canonical name, or (name, offset in the sentence)."""
    events = []
    for text, entities in sentences:
        if not entities:
            continue
        list_name = list_reference(text, lang)
        if list_name is None:
            continue
        spans = clauses(text, lang)
        per_clause = [clause_status(text[a:b], lang) for a, b in spans]
        # the sentence's status for entities in a clause without a cue of its own
        fallback = next((s for s, negated in per_clause if s and not negated), None)
        dates = find_dates(text)
        seen = set()
        for entity in entities:
            name, offset = entity if isinstance(entity, tuple) else (entity, None)
            index = next((i for i, (a, b) in enumerate(spans) if offset is not None and a <= offset < b), None)
            status, negated = per_clause[index] if index is not None else clause_status(text, lang)
            if negated:
                continue
            status = status or fallback
            if status is None or (name, status) in seen:
                continue
            seen.add((name, status))
            events.append(SentenceEvent(name, list_name, status, dates[0] if dates else None, text.strip()))
    return events

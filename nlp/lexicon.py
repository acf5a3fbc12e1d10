"""The event lexicon of data/nlp/cues.json, compiled once: word sets with wildcards, list and agency
patterns, and the words that mark organisations that are never companies."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.settings import DATA_DIR

CUES_PATH = DATA_DIR / "nlp" / "cues.json"


class WordSet:
    """Lower-case words; an entry ending in '*' matches a prefix, one starting with '*' a suffix."""

    def __init__(self, words: list[str]):
        self.exact = {w for w in words if "*" not in w}
        self.prefixes = tuple(w[:-1] for w in words if w.endswith("*"))
        self.suffixes = tuple(w[1:] for w in words if w.startswith("*"))

    def __contains__(self, word: str) -> bool:
        word = word.lower()
        return word in self.exact or (
            bool(self.prefixes) and word.startswith(self.prefixes) or bool(self.suffixes) and word.endswith(self.suffixes)
        )


@dataclass(frozen=True)
class Pattern:
    list_name: str
    regex: re.Pattern


@dataclass(frozen=True)
class Lexicon:
    lang: str
    triggers: dict[str, WordSet]  # kind -> words
    phrases: dict[str, list[str]]  # kind -> multi-word phrases
    words: dict[str, WordSet]  # every other word class (modal, negation, prior, ...)
    lists: tuple[Pattern, ...]
    agencies: tuple[Pattern, ...]

    def kind(self, lemma: str) -> str | None:
        for kind, words in self.triggers.items():
            if lemma in words:
                return kind
        return None

    def has(self, word_class: str, word: str) -> bool:
        words = self.words.get(word_class)
        return words is not None and word in words


def _patterns(entries: list[dict]) -> tuple[Pattern, ...]:
    compiled = []
    for entry in entries:
        flags = 0 if entry.get("case") else re.I
        alternatives = "|".join(f"(?:{p})" for p in entry["patterns"])
        compiled.append(Pattern(entry["list"], re.compile(rf"(?<![\w-])(?:{alternatives})", flags)))
    return tuple(compiled)


@lru_cache(maxsize=4)
def load_data(path: Path = CUES_PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def lexicon(lang: str) -> Lexicon:
    data = load_data()
    cues = data.get(lang) or data["en"]
    triggers = {kind: WordSet(words) for kind, words in cues["triggers"].items()}
    words = {key: WordSet(value) for key, value in cues.items() if isinstance(value, list)}
    return Lexicon(
        lang=lang if lang in data else "en",
        triggers=triggers,
        phrases=cues.get("phrases", {}),
        words=words,
        lists=_patterns(data["lists"]),
        agencies=_patterns(data["agencies"]),
    )


@lru_cache(maxsize=1)
def not_company_words() -> tuple[re.Pattern, frozenset[str]]:
    """(a regex of words that mark a non-company organisation, names that are never companies)."""
    entry = load_data()["not_companies"]
    alternatives = "|".join(re.escape(w) for w in sorted(entry["words"], key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I), frozenset(n.lower() for n in entry["exact"])

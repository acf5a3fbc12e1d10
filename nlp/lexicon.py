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
            bool(self.prefixes)
            and word.startswith(self.prefixes)
            or bool(self.suffixes)
            and word.endswith(self.suffixes)
        )


@dataclass(frozen=True)
class Scanner:
    """Every pattern of a kind in one regular expression (one pass over a sentence)."""

    regex: re.Pattern
    names: tuple[str, ...]  # list name per group

    def finditer(self, text: str):
        for match in self.regex.finditer(text):
            yield match, self.names[match.lastindex - 1]


@dataclass(frozen=True)
class Lexicon:
    lang: str
    triggers: dict[str, WordSet]  # kind -> words
    phrases: dict[str, list[str]]  # kind -> multi-word phrases
    words: dict[str, WordSet]  # every other word class (modal, negation, prior, ...)
    lists: Scanner
    agencies: Scanner
    phrase_scanner: Scanner | None = None  # every multi-word trigger phrase, kind per group
    directional: dict[str, str] | None = None  # verb lemma -> trigger kind with a directional phrase
    directional_preps: tuple[str, ...] = ()  # "auf die", "for the" ...

    def kind(self, lemma: str) -> str | None:
        return _kind(self.lang, lemma)

    def has(self, word_class: str, word: str) -> bool:
        words = self.words.get(word_class)
        return words is not None and word in words


@lru_cache(maxsize=20000)
def _kind(lang: str, lemma: str) -> str | None:
    for kind, words in lexicon(lang).triggers.items():
        if lemma in words:
            return kind
    return None


def _patterns(entries: list[dict]) -> Scanner:
    """Entries in order of precedence (the first that matches at a position wins); one capturing
    group per entry, case-insensitive unless the entry says ``case: true``."""
    groups = []
    for entry in entries:
        alternatives = "|".join(f"(?:{p})" for p in entry["patterns"])
        flags = "" if entry.get("case") else "?i"
        groups.append(f"(?<![\\w-])(({flags}:{alternatives}))" if flags else f"(?<![\\w-])((?:{alternatives}))")
    return Scanner(re.compile("|".join(groups)), tuple(entry["list"] for entry in entries))


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
        phrase_scanner=_phrases(cues.get("phrases", {})),
        directional=cues.get("directional_verbs") or {},
        directional_preps=tuple(cues.get("directional_preps", ())),
    )


def _phrases(phrases: dict[str, list[str]]) -> Scanner | None:
    entries = [(kind, phrase) for kind, words in phrases.items() for phrase in sorted(words, key=len, reverse=True)]
    if not entries:
        return None
    groups = "|".join(f"({re.escape(phrase)})" for _, phrase in entries)
    return Scanner(re.compile(rf"(?<!\w)(?:{groups})(?!\w)", re.I), tuple(kind for kind, _ in entries))


@lru_cache(maxsize=1)
def not_company_words() -> tuple[re.Pattern, frozenset[str]]:
    """(a regex of words that mark a non-company organisation, names that are never companies)."""
    entry = load_data()["not_companies"]
    alternatives = "|".join(re.escape(w) for w in sorted(entry["words"], key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)", re.I), frozenset(n.lower() for n in entry["exact"])


# Lemmas on demand: the English model's rule lemmatizer is loaded disabled and asked only for
# words that could be cues (their first three letters start a lexicon word), which keeps the
# NLP stage at the speed of the raw model.
_LAZY_LEMMATIZERS: dict[int, object] = {}


def register_lemmatizer(vocab, lemmatizer) -> None:
    _LAZY_LEMMATIZERS[id(vocab)] = lemmatizer


@lru_cache(maxsize=1)
def _cue_prefixes() -> frozenset[str]:
    data = load_data()
    words: set[str] = set()
    for lang in ("en", "de"):
        cues = data.get(lang, {})
        for value in cues.get("triggers", {}).values():
            words.update(value)
        for key, value in cues.items():
            if isinstance(value, list):
                words.update(value)
    return frozenset(w.strip("*")[:3] for w in words if len(w.strip("*")) >= 2)


def is_cue_like(lower: str) -> bool:
    """Cheap gate: could this word (lower case) be a cue or an inflection of one?"""
    return lower[:3] in _cue_prefixes() or lower.endswith(_cue_suffixes())


@lru_cache(maxsize=1)
def _cue_suffixes() -> tuple[str, ...]:
    data = load_data()
    found = set()
    for lang in ("en", "de"):
        for key, value in data.get(lang, {}).items():
            if isinstance(value, list):
                found.update(w[1:] for w in value if w.startswith("*"))
    return tuple(sorted(found))


@lru_cache(maxsize=8)
def _exceptions(lemmatizer) -> dict[str, dict[str, list[str]]]:
    tables = lemmatizer.lookups.get_table("lemma_exc", {})
    return {pos: dict(tables.get(pos, {})) for pos in ("verb", "noun", "adj")}


def lemma_of(token) -> str:
    """The token's lemma, lower case: from the pipeline, else from the registered lazy lemmatizer
    for cue-like words, else the word itself."""
    if token.lemma_:
        return token.lemma_.lower()
    lower = token.lower_
    lemmatizer = _LAZY_LEMMATIZERS.get(id(token.doc.vocab))
    if lemmatizer is None:
        return lower
    pos = token.pos_
    if pos in ("VERB", "AUX", "NOUN", "ADJ"):
        exceptions = _exceptions(lemmatizer)["verb" if pos in ("VERB", "AUX") else pos.lower()]
        if lower in exceptions:  # irregular forms: "kept" -> keep, "sought" -> seek, "are" -> be
            return exceptions[lower][0].lower()
    if lower[:3] in _cue_prefixes():
        lemmas = lemmatizer.rule_lemmatize(token)
        if lemmas:
            return lemmas[0].lower()
    return lower


def lookup_table(vocab) -> dict:
    """The registered lookup lemmatizer's word -> lemma table for ``vocab`` (empty when none)."""
    lemmatizer = _LAZY_LEMMATIZERS.get(id(vocab))
    if lemmatizer is None:
        return {}
    try:
        return lemmatizer.lookups.get_table("lemma_lookup")
    except KeyError:
        return {}

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
    references: Scanner | None = None  # lists then agencies in one pass; names are ("list"|"agency", name)
    phrase_scanner: Scanner | None = None  # every multi-word trigger phrase, kind per group
    directional: dict[str, str] | None = None  # verb lemma -> trigger kind with a directional phrase
    directional_preps: tuple[str, ...] = ()  # "auf die", "for the" ...
    phrase_lists: dict[str, tuple[str, ...]] | None = None  # multi-word classes ("imminent"), lower case

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
        groups.append(f"(({flags}:{alternatives}))" if flags else f"((?:{alternatives}))")
    # one word-start test per position, then the alternatives (much faster than a test per group)
    return Scanner(re.compile(r"\b(?<!-)(?:" + "|".join(groups) + ")"), tuple(entry["list"] for entry in entries))


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
        references=_patterns(
            [{**e, "list": ("list", e["list"])} for e in data["lists"]]
            + [{**e, "list": ("agency", e["list"])} for e in data["agencies"]]
        ),
        phrase_scanner=_phrases(cues.get("phrases", {})),
        directional=cues.get("directional_verbs") or {},
        directional_preps=tuple(cues.get("directional_preps", ())),
        phrase_lists={"imminent": tuple(cues.get("imminent", ()))},
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


@lru_cache(maxsize=65536)
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
        key = (id(lemmatizer), lower, pos, token.tag_)
        cached = _RULE_LEMMAS.get(key)
        if cached is None:
            lemmas = lemmatizer.rule_lemmatize(token)
            cached = _RULE_LEMMAS[key] = lemmas[0].lower() if lemmas else lower
            if len(_RULE_LEMMAS) > 200_000:
                _RULE_LEMMAS.clear()
        return cached
    return lower


_RULE_LEMMAS: dict[tuple, str] = {}  # (lemmatizer, word, POS, tag) -> lemma: the rules depend on nothing else


def lookup_table(vocab) -> dict:
    """The registered lookup lemmatizer's word -> lemma table for ``vocab`` (empty when none)."""
    lemmatizer = _LAZY_LEMMATIZERS.get(id(vocab))
    if lemmatizer is None:
        return {}
    try:
        return lemmatizer.lookups.get_table("lemma_lookup")
    except KeyError:
        return {}


@lru_cache(maxsize=8)
def _gate(lang: str, irregular: frozenset[str]) -> re.Pattern:
    cues = load_data().get(lang) or load_data()["en"]
    words: set[str] = set(irregular)
    for value in cues["triggers"].values():
        words.update(value)
    for key in ("list_nouns", "brief", "nominal_triggers", "membership_verbs"):
        words.update(cues.get(key, []))
    words.update(k for k in (cues.get("directional_verbs") or {}) if not k.startswith("_"))
    for phrases in cues.get("phrases", {}).values():
        words.update(p.split()[0] for p in phrases)
    stems = sorted({w.strip("*")[:3] for w in words if len(w.strip("*")) >= 2})
    suffixes = sorted({w[1:] for w in cues.get("list_nouns", []) if w.startswith("*")})
    alternatives = "|".join([rf"\b{re.escape(s)}" for s in stems] + [rf"{re.escape(s)}\b" for s in suffixes])
    return re.compile(alternatives, re.I)


def may_report_event(text: str, lang: str, vocab=None) -> bool:
    """Cheap pass: could this sentence hold a listing event (a trigger or list word, in any
    inflection)? A sentence that cannot is read for its list and agency names only."""
    irregular: frozenset[str] = frozenset()
    lemmatizer = _LAZY_LEMMATIZERS.get(id(vocab)) if vocab is not None else None
    if lemmatizer is not None and lang == "en":
        irregular = _irregular_cues(lemmatizer)
    return _gate(lang if lang in load_data() else "en", irregular).search(text) is not None


@lru_cache(maxsize=4)
def _irregular_cues(lemmatizer) -> frozenset[str]:
    """Irregular forms whose lemma is a cue ("kept" -> keep, "took" -> take, "sat" -> sit)."""
    exceptions = _exceptions(lemmatizer)
    return frozenset(
        form for table in exceptions.values() for form, lemmas in table.items() if lemmas and is_cue_like(lemmas[0])
    )


def irregular_forms(vocab) -> frozenset[str]:
    """Irregular forms of cue words for the registered lemmatizer of ``vocab`` ("kept", "are")."""
    lemmatizer = _LAZY_LEMMATIZERS.get(id(vocab))
    if lemmatizer is None:
        return frozenset()
    return _irregular_cues(lemmatizer) | _AUXILIARIES


_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being", "am"})  # copulas: "be"

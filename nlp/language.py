"""A small, deterministic language guess for documents whose source does not say."""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "is", "in", "that", "for", "was", "on", "with", "as", "by", "are", "it"},
    "de": {
        "der",
        "die",
        "und",
        "das",
        "ist",
        "nicht",
        "mit",
        "den",
        "von",
        "zu",
        "auf",
        "für",
        "ein",
        "eine",
        "dem",
        "sich",
        "des",
        "im",
    },
    # Detected so that they are reported as unsupported (blank pipeline + rules), not read as English.
    "fr": {"le", "la", "les", "et", "est", "une", "des", "du", "que", "pour", "dans", "qui", "sur", "pas", "au"},
    "es": {"el", "los", "las", "y", "es", "una", "del", "que", "por", "para", "con", "como", "pero", "se", "su"},
    "nl": {"het", "een", "van", "en", "niet", "zijn", "op", "voor", "met", "dat", "ook", "wordt", "naar", "bij"},
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, default: str = "en") -> str:
    """'en' or 'de' by stopword counts over the first 5,000 characters; CJK-heavy text is 'zh'."""
    sample = text[:5000]
    if not sample.strip():
        return default
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters and cjk / letters > 0.3:
        return "zh"
    words = [w.lower() for w in _WORD.findall(sample)]
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default

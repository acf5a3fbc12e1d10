"""`riskwatch analyze`: NER + linking + listing events for one text, no database needed."""

from __future__ import annotations

from db.settings import Settings, get_settings
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from nlp.linking import EntityLinker
from nlp.pipeline import build_pipeline
from nlp.watchlist import names_from_watchlist

MAX_ANALYZE_CHARS = 1_000_000


def analyze_text(text: str, *, lang: str | None = None, settings: Settings | None = None) -> dict:
    """The DESIGN.md ``analyze --json`` shape, plus the language and model used."""
    settings = settings or get_settings()
    names = names_from_watchlist(settings.watchlist_path)
    lang = lang or detect_language(text)
    truncated = len(text) > MAX_ANALYZE_CHARS
    text = text[:MAX_ANALYZE_CHARS]
    nlp = build_pipeline(lang, names, settings)
    doc = nlp(text)
    hits, events = analyze_doc(doc, EntityLinker(names), lang)
    return {
        "entities": [
            {"text": h.text, "label": h.label, "start": h.start, "end": h.end, "entity": h.entity}
            for h in hits
        ],
        "events": [
            {"entity": e.entity, "list": e.list_name, "status": e.status,
             "date": e.date.isoformat() if e.date else None, "sentence": e.sentence}
            for e in events
        ],
        "language": lang,
        "model": nlp.meta.get("riskwatch_base"),
        "truncated": truncated,
    }

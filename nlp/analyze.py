"""`riskwatch analyze`: NER + linking + listing events for one text, no database needed."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from db.engine import make_engine
from db.settings import Settings, get_settings
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from nlp.linking import EntityLinker
from nlp.pipeline import build_pipeline
from nlp.watchlist import names_from_db, names_from_watchlist

log = logging.getLogger(__name__)

MAX_ANALYZE_CHARS = 1_000_000


def known_names(settings: Settings) -> dict[str, list[str]]:
    """The curated watchlist, plus every entity of the database when one exists (never created here)."""
    names = names_from_watchlist(settings.watchlist_path)
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).exists()):
        return names
    try:
        engine = make_engine(settings.resolved_database_url)
        with Session(engine) as session:
            for name, aliases in names_from_db(session).items():
                names.setdefault(name, aliases)
        engine.dispose()
    except SQLAlchemyError as exc:
        log.warning("analyze: database not readable (%s); using the curated watchlist only", exc.__class__.__name__)
    return names


def analyze_text(text: str, *, lang: str | None = None, settings: Settings | None = None) -> dict:
    """The DESIGN.md ``analyze --json`` shape, plus the language and model used."""
    settings = settings or get_settings()
    names = known_names(settings)
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

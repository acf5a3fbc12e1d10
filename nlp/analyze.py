"""`riskwatch analyze`: NER + linking + listing events for one text, no database needed."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from db.engine import make_engine
from db import queries
from core.settings import Settings, get_settings
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from core.linking import EntityLinker
from nlp.pipeline import SUPPORTED_LANGUAGES, build_pipeline
from core.text import html_to_text
from nlp.watchlist import names_from_watchlist

log = logging.getLogger(__name__)

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def known_names(settings: Settings) -> dict[str, list[str]]:
    """The curated watchlist, plus every entity of the database when one exists (never created here)."""
    names = names_from_watchlist(settings.watchlist_path)
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).exists()):
        return names
    try:
        engine = make_engine(settings.resolved_database_url)
        with Session(engine) as session:
            for name, aliases in queries.entity_names(session).items():
                names.setdefault(name, aliases)
        engine.dispose()
    except SQLAlchemyError as exc:
        log.warning("analyze: database not readable (%s); using the curated watchlist only", exc.__class__.__name__)
    return names


def analyze_text(text: str, *, lang: str | None = None, settings: Settings | None = None) -> dict:
    """The DESIGN.md ``analyze --json`` shape, plus the language and model used. Each event also
    carries the sentences that justify it (``evidence``), its cue words, the names the text gives
    the company (``mentioned_as``); an organisation the database does not know has ``entity``
    null and its printed name in ``candidate`` (reported, never scored). A text that names no
    list is read as being about the 1260H list, the list riskwatch watches."""
    settings = settings or get_settings()
    names = known_names(settings)
    html_removed = bool(_TAG.search(text))
    if html_removed:  # HTML remnants: analyse the visible text (offsets refer to it)
        text = html_to_text(text)
    lang = lang or detect_language(text)
    if lang not in SUPPORTED_LANGUAGES:
        log.warning("language %r is not supported: using a blank pipeline with the watchlist rules only", lang)
    truncated = len(text) > settings.nlp_max_chars
    if truncated:
        log.warning("text of %d characters: analysing the first %d", len(text), settings.nlp_max_chars)
    text = text[: settings.nlp_max_chars]
    nlp = build_pipeline(lang, names, settings)
    doc = nlp(text)
    hits, events = analyze_doc(doc, EntityLinker(names), lang)
    return {
        "entities": [
            {"text": h.text, "label": h.label, "start": h.start, "end": h.end, "entity": h.entity} for h in hits
        ],
        "events": [
            {
                "entity": e.entity if e.linked else None,
                "list": e.list_name,
                "status": e.status,
                "date": e.date.isoformat() if e.date else None,
                "sentence": e.sentence,
                "evidence": list(e.evidence),
                "cue": e.cue,
                "mentioned_as": list(e.mentioned_as),
                "candidate": None if e.linked else e.entity,
            }
            for e in events
        ],
        "language": lang,
        "model": nlp.meta.get("riskwatch_base"),
        "truncated": truncated,
        "html_removed": html_removed,
    }

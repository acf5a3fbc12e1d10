"""One entity's listing timeline and current status (`riskwatch history`)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from db import queries
from db.models import Entity
from core.listing_state import listing_intervals
from core.settings import get_settings
from scoring.model import group_facts
from scoring.names import resolve_entity
from scoring.status import status_line


def find_entity(session: Session, name: str) -> Entity | None:
    """Resolve a name as every search does (``scoring.names``: 'BYD', 'BYD Co Ltd', '比亚迪')."""
    return resolve_entity(session, name)[0]


def entity_history(session: Session, entity: Entity, *, on: date, window_days: int | None = None) -> dict:
    """The DESIGN.md ``history --json`` shape (plus intervals, evidence details, the facts: the events
    grouped as alerts and scores count them, ``window_days`` default the setting; and the status line
    on ``on``)."""
    window = get_settings().fact_window_days if window_days is None else window_days
    rows = queries.listing_events_for(session, entity_id=entity.id)
    events = [event for event, _ in rows]
    intervals = listing_intervals(events)
    urls = {event.id: document.url for event, document in rows}
    line = status_line(session, entity, on=on)
    return {
        "entity": entity.name,
        "listed": line.listed,
        "as_of": on.isoformat(),
        "status": line.as_dict(),
        "events": [
            {
                "date": event.effective_date.isoformat() if event.effective_date else None,
                "list": event.list_name,
                "status": event.status,
                "source_url": document.url,
                "official": event.official,
                "date_kind": event.date_kind,
                "publication_date": event.publication_date.isoformat() if event.publication_date else None,
                "sentence": event.sentence,
            }
            for event, document in rows
        ],
        "facts": [
            {
                "date": fact.day.isoformat() if fact.day else None,
                "list": fact.list_name,
                "status": fact.status,
                "official": fact.official,
                "date_kind": fact.date_kind,
                "evidence": [
                    {
                        "source_url": urls[event.id],
                        "official": event.official,
                        "publication_date": event.publication_date.isoformat() if event.publication_date else None,
                        "sentence": event.sentence,
                    }
                    for event in fact.events
                ],
            }
            for fact in group_facts(events, window_days=window)
        ],
        "intervals": {
            name: [{"start": s.isoformat(), "end": e.isoformat() if e else None} for s, e in spans]
            for name, spans in intervals.items()
        },
    }

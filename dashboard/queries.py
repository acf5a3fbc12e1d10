"""Pure query functions for the dashboard (session in, DataFrame out; unit-tested without Streamlit)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from db.models import Document, Entity, ExposureScore, ListingEvent, Source


def as_of(session: Session) -> date | None:
    """The newest scored day: the dashboard's 'as of' date."""
    return session.exec(select(func.max(ExposureScore.day))).one()


def leaderboard(session: Session, *, on: date, limit: int = 50) -> pd.DataFrame:
    """Entities by exposure on ``on`` with the change over 7 and 30 days."""
    def scores_on(day: date) -> dict[int, float]:
        rows = session.exec(select(ExposureScore.entity_id, ExposureScore.score).where(ExposureScore.day == day))
        return dict(rows.all())

    today = scores_on(on)
    week, month = scores_on(on - timedelta(days=7)), scores_on(on - timedelta(days=30))
    entities = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_(list(today))))} if today else {}
    listed = _listed_now(session, on=on)
    rows = [
        {
            "entity": entities[entity_id].name,
            "score": score,
            "listed": ", ".join(sorted(listed.get(entity_id, []))) or "-",
            "change_7d": round(score - week.get(entity_id, 0.0), 2),
            "change_30d": round(score - month.get(entity_id, 0.0), 2),
            "watched": entities[entity_id].watched,
            "entity_id": entity_id,
        }
        for entity_id, score in today.items()
    ]
    frame = pd.DataFrame(rows, columns=["entity", "score", "listed", "change_7d", "change_30d", "watched", "entity_id"])
    return frame.sort_values(["score", "entity"], ascending=[False, True]).head(limit).reset_index(drop=True)


def _listed_now(session: Session, *, on: date) -> dict[int, set[str]]:
    events = session.exec(
        select(ListingEvent).where(ListingEvent.official == True,  # noqa: E712
                                   ListingEvent.status.in_(("designated", "removed")),
                                   ListingEvent.effective_date <= on)
        .order_by(ListingEvent.effective_date, ListingEvent.id)
    ).all()
    state: dict[tuple[int, str], str] = {}
    for event in events:
        state[(event.entity_id, event.list_name)] = event.status
    listed: dict[int, set[str]] = {}
    for (entity_id, list_name), status in state.items():
        if status == "designated":
            listed.setdefault(entity_id, set()).add(list_name)
    return listed


def score_history(session: Session, *, entity_ids: list[int], start: date | None = None) -> pd.DataFrame:
    query = (select(Entity.name, ExposureScore.day, ExposureScore.score)
             .join(Entity, Entity.id == ExposureScore.entity_id)
             .where(ExposureScore.entity_id.in_(entity_ids)))
    if start:
        query = query.where(ExposureScore.day >= start)
    rows = session.exec(query.order_by(ExposureScore.day)).all()
    return pd.DataFrame(rows, columns=["entity", "day", "score"])


def event_markers(session: Session, *, entity_ids: list[int]) -> pd.DataFrame:
    """Listing events of the selected entities, for chart markers."""
    rows = session.exec(
        select(Entity.name, ListingEvent.effective_date, ListingEvent.status, ListingEvent.list_name,
               ListingEvent.official, Document.title, Document.url)
        .join(Entity, Entity.id == ListingEvent.entity_id)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id.in_(entity_ids), ListingEvent.effective_date.is_not(None))
        .order_by(ListingEvent.effective_date)
    ).all()
    return pd.DataFrame(rows, columns=["entity", "day", "status", "list", "official", "title", "url"])


def recent_events(session: Session, *, limit: int = 20) -> pd.DataFrame:
    rows = session.exec(
        select(ListingEvent.effective_date, Entity.name, ListingEvent.list_name, ListingEvent.status,
               ListingEvent.official, Document.url)
        .join(Entity, Entity.id == ListingEvent.entity_id)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .order_by(ListingEvent.effective_date.desc(), ListingEvent.id.desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["date", "entity", "list", "status", "official", "source"])
    frame["official"] = frame["official"].map({True: "official", False: "news/signal"})
    return frame


def latest_documents(session: Session, *, limit: int = 20) -> pd.DataFrame:
    rows = session.exec(
        select(Document.publication_date, Source.name, Document.title, Document.status, Document.failure_reason,
               Document.url)
        .join(Source, Source.id == Document.source_id)
        .order_by(Document.publication_date.desc().nulls_last(), Document.id.desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["published", "source", "title", "status", "reason", "url"])
    frame["reason"] = frame["reason"].fillna("")
    return frame

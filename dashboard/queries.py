"""Pure query functions for the dashboard (session in, DataFrame out; unit-tested without Streamlit)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from db.models import Alert, CandidateEvent, Document, Entity, ExposureScore, ListingEvent, Source
from core.vocabulary import DocType


def csv_export(frame: pd.DataFrame) -> str:
    """A table as CSV, protected against formula injection (cells starting with = + - @)."""
    from scoring.screening import safe_cell

    return frame.map(safe_cell).to_csv(index=False)


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
        select(ListingEvent)
        .where(
            ListingEvent.official == True,  # noqa: E712
            ListingEvent.status.in_(("designated", "removed")),
            ListingEvent.effective_date <= on,
        )
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
    query = (
        select(Entity.name, ExposureScore.day, ExposureScore.score)
        .join(Entity, Entity.id == ExposureScore.entity_id)
        .where(ExposureScore.entity_id.in_(entity_ids))
    )
    if start:
        query = query.where(ExposureScore.day >= start)
    rows = session.exec(query.order_by(ExposureScore.day)).all()
    return pd.DataFrame(rows, columns=["entity", "day", "score"])


def event_markers(session: Session, *, entity_ids: list[int]) -> pd.DataFrame:
    """Listing events of the selected entities, for chart markers."""
    rows = session.exec(
        select(
            Entity.name,
            ListingEvent.effective_date,
            ListingEvent.status,
            ListingEvent.list_name,
            ListingEvent.official,
            Document.title,
            Document.url,
        )
        .join(Entity, Entity.id == ListingEvent.entity_id)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id.in_(entity_ids), ListingEvent.effective_date.is_not(None))
        .order_by(ListingEvent.effective_date)
    ).all()
    return pd.DataFrame(rows, columns=["entity", "day", "status", "list", "official", "title", "url"])


def recent_events(session: Session, *, limit: int = 20) -> pd.DataFrame:
    rows = session.exec(
        select(
            ListingEvent.effective_date,
            Entity.name,
            ListingEvent.list_name,
            ListingEvent.status,
            ListingEvent.official,
            Document.url,
        )
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
        select(
            Document.publication_date,
            Source.name,
            Document.title,
            Document.status,
            Document.failure_reason,
            Document.url,
        )
        .join(Source, Source.id == Document.source_id)
        .order_by(Document.publication_date.desc().nulls_last(), Document.id.desc())
        .limit(limit)
    ).all()
    frame = pd.DataFrame(rows, columns=["published", "source", "title", "status", "reason", "url"])
    frame["reason"] = frame["reason"].fillna("")
    return frame


def entity_choices(session: Session) -> dict[str, int]:
    """Search labels -> entity id: every canonical name, and every alias as 'alias → name'."""
    from db.models import Alias

    entities = dict(session.exec(select(Entity.id, Entity.name)).all())
    choices = {name: entity_id for entity_id, name in entities.items()}
    for alias, entity_id in session.exec(select(Alias.alias, Alias.entity_id)):
        choices.setdefault(f"{alias} → {entities[entity_id]}", entity_id)
    return dict(sorted(choices.items(), key=lambda item: item[0].casefold()))


def entity_profile(session: Session, *, entity_id: int) -> dict:
    """Name, country, parent and subsidiaries (with relations) of one entity."""
    entity = session.get(Entity, entity_id)
    parent = session.get(Entity, entity.parent_id) if entity.parent_id else None
    children = session.exec(select(Entity).where(Entity.parent_id == entity_id).order_by(Entity.name)).all()
    from db.models import Alias

    aliases = session.exec(select(Alias.alias).where(Alias.entity_id == entity_id)).all()
    return {
        "name": entity.name,
        "names": [entity.name, *aliases],
        "country": entity.country,
        "watched": entity.watched,
        "parent": (parent.name, entity.relation) if parent else None,
        "subsidiaries": [(child.name, child.relation) for child in children],
    }


def entity_listing(session: Session, *, entity_id: int, on: date) -> dict:
    """One entity's listing status and intervals on ``on`` (``scoring.timeline.entity_history``)."""
    from scoring.timeline import entity_history

    return entity_history(session, session.get(Entity, entity_id), on=on)


def component_history(session: Session, *, entity_id: int) -> pd.DataFrame:
    from db.models import SCORE_COMPONENTS

    columns = [getattr(ExposureScore, name) for name in SCORE_COMPONENTS]
    rows = session.exec(
        select(ExposureScore.day, ExposureScore.score, *columns)
        .where(ExposureScore.entity_id == entity_id)
        .order_by(ExposureScore.day)
    ).all()
    return pd.DataFrame(rows, columns=["day", "score", *SCORE_COMPONENTS])


def entity_events(session: Session, *, entity_id: int) -> pd.DataFrame:
    rows = session.exec(
        select(
            ListingEvent.effective_date,
            ListingEvent.date_kind,
            ListingEvent.publication_date,
            ListingEvent.list_name,
            ListingEvent.status,
            ListingEvent.official,
            Document.title,
            Document.url,
            ListingEvent.sentence,
        )
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id == entity_id)
        .order_by(ListingEvent.effective_date, ListingEvent.id)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=["date", "kind of date", "published", "list", "status", "official", "document", "source", "sentence"],
    )
    frame["official"] = frame["official"].map({True: "official", False: "news/signal"})
    return frame


def entity_mentions(session: Session, *, entity_id: int, limit: int = 200) -> pd.DataFrame:
    from db.models import Mention

    rows = session.exec(
        select(Mention.day, Document.title, Mention.text, Mention.method, Mention.score, Mention.sentence, Document.url)
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.entity_id == entity_id)
        .order_by(Mention.day.desc().nulls_last(), Mention.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["date", "document", "text", "link method", "link score", "sentence", "source"])


def documents(
    session: Session,
    *,
    sources: list[str] | None = None,
    statuses: list[str] | None = None,
    languages: list[str] | None = None,
    published: tuple[date, date] | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    query = select(
        Document.id,
        Document.publication_date,
        Source.name,
        Document.doc_type,
        Document.language,
        Document.title,
        Document.status,
        Document.failure_reason,
        Document.version,
        Document.url,
    ).join(Source, Source.id == Document.source_id)
    if sources:
        query = query.where(Source.name.in_(sources))
    if statuses:
        query = query.where(Document.status.in_(statuses))
    if languages:
        query = query.where(Document.language.in_(languages))
    if published:
        query = query.where(Document.publication_date >= published[0], Document.publication_date <= published[1])
    rows = session.exec(
        query.order_by(Document.publication_date.desc().nulls_last(), Document.id.desc()).limit(limit)
    ).all()
    frame = pd.DataFrame(
        rows, columns=["id", "published", "source", "type", "language", "title", "status", "reason", "version", "url"]
    )
    frame["reason"] = frame["reason"].fillna("")
    return frame


def document_facets(session: Session) -> dict[str, list[str]]:
    return {
        "sources": sorted(session.exec(select(Source.name)).all()),
        "statuses": sorted({s for s in session.exec(select(Document.status).distinct())}),
        "languages": sorted({s for s in session.exec(select(Document.language).distinct()) if s}),
    }


def document_detail(session: Session, *, document_id: int) -> dict:
    from db.models import Mention
    from core.text import TextExtractionError, article_text, document_text

    document = session.get(Document, document_id)
    if document.doc_type == DocType.LIST_PDF:
        text = "(a list PDF: its rows are in the mentions below)"
    else:
        try:
            reader = article_text if document.doc_type == DocType.ARTICLE else document_text
            text = reader(document.raw, document.content_type)
        except TextExtractionError as exc:
            text = f"(text not extractable: {exc})"
    mentions = session.exec(
        select(Entity.name, Mention.text, Mention.method, Mention.score, Mention.sentence)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.document_id == document_id)
        .order_by(Mention.start)
    ).all()
    return {
        "title": document.title,
        "url": document.url,
        "text": text,
        "mentions": pd.DataFrame(mentions, columns=["entity", "text", "link method", "link score", "sentence"]),
        "candidates": document_candidates(session, document_id=document_id),
    }


CANDIDATE_COLUMNS = ["organisation", "list", "status", "date", "kind of date", "cue", "sentence", "evidence"]


def document_candidates(session: Session, *, document_id: int) -> pd.DataFrame:
    """Organisations not in the database that one document reports with a listing event (candidates:
    never scored, never alerted), in the order they were found."""
    rows = session.exec(
        select(CandidateEvent).where(CandidateEvent.document_id == document_id).order_by(CandidateEvent.id)
    ).all()
    return pd.DataFrame(
        [
            (c.name, c.list_name, c.status, c.effective_date, c.date_kind, c.cue, c.sentence, list(c.evidence or []))
            for c in rows
        ],
        columns=CANDIDATE_COLUMNS,
    )


def recent_candidates(session: Session, *, limit: int = 50) -> pd.DataFrame:
    """The latest candidate events of every document: organisation, list, status, date, document."""
    rows = session.exec(
        select(
            CandidateEvent.effective_date,
            CandidateEvent.name,
            CandidateEvent.list_name,
            CandidateEvent.status,
            Document.title,
            Document.url,
        )
        .join(Document, Document.id == CandidateEvent.document_id)
        .order_by(CandidateEvent.effective_date.desc().nulls_last(), CandidateEvent.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["date", "organisation", "list", "status", "document", "source"])


def source_status(session: Session, *, names: list[str]) -> pd.DataFrame:
    """Each source: last run, its status and reason, the last OK run (a best-effort source that the
    CDN refused shows "blocked" here, dated, instead of leaving a silent gap)."""
    from db.queries import source_statuses

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"

    rows = [
        (
            row["source"],
            row["status"],
            when(row["last_run"]),
            row["as_of"].isoformat() if row["as_of"] else "",
            when(row["last_ok"]),
            row["runs_since_ok"],
            row["reason"],
        )
        for row in source_statuses(session, names=names)
    ]
    return pd.DataFrame(
        rows, columns=["source", "status", "last run", "replayed as of", "last OK", "runs since OK", "reason"]
    )


def sources_not_ok(session: Session) -> list[dict]:
    """Sources whose last crawl run did not finish OK (for a warning on the overview)."""
    from db.queries import source_statuses

    return [
        {**row, "last_ok": row["last_ok"].strftime("%Y-%m-%d") if row["last_ok"] else None}
        for row in source_statuses(session, names=[])
        if row["status"] not in ("finished", "running")
    ]


def alert_log(session: Session, *, limit: int = 500) -> pd.DataFrame:
    """The alert outbox, newest first: kind, status, attempts, last error (never the webhook)."""
    alerts = session.exec(select(Alert).order_by(Alert.created_at.desc()).limit(limit)).all()
    return pd.DataFrame(
        [
            {
                "created": a.created_at,
                "kind": a.kind,
                "status": a.status,
                "attempts": a.attempts,
                "last error": a.last_error or "",
                "sent": a.sent_at,
                "key": a.idempotency_key,
            }
            for a in alerts
        ],
        columns=["created", "kind", "status", "attempts", "last error", "sent", "key"],
    )


def watchlist(session: Session) -> pd.DataFrame:
    """Every entity by name with its curated-watchlist flag (the Alerts page's editor)."""
    rows = session.exec(select(Entity.id, Entity.name, Entity.country, Entity.watched).order_by(Entity.name)).all()
    frame = pd.DataFrame(rows, columns=["id", "entity", "country", "watched"])
    frame["country"] = frame["country"].fillna("")
    return frame


def set_watched(session: Session, *, watched: dict[int, bool]) -> int:
    """Mark entities (id -> watched) on or off the curated watchlist and commit; returns how many."""
    for entity_id, flag in watched.items():
        entity = session.get(Entity, entity_id)
        entity.watched = flag
        session.add(entity)
    session.commit()
    return len(watched)

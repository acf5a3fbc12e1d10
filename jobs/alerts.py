"""The alert outbox: alerts are rows first (one per stable key), sent second, never twice.

Events that alert: an official designation or removal on a list ("listing"), a newly detected
proposal or withdrawn notice ("watch", lower severity), and a day-over-day score change over
the configured threshold ("score_jump"), each for the watchlist's companies only (the watchlist decides who
is alerted). Listing events alert per fact: the same change reported by
several outlets, or in two languages, is one alert listing every evidence document. The first run on an empty database records what it finds
as the baseline and pages nobody.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only
from sqlmodel import Session, select

from core.vocabulary import AlertKind, AlertStatus, ListingStatus
from db.models import Alert, Document, Entity, ExposureScore, JobState, ListingEvent, utcnow
from db.queries import document_outlet
from core.settings import Settings
from scoring.model import Fact, ScoringConfig, event_day, group_facts
from scoring.series import score_jumps
from scoring.screening import company_link
from scoring.status import status_line
from core.listing_state import listed_lists

log = logging.getLogger(__name__)

BASELINE_KEY = "alerts.baseline_recorded"
LAST_SCAN_KEY = "alerts.scores_scanned_through"


@dataclass
class CollectStats:
    new: int = 0
    baseline: bool = False


def alert_key(*, entity: str, list_name: str, status: str, effective: date | None) -> str:
    """The idempotency key of a listing/watch alert, derived from its key columns (never parsed back)."""
    return f"{entity}|{list_name}|{status}|{effective.isoformat() if effective else '-'}"


def score_jump_key(*, entity: str, day: date) -> str:
    return f"score|{entity}|{day.isoformat()}"


def _score_on(session: Session, entity_id: int, day: date | None) -> float | None:
    if day is None:
        return None
    row = session.exec(
        select(ExposureScore.score).where(ExposureScore.entity_id == entity_id, ExposureScore.day == day)
    ).first()
    return row


def _state(session: Session, key: str) -> str | None:
    row = session.get(JobState, key)
    return row.value if row else None


def _set_state(session: Session, key: str, value: str) -> None:
    row = session.get(JobState, key) or JobState(key=key, value=value)
    row.value, row.updated_at = value, utcnow()
    session.add(row)


def _alert_kind(fact: Fact) -> str | None:
    if fact.official and fact.status in (ListingStatus.DESIGNATED, ListingStatus.REMOVED):
        return AlertKind.LISTING
    if fact.status in (ListingStatus.PROPOSED, ListingStatus.WITHDRAWN) and (
        fact.official or fact.status == ListingStatus.PROPOSED
    ):
        return AlertKind.WATCH
    return None  # a news report of a designation or removal is not an official change


def _evidence(documents: list[Document]) -> list[dict]:
    """Each evidence document of a fact: its outlet, date, title and link (the message lists them)."""
    return [
        {
            "outlet": document_outlet(document),
            "publication_date": document.publication_date.isoformat() if document.publication_date else None,
            "title": document.title,
            "url": document.url,
            "language": document.language,
        }
        for document in documents
    ]


def collect_alerts(session: Session, settings: Settings, *, through: date) -> CollectStats:
    """Write an outbox row for every alertable fact not seen before (idempotent): one per fact, however
    many outlets report it (``scoring.model.group_facts``), listing every evidence document."""
    stats = CollectStats(baseline=_state(session, BASELINE_KEY) is None)
    status = AlertStatus.BASELINE if stats.baseline else AlertStatus.PENDING
    existing = set(session.exec(select(Alert.idempotency_key)).all())
    events = session.exec(select(ListingEvent).order_by(ListingEvent.effective_date, ListingEvent.id)).all()
    entities = {entity.id: entity for entity in session.exec(select(Entity))}
    # the evidence documents' fields a message shows (not their raw bytes)
    documents = {
        document.id: document
        for document in session.exec(
            select(Document)
            .where(Document.id.in_(select(ListingEvent.evidence_document_id)))
            .options(
                load_only(
                    Document.id,
                    Document.external_id,
                    Document.url,
                    Document.title,
                    Document.publication_date,
                    Document.language,
                    Document.meta,
                )
            )
        )
    }
    by_entity: dict[int, list[ListingEvent]] = {}
    for event in events:
        by_entity.setdefault(event.entity_id, []).append(event)
    for fact in group_facts(list(events), window_days=settings.fact_window_days):
        kind = _alert_kind(fact)
        entity = entities[fact.entity_id]
        if kind is None or not entity.watched:  # the watchlist decides who is alerted
            continue
        if kind == AlertKind.WATCH and fact.day and fact.list_name in listed_lists(by_entity[entity.id], on=fact.day):
            continue  # a filing or proposal about a company listed on that list that day came true: no news
        key = alert_key(entity=entity.name, list_name=fact.list_name, status=fact.status, effective=fact.day)
        # a fact alerted before under another of its days (an earlier report found later moves its day)
        known = {
            alert_key(entity=entity.name, list_name=fact.list_name, status=fact.status, effective=event_day(event))
            for event in fact.events
        }
        if key in existing or known & existing:
            continue
        existing.add(key)
        event = fact.events[0]  # official first, then the earliest published
        document = documents[event.evidence_document_id]
        day = fact.day
        session.add(
            Alert(
                idempotency_key=key,
                listing_event_id=event.id,
                kind=kind,
                status=status,
                entity_name=entity.name,
                list_name=fact.list_name,
                event_status=fact.status,
                effective_date=day,
                payload={
                    "entity": entity.name,
                    "list": fact.list_name,
                    "status": fact.status,
                    "effective_date": day.isoformat() if day else None,
                    "date_kind": fact.date_kind,
                    "publication_date": event.publication_date.isoformat() if event.publication_date else None,
                    "official": fact.official,
                    "source_url": document.url,
                    "document": document.title,
                    "evidence": _evidence([documents[i] for i in fact.document_ids]),
                    "status_line": status_line(session, entity, on=day).text if day else None,
                    "score_before": _score_on(session, entity.id, day - timedelta(days=1) if day else None),
                    "score_after": _score_on(session, entity.id, day),
                    "dashboard_url": company_link(settings.dashboard_base_url, entity.name),
                },
            )
        )
        stats.new += 1
    threshold = ScoringConfig.load(settings.scoring_config).raw.get("alerts", {}).get("score_jump")
    scanned = _state(session, LAST_SCAN_KEY)
    if threshold and scanned is not None:
        session.flush()
        listing_days = set(
            session.exec(
                select(Alert.entity_name, Alert.effective_date).where(Alert.kind != AlertKind.SCORE_JUMP)
            ).all()
        )
        watched = {entity.name for entity in entities.values() if entity.watched}
        for jump in score_jumps(session, since=date.fromisoformat(scanned), through=through, threshold=threshold):
            key = score_jump_key(entity=jump.entity, day=jump.day)
            if jump.entity not in watched:
                continue
            if key in existing or (jump.entity, jump.day) in listing_days:
                continue  # a jump explained by a listing change of that day is already alerted
            existing.add(key)
            session.add(
                Alert(
                    idempotency_key=key,
                    kind=AlertKind.SCORE_JUMP,
                    status=status,
                    entity_name=jump.entity,
                    effective_date=jump.day,
                    payload={
                        "entity": jump.entity,
                        "status": "score change",
                        "effective_date": jump.day.isoformat(),
                        "score_before": jump.before,
                        "score_after": jump.after,
                        "dashboard_url": company_link(settings.dashboard_base_url, jump.entity),
                    },
                )
            )
            stats.new += 1
    _set_state(session, LAST_SCAN_KEY, through.isoformat())
    if stats.baseline:
        _set_state(session, BASELINE_KEY, utcnow().isoformat())
    try:
        session.commit()
    except IntegrityError:  # another process wrote the same keys first: theirs stand
        session.rollback()
        log.warning("alerts were collected concurrently; keeping the rows already written")
    return stats

"""Store daily ExposureScore series, recomputing only from the earliest new evidence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from db.models import SCORE_COMPONENTS, Entity, ExposureScore, ListingEvent, Mention, ScoreState
from core.settings import Settings, get_settings
from scoring.model import ScoringConfig, event_day, event_facts, inherited_spans, series_arrays

log = logging.getLogger(__name__)

COMMIT_EVERY = 50


@dataclass
class ScoreStats:
    entities_scored: int = 0
    entities_skipped: int = 0
    rows_written: int = 0


def score_entities(session: Session, *, through: date, settings: Settings | None = None, progress=None) -> ScoreStats:
    """Bring every entity's series up to ``through``, per entity from its earliest new evidence
    (its own, or its parent's or subsidiaries' official events)."""
    settings = settings or get_settings()
    config = ScoringConfig.from_settings(settings)
    window = config.fact_window_days
    stats = ScoreStats()
    events_by_entity: dict[int, list[ListingEvent]] = {}
    for event in session.exec(select(ListingEvent)):
        events_by_entity.setdefault(event.entity_id, []).append(event)
    newest_mention = dict(
        session.exec(select(Mention.entity_id, func.max(Mention.id)).group_by(Mention.entity_id)).all()
    )
    first_mention = dict(
        session.exec(select(Mention.entity_id, func.min(Mention.day)).group_by(Mention.entity_id)).all()
    )
    states = {s.entity_id: s for s in session.exec(select(ScoreState))}
    parents = dict(session.exec(select(Entity.id, Entity.parent_id)).all())
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)

    for entity_id in sorted(parents):
        relatives = ([parents[entity_id]] if parents[entity_id] else []) + children.get(entity_id, [])
        own = events_by_entity.get(entity_id, [])
        related = [e for r in relatives for e in events_by_entity.get(r, []) if e.official]
        dated = [event_day(e) for e in own + related if event_day(e)]
        if first_mention.get(entity_id):
            dated.append(first_mention[entity_id])
        if not dated:
            stats.entities_skipped += 1
            continue
        first_day = min(dated)
        max_event_id = max((e.id for e in own + related), default=0)
        max_mention_id = newest_mention.get(entity_id, 0)
        state = states.get(entity_id)
        if state is None or state.model_version != config.version or state.scored_through is None:
            # new, re-weighted, or newly linked to a parent or subsidiary (upsert_entity drops the
            # state of both): the whole series
            start = first_day
        else:
            new_days = [event_day(e) for e in own + related if e.id > state.max_event_id and event_day(e)]
            if max_mention_id > state.max_mention_id:
                new_days += session.exec(
                    select(Mention.day).where(
                        Mention.entity_id == entity_id, Mention.id > state.max_mention_id, Mention.day.is_not(None)
                    )
                ).all()
            start = max(min(new_days + [state.scored_through + timedelta(days=1)]), first_day)
        if start > through:
            stats.entities_skipped += 1
            continue
        mention_days = session.exec(
            select(Mention.day).where(Mention.entity_id == entity_id, Mention.day.is_not(None))
        ).all()
        parent = parents[entity_id]
        inherited = inherited_spans(
            config,
            parent_events=event_facts(events_by_entity.get(parent, []), window_days=window) if parent else None,
            child_events=[
                event_facts(events_by_entity.get(child, []), window_days=window)
                for child in children.get(entity_id, [])
            ],
        )
        # one fact however many outlets report it (scoring.model.group_facts)
        arrays = series_arrays(event_facts(own, window_days=window), mention_days, start, through, config, inherited)
        session.exec(delete(ExposureScore).where(ExposureScore.entity_id == entity_id, ExposureScore.day >= start))
        rows = _rows(entity_id, start, arrays)
        if rows:  # Core executemany (no ORM objects, no RETURNING): the bulk of the time otherwise
            session.connection().execute(ExposureScore.__table__.insert(), rows)
        if state is None:
            state = ScoreState(entity_id=entity_id)
        state.max_event_id, state.max_mention_id = max_event_id, max_mention_id
        state.scored_through, state.model_version = through, config.version
        session.add(state)
        # Rows and bookkeeping of a batch of entities commit together: a crash loses at most the
        # batch, which the next run recomputes (its ScoreState was not advanced).
        if stats.entities_scored % COMMIT_EVERY == COMMIT_EVERY - 1:
            session.commit()
        stats.entities_scored += 1
        stats.rows_written += len(rows)
        if progress:
            progress(1)
    session.commit()
    return stats


def _rows(entity_id: int, start: date, arrays: dict) -> list[dict]:
    scores = arrays["score"].tolist()
    columns = {name: arrays["parts"][name].tolist() for name in SCORE_COMPONENTS}
    first = start.toordinal()
    return [
        {
            "entity_id": entity_id,
            "day": date.fromordinal(first + i),
            "score": score,
            **{name: columns[name][i] for name in SCORE_COMPONENTS},
        }
        for i, score in enumerate(scores)
    ]


@dataclass(frozen=True)
class ScoreJump:
    entity: str
    day: date
    before: float
    after: float


def score_jumps(session: Session, *, since: date, through: date, threshold: float) -> list[ScoreJump]:
    """Day-over-day score changes of at least ``threshold`` points in (since, through]: alertable
    events of their own, separate from new-listing alerts."""
    previous = ExposureScore.__table__.alias("previous")
    current = ExposureScore.__table__
    # SQLite keeps dates as ISO text: date(day, '-1 day'); other databases subtract an interval.
    day_before = (
        func.date(current.c.day, "-1 day")
        if session.get_bind().dialect.name == "sqlite"
        else current.c.day - timedelta(days=1)
    )
    rows = session.exec(
        select(Entity.name, current.c.day, previous.c.score, current.c.score)
        .select_from(current)
        .join(previous, (previous.c.entity_id == current.c.entity_id) & (previous.c.day == day_before))
        .join(Entity, Entity.id == current.c.entity_id)
        .where(
            current.c.day > since, current.c.day <= through, func.abs(current.c.score - previous.c.score) >= threshold
        )
        .order_by(current.c.day, Entity.name)
    ).all()
    return [
        ScoreJump(name, day if isinstance(day, date) else date.fromisoformat(day), before, after)
        for name, day, before, after in rows
    ]


def evidence_counts(session: Session) -> dict[int, int]:
    """Entity id -> number of documents that mention it or carry one of its listing events."""
    mentioned = select(Mention.entity_id, Mention.document_id)
    evented = select(ListingEvent.entity_id, ListingEvent.evidence_document_id)
    union = mentioned.union(evented).subquery()
    return dict(session.exec(select(union.c[0], func.count()).group_by(union.c[0])).all())


def latest_scores(session: Session, *, on: date | None = None) -> list[tuple[Entity, ExposureScore]]:
    """Each entity's score on ``on`` (default: its latest scored day), highest first."""
    if on is None:
        latest = (
            select(ExposureScore.entity_id, func.max(ExposureScore.day).label("day"))
            .group_by(ExposureScore.entity_id)
            .subquery()
        )
        query = (
            select(Entity, ExposureScore)
            .join(ExposureScore, ExposureScore.entity_id == Entity.id)
            .join(latest, (latest.c.entity_id == ExposureScore.entity_id) & (latest.c.day == ExposureScore.day))
        )
    else:
        query = (
            select(Entity, ExposureScore)
            .join(ExposureScore, ExposureScore.entity_id == Entity.id)
            .where(ExposureScore.day == on)
        )
    rows = session.exec(query).all()
    return sorted(rows, key=lambda row: (-row[1].score, row[0].name))

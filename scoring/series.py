"""Store daily ExposureScore series, recomputing only from the earliest new evidence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from db.models import Entity, ExposureScore, ListingEvent, Mention, ScoreState
from db.settings import Settings, get_settings
from scoring.model import EventFact, ScoringConfig, daily_series

log = logging.getLogger(__name__)


@dataclass
class ScoreStats:
    entities_scored: int = 0
    entities_skipped: int = 0
    rows_written: int = 0


def _event_day(event: ListingEvent) -> date | None:
    return event.effective_date or event.publication_date


def score_entities(session: Session, *, through: date, settings: Settings | None = None,
                   progress=None) -> ScoreStats:
    """Bring every entity's series up to ``through``; incremental per entity."""
    settings = settings or get_settings()
    config = ScoringConfig.load(settings.scoring_config)
    stats = ScoreStats()
    events_by_entity: dict[int, list[ListingEvent]] = {}
    for event in session.exec(select(ListingEvent)):
        events_by_entity.setdefault(event.entity_id, []).append(event)
    mentions_by_entity: dict[int, list[tuple[int, date]]] = {}
    for mention_id, entity_id, day in session.exec(select(Mention.id, Mention.entity_id, Mention.day)):
        if day is not None:
            mentions_by_entity.setdefault(entity_id, []).append((mention_id, day))
    states = {s.entity_id: s for s in session.exec(select(ScoreState))}

    for entity_id in session.exec(select(Entity.id)).all():
        events = [e for e in events_by_entity.get(entity_id, []) if _event_day(e)]
        mentions = mentions_by_entity.get(entity_id, [])
        if not events and not mentions:
            stats.entities_skipped += 1
            continue
        first_day = min([_event_day(e) for e in events] + [d for _, d in mentions])
        max_event_id = max((e.id for e in events), default=0)
        max_mention_id = max((m for m, _ in mentions), default=0)
        state = states.get(entity_id)
        if state is None or state.model_version != config.version or state.scored_through is None:
            start = first_day
        else:
            new_days = [_event_day(e) for e in events if e.id > state.max_event_id]
            new_days += [d for m, d in mentions if m > state.max_mention_id]
            start = min(new_days + [state.scored_through + timedelta(days=1)])
            start = max(start, first_day)
        if start > through:
            stats.entities_skipped += 1
            if progress:
                progress(1)
            continue
        facts = [EventFact(_event_day(e), e.list_name, e.status, e.official) for e in events]
        series = daily_series(facts, [d for _, d in mentions], start, through, config)
        session.exec(delete(ExposureScore).where(ExposureScore.entity_id == entity_id, ExposureScore.day >= start))
        if series:
            session.exec(insert(ExposureScore), params=[
                {"entity_id": entity_id, "day": day, "score": score, "components": parts}
                for day, score, parts in series
            ])
        if state is None:
            state = ScoreState(entity_id=entity_id)
        state.max_event_id, state.max_mention_id = max_event_id, max_mention_id
        state.scored_through, state.model_version = through, config.version
        session.add(state)
        session.commit()
        stats.entities_scored += 1
        stats.rows_written += len(series)
        if progress:
            progress(1)
    return stats


def latest_scores(session: Session, *, on: date | None = None) -> list[tuple[Entity, ExposureScore]]:
    """Each entity's score on ``on`` (default: its latest scored day), highest first."""
    if on is None:
        latest = (select(ExposureScore.entity_id, func.max(ExposureScore.day).label("day"))
                  .group_by(ExposureScore.entity_id).subquery())
        query = (select(Entity, ExposureScore)
                 .join(ExposureScore, ExposureScore.entity_id == Entity.id)
                 .join(latest, (latest.c.entity_id == ExposureScore.entity_id) & (latest.c.day == ExposureScore.day)))
    else:
        query = (select(Entity, ExposureScore).join(ExposureScore, ExposureScore.entity_id == Entity.id)
                 .where(ExposureScore.day == on))
    rows = session.exec(query).all()
    return sorted(rows, key=lambda row: (-row[1].score, row[0].name))

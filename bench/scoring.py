"""Scoring benchmark: full recompute for 1,000 entities x 5 years of days, then an incremental
recompute after one new event.

    python -m bench.scoring [--quick]

A synthetic SQLite database (entities, official and news listing events, mentions) is generated
in a temp dir. Ends stdout with one JSON line:
{"bench": "scoring", "ratio": incremental_s / full_s, "full_s", "incremental_s", "rows", ...}
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import date, timedelta

from sqlmodel import Session, select

from bench.common import scratch_settings
from db.engine import ready_engine
from db.models import Document, Entity, ListingEvent
from scoring.series import score_entities


def populate(session, *, entities: int, start: date, end: date, rng: random.Random) -> None:
    from db.models import Document, Entity, ListingEvent, Mention, Source

    source = Source(name="synthetic", kind="news")
    session.add(source)
    session.flush()
    document = Document(source_id=source.id, external_id="synthetic", content_hash="x", status="processed")
    session.add(document)
    session.flush()
    span = (end - start).days
    for number in range(entities):
        entity = Entity(name=f"Synthetic Company {number:04d} Co., Ltd.")
        session.add(entity)
        session.flush()
        day = start + timedelta(days=rng.randrange(span))
        if rng.random() < 0.6:
            session.add(
                ListingEvent(
                    entity_id=entity.id,
                    status="designated",
                    effective_date=day,
                    official=True,
                    evidence_document_id=document.id,
                )
            )
            if rng.random() < 0.2:
                session.add(
                    ListingEvent(
                        entity_id=entity.id,
                        status="removed",
                        official=True,
                        effective_date=day + timedelta(days=rng.randrange(30, 700)),
                        evidence_document_id=document.id,
                    )
                )
        signals = {
            (rng.choice(["proposed", "withdrawn", "designated"]), start + timedelta(days=rng.randrange(span)))
            for _ in range(rng.randrange(0, 3))
        }
        for status, signal_day in sorted(signals):
            session.add(
                ListingEvent(
                    entity_id=entity.id,
                    status=status,
                    effective_date=signal_day,
                    official=False,
                    evidence_document_id=document.id,
                )
            )
        for offset in sorted({rng.randrange(1_000_000) for _ in range(rng.randrange(0, 40))}):
            session.add(
                Mention(
                    document_id=document.id,
                    entity_id=entity.id,
                    start=offset,
                    end=offset + 5,
                    text="x",
                    sentence="x",
                    method="ruler",
                    day=start + timedelta(days=rng.randrange(span)),
                )
            )
    session.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 entities instead of 1,000")
    options = parser.parse_args(argv)
    count = 100 if options.quick else 1000
    end = date(2026, 11, 25)
    start = end - timedelta(days=5 * 365)
    with scratch_settings() as settings:
        engine = ready_engine(settings.resolved_database_url)
        with Session(engine) as session:
            populate(session, entities=count, start=start, end=end, rng=random.Random(805))
        print(f"synthetic database: {count} entities, {start} .. {end}", file=sys.stderr)
        with Session(engine) as session:
            t = time.perf_counter()
            full = score_entities(session, through=end, settings=settings)
            full_s = time.perf_counter() - t
        print(f"full recompute: {full.rows_written} rows in {full_s:.2f}s", file=sys.stderr)
        with Session(engine) as session:
            entity = session.get(Entity, count // 2)
            document = session.exec(select(Document)).first()
            session.add(
                ListingEvent(
                    entity_id=entity.id,
                    status="designated",
                    official=True,
                    effective_date=end - timedelta(days=10),
                    evidence_document_id=document.id,
                )
            )
            session.commit()
            t = time.perf_counter()
            incremental = score_entities(session, through=end, settings=settings)
            incremental_s = time.perf_counter() - t
        print(
            f"incremental after one event: {incremental.rows_written} rows, {incremental.entities_scored} entity "
            f"in {incremental_s:.3f}s",
            file=sys.stderr,
        )
        engine.dispose()
    result = {
        "bench": "scoring",
        "quick": options.quick,
        "entities": count,
        "ratio": round(incremental_s / full_s, 4),
        "full_s": round(full_s, 2),
        "incremental_s": round(incremental_s, 3),
        "rows": full.rows_written,
        "incremental_rows": incremental.rows_written,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

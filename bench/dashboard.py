"""Dashboard benchmark: every page's queries on a synthetic database at scale.

    python -m bench.dashboard [--quick]

Generates (in a temp dir) 1,000 entities, 100,000 documents, 1,000,000 mentions, listing events and
5 years of daily scores for every entity (a tenth with --quick), then times each page's query
functions (best of 3). Ends stdout with one JSON line: {"bench": "dashboard", "max_ms": ..., "pages": {...}}.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert
from sqlmodel import Session, select

from bench.common import scratch_settings
from dashboard import queries
from db.engine import ready_engine
from db.models import SCORE_COMPONENTS, Alert, Alias, Document, Entity, ExposureScore, ListingEvent, Mention, Source

END = date(2026, 11, 25)
START = END - timedelta(days=5 * 365)


def generate(engine, *, entities: int, documents: int, mentions: int, rng: random.Random) -> None:
    span = (END - START).days
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(
            insert(Source),
            [
                {"id": i + 1, "name": n, "kind": n}
                for i, n in enumerate(["federal_register", "public_inspection", "dod_releases", "news"])
            ],
        )
        conn.execute(
            insert(Entity),
            [
                {
                    "id": i + 1,
                    "name": f"Synthetic Company {i:04d} Co., Ltd.",
                    "kind": "company",
                    "watched": i < 50,
                    "country": "CN",
                }
                for i in range(entities)
            ],
        )
        conn.execute(
            insert(Alias), [{"entity_id": i + 1, "alias": f"SynCo {i:04d}", "kind": "short"} for i in range(entities)]
        )
        conn.execute(
            insert(Document),
            [
                {
                    "id": i + 1,
                    "source_id": rng.randint(1, 4),
                    "external_id": f"doc-{i}",
                    "url": f"https://example.org/{i}",
                    "title": f"Document {i}",
                    "doc_type": "Article",
                    "publication_date": START + timedelta(days=rng.randrange(span)),
                    "fetched_at": now,
                    "content_type": "text/plain",
                    "raw": b"synthetic text " * 20,
                    "meta": {},
                    "content_hash": f"{i:064x}",
                    "version": 1,
                    "language": rng.choice(["en", "de"]),
                    "status": rng.choice(["processed"] * 20 + ["failed", "quarantined"]),
                    "attempts": 0,
                }
                for i in range(documents)
            ],
        )
        batch = []
        for i in range(mentions):
            document_id = rng.randint(1, documents)
            batch.append(
                {
                    "document_id": document_id,
                    "entity_id": rng.randint(1, entities),
                    "start": i,
                    "end": i + 5,
                    "text": "SynCo",
                    "label": "ORG",
                    "sentence": "SynCo was named in a synthetic sentence.",
                    "method": "ruler",
                    "score": 1.0,
                    "day": START + timedelta(days=rng.randrange(span)),
                }
            )
            if len(batch) == 50_000:
                conn.execute(insert(Mention), batch)
                batch = []
        if batch:
            conn.execute(insert(Mention), batch)
        conn.execute(
            insert(ListingEvent),
            [
                {
                    "entity_id": e + 1,
                    "list_name": "1260H",
                    "status": status,
                    "official": True,
                    "date_kind": "list_date",
                    "effective_date": START + timedelta(days=rng.randrange(span)),
                    "evidence_document_id": rng.randint(1, documents),
                    "created_at": now,
                }
                for e in range(entities)
                for status in ("designated",) + (("removed",) if e % 5 == 0 else ())
            ],
        )
        days = [START + timedelta(days=d) for d in range(span + 1)]
        for entity_id in range(1, entities + 1):
            conn.execute(
                ExposureScore.__table__.insert(),
                [
                    {
                        "entity_id": entity_id,
                        "day": day,
                        "score": 60.0 + (d % 40),
                        **{name: (60.0 + (d % 40) if name == "listing" else 0.0) for name in SCORE_COMPONENTS},
                    }
                    for d, day in enumerate(days)
                ],
            )
        conn.execute(
            insert(Alert),
            [
                {
                    "idempotency_key": f"k{i}",
                    "kind": "listing",
                    "status": "sent",
                    "attempts": 1,
                    "entity_name": f"Entity {i}",
                    "payload": {},
                    "created_at": now,
                }
                for i in range(2000)
            ],
        )


def timed(function) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the scale")
    options = parser.parse_args(argv)
    scale = 10 if options.quick else 1
    with scratch_settings() as settings:
        engine = ready_engine(settings.resolved_database_url)
        start = time.perf_counter()
        generate(
            engine,
            entities=1000 // scale,
            documents=100_000 // scale,
            mentions=1_000_000 // scale,
            rng=random.Random(1260),
        )
        print(f"generated the database in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        with Session(engine) as session:
            day = queries.as_of(session)
            entity_id = 7
            document_id = session.exec(select(Document.id).limit(1)).one()
            pages = {
                "overview": {
                    "as_of": timed(lambda: queries.as_of(session)),
                    "leaderboard": timed(lambda: queries.leaderboard(session, on=day, limit=200)),
                    "score_history": timed(
                        lambda: queries.score_history(
                            session, entity_ids=[1, 2, 3], start=day - timedelta(days=5 * 366)
                        )
                    ),
                    "event_markers": timed(lambda: queries.event_markers(session, entity_ids=[1, 2, 3])),
                    "recent_events": timed(lambda: queries.recent_events(session, limit=50)),
                    "latest_documents": timed(lambda: queries.latest_documents(session, limit=20)),
                },
                "company": {
                    "entity_choices": timed(lambda: queries.entity_choices(session)),
                    "profile": timed(lambda: queries.entity_profile(session, entity_id=entity_id)),
                    "history": timed(lambda: queries.entity_listing(session, entity_id=entity_id, on=day)),
                    "component_history": timed(lambda: queries.component_history(session, entity_id=entity_id)),
                    "events": timed(lambda: queries.entity_events(session, entity_id=entity_id)),
                    "mentions": timed(lambda: queries.entity_mentions(session, entity_id=entity_id)),
                },
                "documents": {
                    "facets": timed(lambda: queries.document_facets(session)),
                    "documents": timed(lambda: queries.documents(session, statuses=["failed", "quarantined"])),
                    "detail": timed(lambda: queries.document_detail(session, document_id=document_id)),
                },
                "alerts": {
                    "alert_log": timed(lambda: queries.alert_log(session, limit=500)),
                    "watchlist": timed(lambda: queries.watchlist(session)),
                },
            }
        engine.dispose()
    for page, figures in pages.items():
        print(f"{page}: {figures}", file=sys.stderr)
    slowest = max((ms, f"{page}.{name}") for page, figures in pages.items() for name, ms in figures.items())
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "quick": options.quick,
                "max_ms": slowest[0],
                "slowest": slowest[1],
                "pages": pages,
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

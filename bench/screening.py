"""Screening benchmark: 10,000 counterparties against every list record (~15,000 names and aliases).

    python -m bench.screening [--quick]

The list names are those of a 15,000-record Consolidated Screening List built like bench.lists's; the
counterparties are a mix of exact list names, misspelt ones and unrelated names (seeded). Measured,
best of 3: ``scoring.screening.screen`` end to end on a SQLite database holding those records and 250
companies with aliases (name resolution against the companies, status lines, exposure, and every list hit:
normalisation, exact lookups, blocked fuzzy matching), and ``ListIndex.screen`` alone, against the
baseline of rapidfuzz's raw ``process.cdist`` of the same normalised names against the list names with
the same scorer and cut-off, all cores, in the same run. Goal: < 5 s end to end. Ends stdout with one
JSON line: {"bench": "screening", "ratio": screen_s / cdist_s, ...}.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
from datetime import date

import numpy as np
from rapidfuzz import fuzz, process

from bench.common import scratch_settings
from bench.lists import best, downloads
from core.normalize import normalize_name
from nlp.official.csl import parse_csl
from scoring.list_screening import DEFAULT_LIST_THRESHOLD, ListIndex


def counterparties(names: list[str], count: int, rng: random.Random) -> list[str]:
    out = []
    for number in range(count):
        kind = rng.random()
        if kind < 0.2:
            out.append(rng.choice(names))
        elif kind < 0.4:
            name = list(rng.choice(names))
            position = rng.randrange(len(name))
            name[position] = "x"
            out.append("".join(name))
        else:
            out.append(f"Counterparty {number} Industrial Supplies GmbH")
    return out


def end_to_end(settings, snapshot, inputs: list[str], repeat: int) -> tuple[float, list]:
    """``screen()`` over a database with the snapshot's records and 250 companies (best of ``repeat``)."""
    from sqlmodel import Session

    from db.engine import init_db, make_engine
    from db.models import Alias, Document, Entity, ListRecord, Source
    from scoring.screening import screen

    engine = make_engine(settings.resolved_database_url)
    init_db(engine)
    with Session(engine) as session:
        source = Source(name="csl", kind="screening_list")
        session.add(source)
        session.flush()
        document = Document(source_id=source.id, external_id="consolidated.json", content_hash="bench")
        session.add(document)
        session.flush()
        for number in range(250):
            entity = Entity(name=f"Benchmark Holdings {number} Co., Ltd.")
            session.add(entity)
            session.flush()
            session.add(Alias(entity_id=entity.id, alias=f"Bench {number}", kind="short"))
        session.connection().execute(
            ListRecord.__table__.insert(),
            [
                {
                    "source": "csl", "list_name": r.list_name, "record_id": r.record_id, "name": r.name,
                    "alt_names": r.alt_names, "countries": r.countries, "programs": r.programs,
                    "party_type": r.party_type, "listed_on": r.start_date, "record_hash": r.record_hash,
                    "record": {}, "dates": {}, "candidates": [], "date_kind": "start_date", "present": True,
                    "first_seen_document_id": document.id, "last_seen_document_id": document.id,
                    "linked_against": "",
                }
                for r in snapshot.records
            ],
        )  # fmt: skip
        session.commit()
        rows = [{"name": name, "country": None} for name in inputs]
        results = []
        seconds = best(lambda: results.append(screen(session, rows, on=date(2026, 12, 2))), repeat)
    engine.dispose()
    return seconds, [r.hits for r in results[-1]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,000 counterparties against 1,500 records")
    args = parser.parse_args()
    # about 11,500 records carry about 15,000 names and aliases
    records, count, repeat = (1500, 1000, 1) if args.quick else (11500, 10000, 3)
    _, later = downloads(records)
    snapshot = parse_csl(later, downloaded=date(2026, 12, 2))
    rows = [
        (i, r.list_name, r.name, r.alt_names, r.record_id, r.party_type, r.start_date, None)
        for i, r in enumerate(snapshot.records)
    ]
    index = ListIndex(rows)
    rng = random.Random(10)
    inputs = counterparties([r.name for r in snapshot.records], count, rng)
    print(f"{count:,} counterparties against {len(index):,} list names and aliases", file=sys.stderr)
    keys = index.keys

    def raw():
        process.cdist(
            [normalize_name(n) for n in inputs],
            keys,
            scorer=fuzz.ratio,
            score_cutoff=DEFAULT_LIST_THRESHOLD,
            dtype=np.uint8,
            workers=-1,
        )

    baseline = best(raw, repeat)
    index_s = best(lambda: index.screen(inputs), repeat)
    with scratch_settings() as settings:
        screen_s, hits = end_to_end(settings, snapshot, inputs, repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "bench": "screening",
        "counterparties": count,
        "list_names": len(index),
        "ratio": round(screen_s / baseline, 2),
        "cdist_s": round(baseline, 3),
        "screen_s": round(screen_s, 3),
        "list_index_s": round(index_s, 3),
        "with_hits": sum(1 for h in hits if h),
        "hits": sum(len(h) for h in hits),
        "peak_rss_mb": round(peak_mb),
        "goal": "< 5 s end to end",
        "met": screen_s < 5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Screening benchmark: 10,000 counterparties against every list record (~15,000 names and aliases).

    python -m bench.screening [--quick]

The list names are those of a 15,000-record Consolidated Screening List built like bench.lists's; the
counterparties are a mix of exact list names, misspelt ones and unrelated names (seeded). Measured,
best of 3: riskwatch's ``ListIndex.screen`` end to end (normalisation, exact lookups, blocked fuzzy
matching, hits built) against the baseline of rapidfuzz's raw ``process.cdist`` of the same normalised
names with the same scorer and cut-off, all cores, in the same run. Goal: < 5 s. Ends stdout with one
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
    screen_s = best(lambda: index.screen(inputs), repeat)
    hits = index.screen(inputs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "bench": "screening",
        "counterparties": count,
        "list_names": len(index),
        "ratio": round(screen_s / baseline, 2),
        "cdist_s": round(baseline, 3),
        "screen_s": round(screen_s, 3),
        "with_hits": sum(1 for h in hits if h),
        "hits": sum(len(h) for h in hits),
        "peak_rss_mb": round(peak_mb),
        "goal": "< 5 s end to end",
        "met": screen_s < 5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

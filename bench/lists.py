"""Consolidated Screening List benchmark: parse and diff of a 15,000-record download.

    python -m bench.lists [--quick]

Two downloads are generated with the offline replay's generator (jobs/replay_csl.py: the cited real
records plus marked synthetic volume, scaled to 15,000 records): an earlier one and a later one in which
about 1% of the records were removed, 1% added and 1% changed. Measured, best of 3: ``json.loads`` of the
later download (the baseline: the least any reader must do), riskwatch's strict ``parse_csl`` of it, and
``diff`` against the earlier one. Goal: parse + diff < 5 s on 2 cores, peak memory < 500 MB. Ends stdout
with one JSON line: {"bench": "lists", "ratio": (parse + diff) / json.loads, ...}.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from datetime import date

from core.normalize import printed_key
from nlp.official.csl import diff, parse_csl


def downloads(records: int, seed: int = 15) -> tuple[bytes, bytes]:
    """An earlier and a later download of ``records`` records each (about 1% churn of each kind)."""
    from jobs import replay_csl

    base, _ = replay_csl.consolidated(str(replay_csl.DATA_DIR / "snapshot"), date(2026, 12, 1))
    template = json.loads(base)["results"]
    rng = random.Random(seed)
    results = []
    while len(results) < records:
        for record in template:
            copy = dict(record, id=f"{record['id']}-{len(results)}", name=f"{record['name']} {len(results)}")
            results.append(copy)
            if len(results) == records:
                break
    later = [dict(r) for r in results]
    churn = max(1, records // 100)
    for index in rng.sample(range(records), churn):
        later[index]["programs"] = ["CHANGED"]
    removed = set(rng.sample(range(records), churn))
    later = [r for i, r in enumerate(later) if i not in removed]
    later += [dict(results[i], id=f"new-{i}", name=f"New Party {i} Co., Ltd.") for i in range(churn)]
    dump = lambda rs: json.dumps({"total": len(rs), "results": rs}, separators=(",", ":")).encode()  # noqa: E731
    return dump(results), dump(later)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1,500 records, one repeat")
    args = parser.parse_args()
    records, repeat = (1500, 1) if args.quick else (15000, 3)
    earlier, later = downloads(records)
    print(f"downloads: {len(earlier):,} and {len(later):,} bytes, {records:,} records each", file=sys.stderr)
    before = parse_csl(earlier, downloaded=date(2026, 12, 1))
    previous = {r.key: (r.record_hash, printed_key(r.name)) for r in before.records}
    baseline = best(lambda: json.loads(later), repeat)
    parse_s = best(lambda: parse_csl(later, downloaded=date(2026, 12, 2)), repeat)
    snapshot = parse_csl(later, downloaded=date(2026, 12, 2))
    diff_s = best(lambda: diff(previous, snapshot), repeat)
    changes = diff(previous, snapshot)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "bench": "lists",
        "records": records,
        "ratio": round((parse_s + diff_s) / baseline, 2),
        "json_loads_s": round(baseline, 3),
        "parse_s": round(parse_s, 3),
        "diff_s": round(diff_s, 3),
        "parse_and_diff_s": round(parse_s + diff_s, 3),
        "added": len(changes.added),
        "removed": len(changes.removed),
        "changed": len(changes.changed),
        "peak_rss_mb": round(peak_mb),
        "goal": "parse + diff < 5 s, peak < 500 MB",
        "met": parse_s + diff_s < 5 and peak_mb < 500,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

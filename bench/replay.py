"""Full offline replay benchmark: fresh database, crawl + process + score of the bundled snapshot.

    python -m bench.replay [--quick]

Prints progress to stderr and ends stdout with one JSON line:
{"bench": "replay", "seconds": ..., "peak_mb": ..., "crawl_s": ..., "process_s": ..., "score_s": ...}
peak_mb is the larger of this process's and the crawl subprocess's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date

from bench.common import scratch_settings
from jobs.steps import crawl, process, score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="replay only up to 2024-12-31")
    options = parser.parse_args(argv)

    with scratch_settings() as settings:
        as_of = date(2024, 12, 31) if options.quick else None
        timings = {}
        start = time.perf_counter()
        runs = crawl(settings, as_of=as_of)
        timings["crawl_s"] = time.perf_counter() - start
        print(f"crawl: {[(r.source, r.status, r.new) for r in runs]} in {timings['crawl_s']:.2f}s", file=sys.stderr)
        t = time.perf_counter()
        stats = process(settings)
        timings["process_s"] = time.perf_counter() - t
        print(f"process: {stats.processed} documents in {timings['process_s']:.2f}s", file=sys.stderr)
        t = time.perf_counter()
        scored = score(settings, through=as_of)
        timings["score_s"] = time.perf_counter() - t
        print(f"score: {scored.rows_written} rows in {timings['score_s']:.2f}s", file=sys.stderr)
        seconds = time.perf_counter() - start

    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {"bench": "replay", "quick": options.quick, "seconds": round(seconds, 2),
              "peak_mb": round(max(self_kb, child_kb) / 1024, 1),
              **{k: round(v, 2) for k, v in timings.items()}}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

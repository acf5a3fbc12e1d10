"""Full offline replay benchmark: fresh database, crawl + process + score of the bundled snapshot.

    python -m bench.replay [--quick] [--news-factor N]
    python -m bench.replay [--quick] --scale [K] [--repeat R]

One run replays the snapshot into a fresh SQLite database. With --news-factor N the
snapshot is copied and the news feeds get (N-1)x as many synthetic articles as the real
ones in the news window (bench/synthetic_news.py), so the same history carries N times
the news volume. --scale runs factor 1 and then factor K (default 10; 2 with --quick),
each in its own process so that each peak RSS is its own, and reports how cost grows.
--repeat R alternates the pair R times and keeps each factor's fastest run (timings on a
shared machine are noisy). --quick replays only up to 2024-12-31.

Prints progress to stderr and ends stdout with one JSON line:
{"bench": "replay", "seconds": ..., "peak_mb": ..., "crawl_s": ..., "process_s": ..., "score_s": ...,
 "news_factor": N, "articles": ..., "documents": ..., "seconds_per_article": ...}
and with --scale, for factor 1, plus "news_factor_K": {"seconds", "peak_mb", "articles",
"seconds_per_article", ...}, "growth" (seconds at K / seconds at 1), "article_growth" and
"marginal_s_per_article" ((seconds at K - seconds at 1) / extra articles).
peak_mb is the larger of the run's process's and its crawl subprocess's peak RSS (also given
separately as peak_self_mb and peak_crawl_mb).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import select

from bench.common import scratch_settings
from bench.synthetic_news import SnapshotInfo, build_snapshot
from db.engine import redact_url, session_scope
from db.models import Document
from core.settings import PROJECT_ROOT, get_settings
from jobs.steps import crawl, process, score

QUICK_AS_OF = date(2024, 12, 31)


@contextmanager
def news_snapshot(factor: int, as_of: date | None) -> Iterator[SnapshotInfo | None]:
    """With factor > 1: RISKWATCH_SNAPSHOT_DIR points at a scaled copy of the snapshot."""
    if factor == 1:
        yield None
        return
    base = get_settings()
    saved = os.environ.get("RISKWATCH_SNAPSHOT_DIR")
    with tempfile.TemporaryDirectory(prefix="riskwatch-bench-snapshot-") as tmp:
        info = build_snapshot(
            base.snapshot_dir, Path(tmp) / "snapshot", factor, as_of=as_of, watchlist=base.watchlist_path
        )
        os.environ["RISKWATCH_SNAPSHOT_DIR"] = str(info.root)
        get_settings.cache_clear()
        try:
            yield info
        finally:
            if saved is None:
                os.environ.pop("RISKWATCH_SNAPSHOT_DIR", None)
            else:
                os.environ["RISKWATCH_SNAPSHOT_DIR"] = saved
            get_settings.cache_clear()


def article_counts(database_url: str) -> dict[str, int]:
    """News articles in the database by status."""
    with session_scope(url=database_url) as session:
        rows = session.exec(
            select(Document.status, func.count()).where(Document.doc_type == "Article").group_by(Document.status)
        ).all()
    return dict(rows)


def _peak_mb() -> str:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return f"peak RSS so far {self_kb / 1024:.0f} MB (crawl subprocess {child_kb / 1024:.0f} MB)"


def run_once(factor: int, quick: bool, database_url: str | None = None) -> dict:
    """One replay in this process; the result dict of the JSON line."""
    as_of = QUICK_AS_OF if quick else None
    with news_snapshot(factor, as_of) as info:
        if info is not None:
            print(
                f"news x{factor}: {info.real_articles} real + {info.synthetic_articles} synthetic articles "
                f"in {info.root}",
                file=sys.stderr,
            )
        with scratch_settings(database_url) as settings:
            timings = {}
            start = time.perf_counter()
            runs = crawl(settings, as_of=as_of)
            timings["crawl_s"] = time.perf_counter() - start
            print(
                f"crawl: {[(r.source, r.status, r.new) for r in runs]} in {timings['crawl_s']:.2f}s; {_peak_mb()}",
                file=sys.stderr,
            )
            t = time.perf_counter()
            stats = process(settings)
            timings["process_s"] = time.perf_counter() - t
            print(
                f"process: {stats.processed} documents ({dict(stats.by_language)} prose by language, "
                f"{stats.failed} failed) in {timings['process_s']:.2f}s; "
                f"{_peak_mb()}",
                file=sys.stderr,
            )
            t = time.perf_counter()
            scored = score(settings, through=as_of)
            timings["score_s"] = time.perf_counter() - t
            print(f"score: {scored.rows_written} rows in {timings['score_s']:.2f}s; {_peak_mb()}", file=sys.stderr)
            seconds = time.perf_counter() - start
            articles = article_counts(settings.resolved_database_url)
    processed_articles = articles.get("processed", 0)
    print(f"news articles in the database: {articles}", file=sys.stderr)
    if info is not None and processed_articles != info.real_articles + info.synthetic_articles:
        print(
            f"warning: expected {info.real_articles + info.synthetic_articles} processed articles, "
            f"got {processed_articles}",
            file=sys.stderr,
        )

    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "bench": "replay",
        "quick": quick,
        "seconds": round(seconds, 2),
        "peak_mb": round(max(self_kb, child_kb) / 1024, 1),
        **{k: round(v, 2) for k, v in timings.items()},
        "peak_self_mb": round(self_kb / 1024, 1),
        "peak_crawl_mb": round(child_kb / 1024, 1),
        "backend": make_url(settings.resolved_database_url).get_backend_name(),
        "news_factor": factor,
        "articles": processed_articles,
        "documents": stats.processed,
        "failed": stats.failed,
        "mentions": stats.mentions,
        "events": stats.events,
        "score_rows": scored.rows_written,
        "seconds_per_article": round(seconds / processed_articles, 4) if processed_articles else None,
    }


def run_child(factor: int, quick: bool, database_url: str | None = None) -> dict:
    """One replay in a fresh process (its own peak RSS); its stderr passes through."""
    command = [sys.executable, "-m", "bench.replay", "--news-factor", str(factor)] + (["--quick"] if quick else [])
    shown = " ".join(command[1:]) + (f" --database-url {redact_url(database_url)}" if database_url else "")
    # the URL (it may hold a password) goes by environment, never on a command line `ps` shows
    env = {**os.environ, **({"RISKWATCH_BENCH_DATABASE_URL": database_url} if database_url else {})}
    print(f"== replay with news factor {factor}: {shown}", file=sys.stderr, flush=True)
    completed = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, env=env)
    if completed.returncode != 0:
        raise SystemExit(f"replay with news factor {factor} failed (exit {completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def scale(factor: int, quick: bool, repeat: int = 1, database_url: str | None = None) -> dict:
    """Factor 1 and factor ``factor``, alternating ``repeat`` times; the fastest run of each counts."""
    bases, scaleds = [], []
    for _ in range(repeat):
        bases.append(run_child(1, quick, database_url))
        scaleds.append(run_child(factor, quick, database_url))
    base = min(bases, key=lambda r: r["seconds"])
    scaled = min(scaleds, key=lambda r: r["seconds"])
    keep = (
        "seconds",
        "peak_mb",
        "articles",
        "seconds_per_article",
        "documents",
        "crawl_s",
        "process_s",
        "score_s",
        "peak_self_mb",
        "peak_crawl_mb",
        "mentions",
        "events",
        "score_rows",
    )
    extra = scaled["articles"] - base["articles"]
    return {
        **base,
        f"news_factor_{factor}": {k: scaled[k] for k in keep},
        "growth": round(scaled["seconds"] / base["seconds"], 2),
        "article_growth": round(scaled["articles"] / base["articles"], 2) if base["articles"] else None,
        "marginal_s_per_article": round((scaled["seconds"] - base["seconds"]) / extra, 4) if extra else None,
        **(
            {
                "repeat": repeat,
                "all_seconds": [r["seconds"] for r in bases],
                f"all_seconds_{factor}": [r["seconds"] for r in scaleds],
            }
            if repeat > 1
            else {}
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="replay only up to 2024-12-31")
    parser.add_argument(
        "--news-factor",
        type=int,
        default=1,
        metavar="N",
        help="replay with N times the news volume (synthetic articles; default 1)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        nargs="?",
        const=0,
        default=None,
        metavar="K",
        help="run factor 1, then factor K (default 10, or 2 with --quick), and compare",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="R",
        help="with --scale: alternate the two runs R times and keep each one's fastest",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=os.environ.get("RISKWATCH_BENCH_DATABASE_URL"),
        help="replay into this database (e.g. PostgreSQL) instead of a fresh SQLite file; "
        "EVERY riskwatch table in it is dropped first (or RISKWATCH_BENCH_DATABASE_URL)",
    )
    options = parser.parse_args(argv)
    if options.news_factor < 1:
        parser.error("--news-factor must be at least 1")
    if options.scale not in (None, 0) and options.scale < 2:
        parser.error("--scale K needs K >= 2")
    if options.scale is not None:
        result = scale(
            options.scale or (2 if options.quick else 10), options.quick, max(1, options.repeat), options.database_url
        )
    else:
        result = run_once(options.news_factor, options.quick, options.database_url)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

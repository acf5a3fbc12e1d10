"""Crawl benchmark: a first full offline crawl against an immediate no-change re-crawl, and
riskwatch's crawl throughput against Scrapy's own on the same local replay server.

    python -m bench.crawl [--quick]

Ends stdout with one JSON line: {"bench": "crawl", "ratio": second_s / first_s, ...}.
The throughput baseline is one Scrapy process with a bare spider (no pipelines, no
parsing) fetching as many URLs from the same replay server as riskwatch's crawl requested
(riskwatch also runs all sources in one Scrapy process), so process start-up counts on
both sides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time

from bench.common import scratch_settings
from core.settings import DATA_DIR, PROJECT_ROOT
from jobs.replay import ReplayServer
from jobs.steps import crawl

BASELINE_SPIDER = textwrap.dedent("""
    import json, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(sys.argv[1])

    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):
            for url in urls:
                yield scrapy.Request(url, dont_filter=True, callback=self.parse)
        def parse(self, response):
            pass

    process = CrawlerProcess({"LOG_ENABLED": False, "CONCURRENT_REQUESTS": 8, "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
                              "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
                              "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"})
    process.crawl(Bare)
    process.start()
""")


def sample_urls(replay) -> list[str]:
    """Documents the replay server serves: full texts, release pages, list PDFs, articles."""
    snap = replay.snapshot
    urls = [replay.localise(doc["body_html_url"]) for doc in snap.documents.values() if doc.get("body_html_url")]
    urls += [replay.localise(r["link"]) for r in snap.dod["releases"]]
    urls += [replay.localise(r["pdf"]) for r in snap.dod["releases"] if r.get("pdf")]
    urls += [replay.localise(a["url"]) for a in snap.news["articles"]]
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the Federal Register source only")
    options = parser.parse_args(argv)

    with scratch_settings() as settings:
        only = "federal_register" if options.quick else None
        start = time.perf_counter()
        first = crawl(settings, only=only)
        first_s = time.perf_counter() - start
        print(f"first crawl: {first_s:.2f}s, {[(r.source, r.requests, r.new) for r in first]}", file=sys.stderr)
        start = time.perf_counter()
        second = crawl(settings, only=only)
        second_s = time.perf_counter() - start
        print(
            f"re-crawl: {second_s:.2f}s, {[(r.source, r.requests, r.new, r.changed) for r in second]}", file=sys.stderr
        )

        with ReplayServer(DATA_DIR / "snapshot") as replay:
            urls = sample_urls(replay)
            wanted = [urls[i % len(urls)] for i in range(sum(r.requests for r in first))]
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", BASELINE_SPIDER, json.dumps(wanted)],
                cwd=PROJECT_ROOT,
                check=True,
                capture_output=True,
            )
            baseline_s = time.perf_counter() - start
        print(f"bare Scrapy, same request counts: {baseline_s:.2f}s", file=sys.stderr)

    first_requests = sum(r.requests for r in first)
    result = {
        "bench": "crawl",
        "quick": options.quick,
        "ratio": round(second_s / first_s, 3),
        "first_s": round(first_s, 2),
        "second_s": round(second_s, 2),
        "first_requests": first_requests,
        "second_requests": sum(r.requests for r in second),
        "second_new_or_changed": sum(r.new + r.changed for r in second),
        "pages_per_s": round(first_requests / first_s, 1),
        "baseline_pages_per_s": round(first_requests / baseline_s, 1),
        "throughput_ratio": round(baseline_s / first_s, 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run spiders in this process, concurrently in one reactor. The CLI starts this module as
a subprocess, because Twisted's reactor cannot be restarted within one process.

    python -m crawler.run JOBS_JSON_FILE

JOBS_JSON_FILE holds {"settings": {...common Scrapy settings...}, "jobs": [{"spider": name,
"run_id": id, "args": {...}, "settings": {...}}]}; each job's crawler gets its own settings.
Prints one JSON line per job to stdout: {"run_id", "finish_reason", "errors"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from core import redact
from core.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    base = Settings()
    base.setmodule("crawler.settings", priority="project")
    base.setdict(spec.get("settings", {}), priority="cmdline")
    redact.install(get_settings())  # every record, also through the handlers Scrapy creates per crawler
    process = CrawlerProcess(base)
    loader = SpiderLoader.from_settings(base)
    crawlers = []
    for job in spec["jobs"]:
        crawler = process.create_crawler(loader.load(job["spider"]))  # the crawler has its own settings copy
        crawler.settings.setdict(job.get("settings", {}), priority="cmdline")
        crawler.settings.set("RISKWATCH_CRAWL_RUN_ID", job["run_id"], priority="cmdline")
        process.crawl(crawler, **job.get("args", {}))
        crawlers.append((job, crawler))
    process.start()
    ok = True
    for job, crawler in crawlers:
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        errors = crawler.stats.get_value("log_count/ERROR", 0) if crawler.stats else None
        print(json.dumps({"run_id": job["run_id"], "finish_reason": reason, "errors": errors}))
        ok = ok and reason == "finished"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Run one spider in this process (the CLI starts this module as a subprocess,
because Twisted's reactor cannot be restarted within one process)."""

from __future__ import annotations

import argparse
import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spider")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--args", default="{}", help="spider arguments as JSON")
    parser.add_argument("--settings", default="{}", help="Scrapy setting overrides as JSON")
    options = parser.parse_args(argv)

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(json.loads(options.settings), priority="cmdline")
    settings.set("RISKWATCH_DATABASE_URL", options.database_url, priority="cmdline")
    settings.set("RISKWATCH_CRAWL_RUN_ID", options.run_id, priority="cmdline")

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(options.spider)
    process.crawl(crawler, **json.loads(options.args))
    process.start()
    finish_reason = crawler.stats.get_value("finish_reason")
    errors = crawler.stats.get_value("log_count/ERROR", 0)
    print(json.dumps({"finish_reason": finish_reason, "errors": errors}), file=sys.stderr)
    return 0 if finish_reason == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())

"""Item pipelines: store what spiders yield through db/, count outcomes per crawl run."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from crawler import blocking
from crawler.items import DeskStatusItem, DocumentItem, FailureItem
from db import queries
from db.engine import ready_engine

log = logging.getLogger(__name__)


def _parse_date(value: str | None) -> date | None:
    """Best effort, for failure records: ISO or None."""
    try:
        return publication_date(value)
    except ValueError:
        return None


def publication_date(value: str | None) -> date | None:
    """A source's publication date: ISO (``2026-06-10``, ``2026-06-10T09:00:00-04:00``), else the
    English/German formats the NLP reads (``June 10, 2026``, ``10. Juni 2026``). Anything else is
    a ValueError naming the value: the document is kept as failed with that reason, never dated
    wrongly or silently undated."""
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        pass
    from core.dates import find_dates

    found = find_dates(value[:200])
    if len(found) != 1:
        raise ValueError(f"unknown publication date format: {value[:80]!r}")
    return found[0]


class StoragePipeline:
    """Writes items to the database with dedup by content hash; records run counts."""

    def __init__(self, crawler, database_url: str | None, run_id: int | None, source_kind: str | None):
        self.crawler = crawler
        self.database_url = database_url
        self.run_id = run_id
        self.source_kind = source_kind
        self.outcomes: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            crawler,
            crawler.settings.get("RISKWATCH_DATABASE_URL"),
            crawler.settings.getint("RISKWATCH_CRAWL_RUN_ID") or None,
            crawler.settings.get("RISKWATCH_SOURCE_KIND"),
        )

    def open_spider(self) -> None:
        self.engine = ready_engine(self.database_url)
        self.session = Session(self.engine)

    def close_spider(self) -> None:
        stats = self.crawler.stats
        if self.run_id:
            # "blocked" / "unreachable" when the spider met a refusing or silent source (crawler.blocking)
            status, reason = blocking.run_status(stats)
            queries.finish_crawl_run(
                self.session,
                run_id=self.run_id,
                status=status,
                error=reason,
                counts={
                    "requests": stats.get_value("downloader/request_count", 0),
                    "new": self.outcomes["new"],
                    "changed": self.outcomes["changed"],
                    # 304 Not Modified answers to conditional requests are unchanged documents too
                    "unchanged": self.outcomes["unchanged"]
                    + stats.get_value("downloader/response_status_count/304", 0),
                    "failed": self.outcomes["failed"],
                },
            )
        log.info("crawl outcomes: %s", dict(self.outcomes))
        self.session.close()
        self.engine.dispose()

    def _source(self, name: str):
        return queries.get_or_create_source(self.session, name=name, kind=self.source_kind or name)

    def process_item(self, item):
        try:
            return self._store(item)
        except SQLAlchemyError as exc:
            # One item that cannot be stored must not poison the session for the rest of the crawl.
            self.session.rollback()
            self.outcomes["failed"] += 1
            log.error("%s %s could not be stored: %s", item.source, item.external_id, exc.__class__.__name__)
            log.debug("storage error", exc_info=True)
            return item

    def _store(self, item):
        if isinstance(item, DocumentItem):
            try:
                published = publication_date(item.publication_date)
            except ValueError as exc:
                item = FailureItem(
                    source=item.source,
                    external_id=item.external_id,
                    url=item.url,
                    reason=str(exc),
                    body=item.body,
                    meta=item.meta,
                    publication_date=None,
                )
                return self._store(item)
            _, outcome = queries.store_document(
                self.session,
                source=self._source(item.source),
                external_id=item.external_id,
                raw=item.body,
                url=item.url,
                title=item.title,
                doc_type=item.doc_type,
                publication_date=published,
                content_type=item.content_type,
                meta=item.meta,
                language=item.language,
            )
            self.outcomes[outcome] += 1
            log.debug("%s %s: %s", item.source, item.external_id, outcome)
        elif isinstance(item, DeskStatusItem):
            outcome = queries.record_desk_status(
                self.session,
                source=self._source(item.source),
                external_id=item.external_id,
                status=item.status,
                last_seen_on=item.last_seen_on,
                resolved_on=item.resolved_on,
                evidence=item.evidence,
            )
            self.outcomes[outcome] += 1
            log.info(
                "%s %s left public inspection: %s (last seen %s)",
                item.source,
                item.external_id,
                item.status,
                item.last_seen_on,
            )
        elif isinstance(item, FailureItem):
            queries.record_failed_document(
                self.session,
                source=self._source(item.source),
                external_id=item.external_id,
                reason=item.reason,
                url=item.url,
                raw=item.body,
                meta=item.meta,
                publication_date=_parse_date(item.publication_date),
            )
            self.outcomes["failed"] += 1
            log.error("%s %s failed: %s", item.source, item.external_id, item.reason)
        return item

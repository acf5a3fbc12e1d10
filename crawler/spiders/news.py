"""News (secondary signals): GDELT searches, publishers' RSS and Atom feeds, Google News searches.

Which sources is configuration (data/sources.toml), not code. Each configured feed has a kind:

- ``gdelt``: a GDELT DOC 2.0 query (crawler/spiders/gdelt.py); its article links lead anywhere.
  At most one request per 5 s reaches api.gdeltproject.org (a download slot of its own);
  a throttle notice or query error is a recorded failure, retried by the next run.
- ``feed``: an RSS 2.0 / RSS 1.0 or Atom feed (crawler/spiders/feeds.py); optional ``keywords``
  keep only entries whose title or summary name one of them (a general publisher feed).
- ``google_news``: a Google News RSS search; its item links are opaque redirect pages and
  are never followed: the item itself (headline, outlet, date, description) is the document.

Every feed has an ``article_domains`` policy ("any", or a list of domains with their
subdomains; unset: the feed's own host). A link outside it is refused and recorded as a
failed document with the reason, never dropped silently. Article pages are kept raw; their
text is extracted in processing (trafilatura).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import scrapy

from crawler.items import DocumentItem
from crawler.spiders import gdelt
from crawler.spiders.feeds import (
    FeedError,
    article_policy,
    describe_policy,
    google_news_text,
    google_news_title,
    matches_keywords,
    parse_feed,
    policy_allows,
)
from crawler.spiders.common import UrlMapMixin, describe_failure, failure_item, unusable_link
from db import queries
from core.vocabulary import DocType

log = logging.getLogger(__name__)

FEED_KINDS = ("gdelt", "feed", "google_news")


class NewsSpider(UrlMapMixin, scrapy.Spider):
    name = "news"
    source = "news"
    # GDELT's rule, for the live API only (the offline replay is another host).
    custom_settings = {
        "DOWNLOAD_SLOTS": {gdelt.HOST: {"delay": gdelt.REQUEST_INTERVAL_S, "concurrency": 1, "randomize_delay": False}}
    }

    @classmethod
    def arguments(cls, session, source, *, base: str, as_of, localise) -> dict[str, str]:
        """This spider's ``-a`` arguments: each enabled feed's whole entry (kind, query, article_domains,
        keywords...) and the window."""
        feeds = [{**f, "url": localise(f["url"])} for f in source.args["feeds"] if f.get("enabled", True)]
        since = queries.crawl_window_start(
            session, source_name=source.name, first_date=source.first_date, overlap_days=source.overlap_days
        )
        return {"feeds": json.dumps(feeds), "since": since.isoformat()}

    def __init__(self, feeds: str, since: str | None = None, allowed: str = "", url_map: str = "[]", **kwargs):
        super().__init__(**kwargs)
        # [{"kind", "url", "language", "article_domains", "query" (gdelt), "keywords" (feed), "enabled"}]
        self.feeds = [feed for feed in json.loads(feeds) if feed.get("enabled", True)]
        self.since = date.fromisoformat(since) if since else None
        self.setup_urls(self.feeds[0]["url"] if self.feeds else "", allowed, url_map)
        self.policies = {}
        for feed in self.feeds:  # a configuration mistake stops the crawl before any request
            kind = feed.get("kind", "feed")
            if kind not in FEED_KINDS:
                raise ValueError(f"news feed {feed.get('url')!r}: unknown kind {kind!r} (one of {FEED_KINDS})")
            if kind == "gdelt" and not str(feed.get("query", "")).strip():
                raise ValueError(f"news feed {feed.get('url')!r}: a gdelt feed needs a query")
            self.policies[self.feed_key(feed)] = article_policy(
                feed.get("article_domains"), self.canonical(feed["url"])
            )

    @staticmethod
    def feed_key(feed: dict) -> str:
        return f"{feed['url']}|{feed.get('query', '')}"

    def policy_of(self, feed: dict):
        key = self.feed_key(feed)
        if key not in self.policies:  # a feed handed to parse_feed directly (tests)
            self.policies[key] = article_policy(feed.get("article_domains"), self.canonical(feed["url"]))
        return self.policies[key]

    async def start(self):
        for feed in self.feeds:
            if feed.get("kind", "feed") == "gdelt":
                yield self.gdelt_request(feed, end=None)
            else:
                yield scrapy.Request(
                    feed["url"],
                    callback=self.parse_feed,
                    errback=self.failed,
                    cb_kwargs={"feed": feed},
                    dont_filter=True,
                )

    # -- GDELT ---------------------------------------------------------------------------------
    def gdelt_request(self, feed: dict, *, end: datetime | None) -> scrapy.Request:
        start = datetime.combine(self.since, time.min, tzinfo=timezone.utc) if self.since else None
        url = gdelt.artlist_url(
            feed["url"],
            feed["query"],
            start=start,
            end=end,
            max_records=int(feed.get("max_records", gdelt.MAX_RECORDS)),
        )
        # HTTP 429 reaches the callback (after the retries) so that GDELT's own words are the reason.
        return scrapy.Request(
            url,
            callback=self.parse_gdelt,
            errback=self.failed,
            dont_filter=True,
            cb_kwargs={"feed": feed, "end": end},
            meta={"handle_httpstatus_list": [429]},
        )

    def parse_gdelt(self, response, feed, end=None):
        query = feed["query"]
        try:
            records = gdelt.parse_artlist(response.body, status=response.status)
        except gdelt.GdeltAnswerError as exc:
            # One failed document per query (not per window), kept until the query answers again.
            yield failure_item(
                self,
                response.url,
                f"GDELT query {query!r}: {exc}",
                response.body,
                external_id=f"gdelt:{query}",
                meta={"feed": self.canonical(feed["url"]), "query": query},
            )
            return
        seen_times = []
        for position, record in enumerate(records):
            try:
                article = gdelt.gdelt_article(record)
            except ValueError as exc:
                yield failure_item(
                    self,
                    f"{response.url}#article-{position}",
                    f"GDELT article unusable ({exc})",
                    None,
                    meta={"query": query, "record": record if isinstance(record, dict) else repr(record)},
                )
                continue
            if article.seen is not None:
                seen_times.append(article.seen)
            day = article.seen.date() if article.seen else None
            if self.since and day and day < self.since:
                continue
            extra = {
                "via": "gdelt",
                "domain": article.domain,
                "sourcecountry": article.sourcecountry,
                "seendate": article.seen.strftime("%Y%m%dT%H%M%SZ") if article.seen else None,
            }
            yield from self.follow_article(
                response,
                feed,
                article.url,
                position=position,
                day=day,
                title=article.title,
                guid=article.url,
                language=article.language_code or feed.get("language"),
                extra=extra,
            )
        if len(records) >= int(feed.get("max_records", gdelt.MAX_RECORDS)) and seen_times:
            # A full answer may hide older articles of the window: ask again, ending at the oldest seen.
            oldest = min(seen_times)
            if end is not None and oldest >= end:
                log.warning(
                    "GDELT query %r: more than %d articles seen at %s; some are out of reach",
                    query,
                    len(records),
                    oldest,
                )
            elif self.since is None or oldest.date() >= self.since:
                yield self.gdelt_request(feed, end=oldest)

    # -- RSS / Atom / Google News ----------------------------------------------------------------
    def parse_feed(self, response, feed):
        kind = feed.get("kind", "feed")
        try:
            parsed = parse_feed(response.body, base_url=response.url)
        except FeedError as exc:
            yield failure_item(self, response.url, f"news feed unreadable ({exc})", response.body)
            return
        keywords = feed.get("keywords") or []
        for position, entry in enumerate(parsed.entries):
            day = entry.day
            if self.since and day and day < self.since:
                continue
            if keywords and not matches_keywords(entry, keywords):
                log.debug("%s: entry %r names none of the feed's keywords", feed["url"], entry.title)
                continue
            if kind == "google_news":
                yield self.feed_item_document(response, feed, entry, position=position)
                continue
            if not entry.link:
                continue
            yield from self.follow_article(
                response, feed, entry.link, position=position, day=day, title=entry.title, guid=entry.guid or None
            )

    def feed_item_document(self, response, feed, entry, *, position: int):
        """A Google News item as a document of its own; its redirect link is recorded, not fetched."""
        link = self.canonical(entry.link) if entry.link else None
        day = entry.day
        external_id = link or (f"{self.canonical(feed['url'])}#{entry.guid}" if entry.guid else None)
        if external_id is None:
            return failure_item(
                self,
                f"{response.url}#item-{position}",
                "Google News item without link or guid",
                None,
                publication_date=day.isoformat() if day else None,
            )
        return DocumentItem(
            source=self.source,
            external_id=external_id,
            url=link or self.canonical(response.url),
            body=google_news_text(entry).encode("utf-8"),
            content_type="text/plain; charset=utf-8",
            title=google_news_title(entry) or None,
            doc_type=DocType.ARTICLE.value,
            publication_date=day.isoformat() if day else None,
            language=feed.get("language"),
            meta={
                "feed": self.canonical(feed["url"]),
                "guid": entry.guid,
                "via": "google_news",
                "outlet": entry.source or None,
                "outlet_url": entry.source_url or None,
                "link_followed": False,
            },
        )

    # -- articles ----------------------------------------------------------------------------------
    def follow_article(
        self,
        response,
        feed,
        link: str,
        *,
        position: int,
        day: date | None,
        title: str,
        guid: str | None,
        language: str | None = None,
        extra: dict | None = None,
    ):
        """A request for the article at ``link``, or a recorded failure: unusable link, or off the feed's policy."""
        published = day.isoformat() if day else None
        try:
            request = response.follow(
                link,
                callback=self.parse_article,
                errback=self.failed,
                cb_kwargs={
                    "feed": feed,
                    "day": published,
                    "title": title,
                    "guid": guid or self.canonical(response.urljoin(link)),
                    "language": language,
                    "extra": extra,
                },
            )
        except (TypeError, ValueError) as exc:
            yield failure_item(
                self,
                f"{response.url}#item-{position}",
                unusable_link("feed item link", link, exc),
                None,
                publication_date=published,
            )
            return
        live_url = self.canonical(request.url)
        policy = self.policy_of(feed)
        if not policy_allows(policy, live_url):
            host = urlsplit(live_url).hostname
            yield failure_item(
                self,
                request.url,
                f"article link on {host!r} is outside the feed's article_domains "
                f"({describe_policy(policy)}): not fetched",
                None,
                external_id=self.canonical(request.cb_kwargs["guid"]),
                publication_date=published,
                meta={"feed": self.canonical(feed["url"])},
            )
            return
        # The feed's policy decides, not Scrapy's offsite filter (which would drop it silently);
        # OffsiteRedirectMiddleware applies the same policy to redirects.
        request.meta["allow_offsite"] = True
        request.meta["article_domains"] = "any" if policy is None else list(policy)
        yield request

    def parse_article(self, response, feed, day, title, guid, language=None, extra=None):
        live_url = self.canonical(response.url)
        yield DocumentItem(
            source=self.source,
            external_id=self.canonical(guid),
            url=live_url,
            body=self.canonical_body(response),
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            title=title or None,
            doc_type=DocType.ARTICLE.value,
            publication_date=day,
            language=language or feed.get("language"),
            meta={"feed": self.canonical(feed["url"]), "guid": self.canonical(guid), **(extra or {})},
        )

    def failed(self, failure):
        kwargs = failure.request.cb_kwargs
        guid = kwargs.get("guid")
        yield failure_item(
            self,
            failure.request.url,
            f"not fetched: {describe_failure(failure)}",
            None,
            external_id=self.canonical(guid) if guid else None,
            publication_date=kwargs.get("day"),
        )

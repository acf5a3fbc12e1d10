"""News feeds (secondary signals): RSS items about watched companies and the list, article pages kept raw.

Which feeds is configuration (data/sources.toml), not code. Article text is
extracted later, in processing (trafilatura), and the feed's language recorded.
"""

from __future__ import annotations

import json
from datetime import date

import scrapy
from scrapy.exceptions import NotSupported

from crawler.items import DocumentItem
from crawler.spiders.federal_register import (
    UrlMapMixin, describe_failure, failure_item, rss_day, unusable_link,
)


class NewsSpider(UrlMapMixin, scrapy.Spider):
    name = "news"
    source = "news"

    def __init__(self, feeds: str, since: str | None = None, allowed: str = "", url_map: str = "[]", **kwargs):
        super().__init__(**kwargs)
        self.feeds = json.loads(feeds)  # [{"url": ..., "language": ...}]
        self.since = date.fromisoformat(since) if since else None
        self.setup_urls(self.feeds[0]["url"] if self.feeds else "", allowed, url_map)

    async def start(self):
        for feed in self.feeds:
            yield scrapy.Request(feed["url"], callback=self.parse_feed, errback=self.failed,
                                 cb_kwargs={"feed": feed}, dont_filter=True)

    def parse_feed(self, response, feed):
        try:
            items = response.xpath("//item")
        except (ValueError, NotSupported) as exc:  # e.g. a JSON or binary answer where the feed should be
            yield failure_item(self, response.url, f"news feed unreadable ({exc})", response.body)
            return
        if not items and b"<rss" not in response.body[:500] and b"<feed" not in response.body[:500]:
            yield failure_item(self, response.url, "news feed is not RSS", response.body)
            return
        for position, item in enumerate(items):
            link = item.xpath("link/text()").get("").strip()
            published = item.xpath("pubDate/text()").get("")
            day = rss_day(published)
            if not link or (self.since and day and day < self.since):
                continue
            try:
                request = response.follow(link, callback=self.parse_article, errback=self.failed, cb_kwargs={
                    "feed": feed, "day": day.isoformat() if day else None,
                    "title": item.xpath("title/text()").get("").strip(),
                    "guid": item.xpath("guid/text()").get("").strip() or self.canonical(response.urljoin(link)),
                })
            except (TypeError, ValueError) as exc:
                yield failure_item(self, f"{response.url}#item-{position}", unusable_link("feed item link", link, exc), None,
                                   publication_date=day.isoformat() if day else None)
                continue
            yield request

    def parse_article(self, response, feed, day, title, guid):
        live_url = self.canonical(response.url)
        yield DocumentItem(
            source=self.source, external_id=self.canonical(guid), url=live_url, body=self.canonical_body(response),
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            title=title or None, doc_type="Article", publication_date=day, language=feed.get("language"),
            meta={"feed": self.canonical(feed["url"]), "guid": self.canonical(guid)},
        )

    def failed(self, failure):
        kwargs = failure.request.cb_kwargs
        guid = kwargs.get("guid")
        yield failure_item(self, failure.request.url, f"not fetched: {describe_failure(failure)}", None,
                           external_id=self.canonical(guid) if guid else None, publication_date=kwargs.get("day"))

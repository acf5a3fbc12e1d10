"""DoD / Department of War news releases about the 1260H list, and the list PDFs they link.

Reads the releases RSS, keeps releases about Section 1260H / Chinese military
companies, stores each release page and follows its list PDF on
media.defense.gov (parsed later, in processing, with pdfplumber). Requests for
pages and PDFs already stored are conditional (ETag / Last-Modified).
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import NotSupported

from crawler.items import DocumentItem
from crawler.spiders.federal_register import (
    UrlMapMixin, describe_failure, failure_item, rss_day, unusable_link,
)

RELEVANT = re.compile(r"1260h|chinese military compan|prc\) military compan|military companies", re.I)
_PDF_DATE = re.compile(r"/(\d{4})/([A-Z][a-z]{2})/(\d{1,2})/")
MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def list_date_from_pdf_url(url: str) -> date | None:
    """media.defense.gov paths carry the list's own date: /2025/Jan/07/... -> 2025-01-07."""
    match = _PDF_DATE.search(urlsplit(url).path)
    if not match or match.group(2) not in MONTHS:
        return None
    try:
        return date(int(match.group(1)), MONTHS[match.group(2)], int(match.group(3)))
    except ValueError:
        return None


class DodReleasesSpider(UrlMapMixin, scrapy.Spider):
    name = "dod_releases"
    source = "dod_releases"
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [304]}

    def __init__(self, feeds: str, since: str | None = None, validators: str = "{}", allowed: str = "",
                 url_map: str = "[]", **kwargs):
        super().__init__(**kwargs)
        self.feeds = [f for f in feeds.split("||") if f]
        self.since = date.fromisoformat(since) if since else None
        self.validators: dict[str, dict] = json.loads(validators or "{}")
        self.setup_urls(self.feeds[0] if self.feeds else "", allowed, url_map)

    async def start(self):
        for feed in self.feeds:
            yield scrapy.Request(feed, callback=self.parse_feed, errback=self.failed, dont_filter=True)

    def conditional(self, url: str, **kwargs) -> scrapy.Request:
        """A request that sends the stored validators of ``url`` (by its live URL)."""
        headers = {}
        known = self.validators.get(self.canonical(url), {})
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return scrapy.Request(url, headers=headers, errback=self.failed, **kwargs)

    def parse_feed(self, response):
        try:
            items = response.xpath("//item")
        except (ValueError, AttributeError, NotSupported) as exc:
            yield failure_item(self, response.url, f"release feed unreadable ({exc})", response.body)
            return
        if not items and b"<rss" not in response.body[:500]:
            yield failure_item(self, response.url, "release feed is not RSS", response.body)
            return
        for position, item in enumerate(items):
            title = item.xpath("title/text()").get("").strip()
            link = item.xpath("link/text()").get("").strip()
            description = item.xpath("description/text()").get("")
            published = item.xpath("pubDate/text()").get("")
            day = rss_day(published)
            if not link or not RELEVANT.search(f"{title} {description}"):
                continue
            if self.since and day and day < self.since:
                continue
            try:
                request = self.conditional(response.urljoin(link), callback=self.parse_release,
                                           cb_kwargs={"title": title, "day": day.isoformat() if day else None,
                                                      "guid": item.xpath("guid/text()").get("").strip()})
            except (TypeError, ValueError) as exc:
                yield failure_item(self, f"{response.url}#item-{position}", unusable_link("release link", link, exc), None,
                                   publication_date=day.isoformat() if day else None)
                continue
            yield request

    def _http_meta(self, response) -> dict:
        return {"etag": response.headers.get("ETag", b"").decode("latin-1") or None,
                "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None}

    def parse_release(self, response, title, day, guid):
        live_url = self.canonical(response.url)
        if response.status != 304:
            yield DocumentItem(
                source=self.source, external_id=f"release:{guid or urlsplit(live_url).path}", url=live_url,
                body=self.canonical_body(response), content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
                title=title, doc_type="DoD Release", publication_date=day, language="en",
                meta={"release": {"title": title, "date": day, "guid": guid}, "http": self._http_meta(response)})
        # The list PDF is followed even when the page is unchanged: a PDF can be replaced in place.
        try:
            hrefs = response.css("a::attr(href)").getall()
        except (ValueError, NotSupported) as exc:  # not HTML (a JSON or binary answer)
            yield failure_item(self, response.url, f"release page links unreadable ({exc})", None, publication_date=day)
            return
        for position, href in enumerate(hrefs):
            if href.lower().endswith(".pdf"):
                try:
                    request = self.conditional(response.urljoin(href), callback=self.parse_pdf,
                                               cb_kwargs={"release": {"url": live_url, "title": title, "date": day}})
                except (TypeError, ValueError) as exc:
                    yield failure_item(self, f"{response.url}#link-{position}", unusable_link("list PDF link", href, exc), None, publication_date=day)
                    continue
                yield request

    def parse_pdf(self, response, release):
        if response.status == 304:
            return
        live_url = self.canonical(response.url)
        list_date = list_date_from_pdf_url(live_url)
        yield DocumentItem(
            source=self.source, external_id=urlsplit(live_url).path, url=live_url, body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or "application/pdf",
            title=f"1260H list PDF ({list_date or release['date']})", doc_type="List PDF",
            publication_date=release["date"], language="en",
            meta={"release": release, "list_date": list_date.isoformat() if list_date else None,
                  "http": self._http_meta(response)})

    def failed(self, failure):
        request = failure.request
        yield failure_item(self, request.url, f"not fetched: {describe_failure(failure)}", None,
                           publication_date=(request.cb_kwargs.get("release") or {}).get("date")
                           or request.cb_kwargs.get("day"))

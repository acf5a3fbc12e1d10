"""DoD / Department of War news releases about the 1260H list, and the list PDFs they link.

Reads the releases RSS, keeps releases about Section 1260H / Chinese military
companies, stores each release page and follows its list PDF on
media.defense.gov (parsed later, in processing, with pdfplumber). Requests for
pages and PDFs already stored are conditional (ETag / Last-Modified).

The RSS holds the newest releases of every kind (``max=100``: a few weeks), so
when it does not reach back to the crawl window (the first crawl, or a gap) the
site's release search listing (``search_url``, paged with ``?Page=N``) back-fills
the older releases. Best effort: the DoD hosts sit behind a CDN that refuses many
automated clients (HTTP 403 or a 200 "Access Denied" page); a refused or
unanswered request is counted in the crawl stats (crawler.blocking) and the run
ends "blocked" / "unreachable" with the reason, never failed and never silent.
A user agent and an HTTP(S) proxy for this spider only come from the settings
(``RISKWATCH_DOD_USER_AGENT``, ``RISKWATCH_DOD_PROXY``; the proxy is a secret).
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import NotSupported
from w3lib.url import add_or_replace_parameter

from crawler import blocking, shapes
from crawler.items import DocumentItem
from crawler.spiders.common import (
    UrlMapMixin,
    describe_failure,
    failure_item,
    rss_day,
    unusable_link,
)
from db import queries
from core.settings import get_settings
from core.vocabulary import DocType

RELEVANT = re.compile(r"1260h|chinese military compan|prc\) military compan|military companies", re.I)
_PDF_DATE = re.compile(r"/(\d{4})/([A-Z][a-z]{2})/(\d{1,2})/")
_ARTICLE_ID = re.compile(r"/Release/Article/(\d+)(?:/|$)")
LISTING = "riskwatch_listing"  # request meta: "feed" or "search" (a listing, not a document)
MONTHS = {
    m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)
}


def list_date_from_pdf_url(url: str) -> date | None:
    """media.defense.gov paths carry the list's own date: /2025/Jan/07/... -> 2025-01-07."""
    match = _PDF_DATE.search(urlsplit(url).path)
    if not match or match.group(2) not in MONTHS:
        return None
    try:
        return date(int(match.group(1)), MONTHS[match.group(2)], int(match.group(3)))
    except ValueError:
        return None


def release_key(url: str, guid: str | None) -> str:
    """One identity per release, whichever listing found it: the article id in its URL, else the guid."""
    match = _ARTICLE_ID.search(urlsplit(url).path)
    return f"release:{match.group(1) if match else guid or urlsplit(url).path}"


class DodReleasesSpider(UrlMapMixin, scrapy.Spider):
    name = "dod_releases"
    source = "dod_releases"
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [304]}
    max_search_pages = 20  # a runaway pager stops here; the listing is newest first

    @classmethod
    def arguments(cls, session, source, *, base: str, as_of, localise) -> dict[str, str]:
        """This spider's ``-a`` arguments: the feeds, the release search, the window, stored HTTP validators."""
        feeds = [base] + [localise(f) for f in source.args.get("extra_feeds", [])]
        since = queries.crawl_window_start(
            session, source_name=source.name, first_date=source.first_date, overlap_days=source.overlap_days
        )
        return {
            "feeds": "||".join(feeds),
            "search_url": localise(source.args.get("search_url", "")),
            "since": since.isoformat(),
            "validators": json.dumps(queries.http_validators(session, source_name=source.name)),
        }

    def __init__(
        self,
        feeds: str,
        since: str | None = None,
        validators: str = "{}",
        allowed: str = "",
        url_map: str = "[]",
        search_url: str = "",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.feeds = [f for f in feeds.split("||") if f]
        self.since = date.fromisoformat(since) if since else None
        self.validators: dict[str, dict] = json.loads(validators or "{}")
        self.setup_urls(self.feeds[0] if self.feeds else "", allowed, url_map)
        self.search_url = search_url or None
        self._backfilling = False
        settings = get_settings()
        self.user_agent = settings.dod_user_agent or None
        # The replay server (offline: a URL map is given) is never asked through a proxy.
        proxy = settings.dod_proxy.get_secret_value() if settings.dod_proxy is not None else ""
        self.proxy = (proxy or None) if not self.url_map else None

    def request(self, url: str, *, headers: dict | None = None, meta: dict | None = None, **kwargs) -> scrapy.Request:
        """A request of this spider: its own user agent and proxy when configured."""
        headers, meta = dict(headers or {}), dict(meta or {})
        if self.user_agent:
            headers["User-Agent"] = self.user_agent
        if self.proxy:
            meta["proxy"] = self.proxy  # Scrapy moves credentials into a Proxy-Authorization header
        return scrapy.Request(url, headers=headers, meta=meta, errback=self.failed, **kwargs)

    async def start(self):
        for feed in self.feeds:
            yield self.request(feed, callback=self.parse_feed, dont_filter=True, meta={LISTING: "feed"})

    def conditional(self, url: str, **kwargs) -> scrapy.Request:
        """A request that sends the stored validators of ``url`` (by its live URL)."""
        headers = {}
        known = self.validators.get(self.canonical(url), {})
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return self.request(url, headers=headers, **kwargs)

    def unavailable(self, status: str, reason: str) -> None:
        """A request the CDN refused (blocked) or that got no usable answer (unreachable)."""
        reason = self.canonical(reason)
        self.logger.warning("%s is %s: %s (best effort: retried on the next run)", self.source, status, reason)
        blocking.note(getattr(self, "crawler", None), status, reason)

    def _refused(self, response) -> str | None:
        """The reason when ``response`` is the CDN's block page (it can come with HTTP 200)."""
        page = blocking.block_page(response.body)
        return f"HTTP {response.status} from {response.url}: {page}" if page else None

    def parse_feed(self, response):
        if refused := self._refused(response):
            self.unavailable(blocking.BLOCKED, refused)
            yield from self.backfill()
            return
        try:
            items = response.xpath("//item")
        except (ValueError, AttributeError, NotSupported) as exc:
            yield failure_item(self, response.url, f"release feed unreadable ({exc})", response.body)
            yield from self.backfill()
            return
        if not items and b"<rss" not in response.body[:500]:
            yield failure_item(self, response.url, "release feed is not RSS", response.body)
            yield from self.backfill()
            return
        days = []
        for position, item in enumerate(items):
            title = item.xpath("title/text()").get("").strip()
            link = item.xpath("link/text()").get("").strip()
            description = item.xpath("description/text()").get("")
            published = item.xpath("pubDate/text()").get("")
            day = rss_day(published)
            if day:
                days.append(day)
            if not link or not RELEVANT.search(f"{title} {description}"):
                continue
            if self.since and day and day < self.since:
                continue
            try:
                request = self.conditional(
                    response.urljoin(link),
                    callback=self.parse_release,
                    cb_kwargs={
                        "title": title,
                        "day": day.isoformat() if day else None,
                        "guid": item.xpath("guid/text()").get("").strip(),
                    },
                )
            except (TypeError, ValueError) as exc:
                yield failure_item(
                    self,
                    f"{response.url}#item-{position}",
                    unusable_link("release link", link, exc),
                    None,
                    publication_date=day.isoformat() if day else None,
                )
                continue
            yield request
        if not (self.since and days and min(days) <= self.since):  # the feed does not reach back to the window
            yield from self.backfill()

    def backfill(self):
        """Page through the release search listing, once per crawl (when configured)."""
        if self.search_url and not self._backfilling:
            self._backfilling = True
            yield self._search_page(1)

    def _search_page(self, page: int) -> scrapy.Request:
        url = self.search_url if page == 1 else add_or_replace_parameter(self.search_url, "Page", str(page))
        return self.request(url, callback=self.parse_search, cb_kwargs={"page": page}, meta={LISTING: "search"})

    def parse_search(self, response, page):
        """One page of the release search listing (newest first): relevant releases inside the crawl
        window are requested like the feed's; the next page only while the window goes on."""
        if refused := self._refused(response):
            self.unavailable(blocking.BLOCKED, refused)
            return
        try:
            listed = shapes.release_listing(response)
        except shapes.ShapeChanged as exc:
            yield failure_item(self, response.url, f"release search listing changed shape: {exc}", response.body)
            return
        except (ValueError, AttributeError, NotSupported) as exc:  # not HTML
            yield failure_item(self, response.url, f"release search listing unreadable ({exc})", response.body)
            return
        window_goes_on = bool(listed)
        for release in listed:
            if self.since and release.day < self.since:
                window_goes_on = False
                break
            if not RELEVANT.search(release.title):
                continue
            try:
                request = self.conditional(
                    response.urljoin(release.url),
                    callback=self.parse_release,
                    cb_kwargs={"title": release.title, "day": release.day.isoformat(), "guid": release.article_id},
                )
            except (TypeError, ValueError) as exc:
                yield failure_item(
                    self,
                    f"{response.url}#release-{release.article_id}",
                    unusable_link("release link", release.url, exc),
                    None,
                    publication_date=release.day.isoformat(),
                )
                continue
            yield request
        if window_goes_on and page < self.max_search_pages:
            yield self._search_page(page + 1)

    def _http_meta(self, response) -> dict:
        return {
            "etag": response.headers.get("ETag", b"").decode("latin-1") or None,
            "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None,
        }

    def parse_release(self, response, title, day, guid):
        live_url = self.canonical(response.url)
        if refused := self._refused(response):
            self.unavailable(blocking.BLOCKED, refused)
            yield failure_item(
                self,
                response.url,
                f"{blocking.BLOCKED}: {refused}",
                None,
                external_id=release_key(live_url, guid),
                publication_date=day,
            )
            return
        if response.status != 304:
            yield DocumentItem(
                source=self.source,
                external_id=release_key(live_url, guid),
                url=live_url,
                body=self.canonical_body(response),
                content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
                title=title,
                doc_type=DocType.DOD_RELEASE.value,
                publication_date=day,
                language="en",
                meta={"release": {"title": title, "date": day, "guid": guid}, "http": self._http_meta(response)},
            )
        # The list PDF is followed even when the page is unchanged: a PDF can be replaced in place.
        try:
            hrefs = response.css("a::attr(href)").getall()
        except (ValueError, NotSupported) as exc:  # not HTML (a JSON or binary answer)
            yield failure_item(self, response.url, f"release page links unreadable ({exc})", None, publication_date=day)
            return
        for position, href in enumerate(hrefs):
            if href.lower().endswith(".pdf"):
                try:
                    request = self.conditional(
                        response.urljoin(href),
                        callback=self.parse_pdf,
                        cb_kwargs={"release": {"url": live_url, "title": title, "date": day}},
                    )
                except (TypeError, ValueError) as exc:
                    yield failure_item(
                        self,
                        f"{response.url}#link-{position}",
                        unusable_link("list PDF link", href, exc),
                        None,
                        publication_date=day,
                    )
                    continue
                yield request

    def parse_pdf(self, response, release):
        if response.status == 304:
            return
        live_url = self.canonical(response.url)
        if refused := self._refused(response):  # kept out of the store: the list parser would quarantine it
            self.unavailable(blocking.BLOCKED, refused)
            yield failure_item(
                self,
                response.url,
                f"{blocking.BLOCKED}: {refused}",
                None,
                external_id=urlsplit(live_url).path,
                publication_date=release["date"],
            )
            return
        list_date = list_date_from_pdf_url(live_url)
        yield DocumentItem(
            source=self.source,
            external_id=urlsplit(live_url).path,
            url=live_url,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or "application/pdf",
            title=f"1260H list PDF ({list_date or release['date']})",
            doc_type=DocType.LIST_PDF.value,
            publication_date=release["date"],
            language="en",
            meta={
                "release": release,
                "list_date": list_date.isoformat() if list_date else None,
                "http": self._http_meta(response),
            },
        )

    def failed(self, failure):
        request = failure.request
        unavailable = blocking.unavailability(failure)
        if unavailable:
            self.unavailable(*unavailable)
        listing = request.meta.get(LISTING)
        if listing and unavailable:
            # The run's status carries it (no document is missing); the search listing may still answer.
            if listing == "feed":
                yield from self.backfill()
            return
        reason = f"{unavailable[0]}: {unavailable[1]}" if unavailable else f"not fetched: {describe_failure(failure)}"
        external_id = None  # the identity the document would have had, so a later success replaces the failure
        if request.callback == self.parse_release:
            external_id = release_key(self.canonical(request.url), request.cb_kwargs.get("guid"))
        elif request.callback == self.parse_pdf:
            external_id = urlsplit(self.canonical(request.url)).path
        yield failure_item(
            self,
            request.url,
            reason,
            None,
            external_id=external_id,
            publication_date=(request.cb_kwargs.get("release") or {}).get("date") or request.cb_kwargs.get("day"),
        )

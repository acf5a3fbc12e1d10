"""What every spider shares: allowed domains and live URLs, failure items, untrusted-field helpers."""

from __future__ import annotations

import json
from datetime import date
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.spidermiddlewares.httperror import HttpError

from crawler.items import FailureItem


class UrlMapMixin:
    """Allowed domains and the served->live URL map shared by the spiders.

    Offline, the replay server stands in for the live sites: stored URLs are
    rewritten back to the live ones so evidence links point at the real source.
    """

    def setup_urls(self, base_url: str, allowed: str, url_map: str) -> None:
        hosts = {urlsplit(base_url).hostname, *[d for d in allowed.split(",") if d]}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.url_map = [tuple(pair) for pair in json.loads(url_map or "[]")]

    def canonical(self, value):
        """``value`` (a URL, or JSON-like data) with served URLs rewritten to the live ones."""
        if not self.url_map:
            return value
        text = json.dumps(value)
        for served, live in sorted(self.url_map, key=lambda pair: -len(pair[0])):
            text = text.replace(served, live)
        return json.loads(text)

    def canonical_body(self, response) -> bytes:
        """A text body with served URLs rewritten to live ones (binary bodies unchanged),
        so the stored bytes and their hash do not depend on the replay server's port."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        body = response.body
        if not self.url_map or not any(t in content_type for t in ("html", "xml", "text", "json")):
            return body
        for served, live in sorted(self.url_map, key=lambda pair: -len(pair[0])):
            body = body.replace(served.encode(), live.encode())
        return body


def rss_day(published: str | None) -> date | None:
    """An RSS ``pubDate`` (RFC 822) as a date; None when missing or unreadable (the item is still
    fetched, and dated by its page or left undated)."""
    try:
        return parsedate_to_datetime(published).date() if published else None
    except (TypeError, ValueError, OverflowError):
        return None


def text_or_none(value) -> str | None:
    """``value`` if it is a non-empty string, else None (API fields are untrusted JSON)."""
    return value if isinstance(value, str) and value else None


def unusable_link(what: str, link, exc: Exception) -> str:
    """The reason recorded for a link that cannot become a request."""
    return f"{what} {link!r} unusable ({exc.__class__.__name__}: {exc})"


def describe_failure(failure) -> str:
    if failure.check(HttpError):
        response = failure.value.response
        return f"HTTP {response.status} from {response.url}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def failure_item(
    spider,
    url: str,
    reason: str,
    body: bytes | None,
    *,
    external_id: str | None = None,
    meta: dict | None = None,
    publication_date: str | None = None,
) -> FailureItem:
    """A FailureItem; without a document id, the request itself (path + query) identifies it."""
    if external_id is None:
        parts = urlsplit(url)
        external_id = f"request:{parts.path}?{parts.query}" + (f"#{parts.fragment}" if parts.fragment else "")
    return FailureItem(
        source=spider.source,
        external_id=external_id,
        url=spider.canonical(url),
        reason=spider.canonical(reason),
        body=body,
        meta=meta or {},
        publication_date=publication_date,
    )

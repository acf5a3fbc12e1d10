"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from crawler.spiders.feeds import policy_allows

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting before each retry: the server's Retry-After when it gives one
    (HTTP 429/503), else exponential backoff. Waits are capped (RETRY_BACKOFF_MAX)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retries = request.meta.get("retry_times", 0)
        if retries >= request.meta.get("max_retry_times", self.max_retry_times):
            return self._retry(request, response_status_message(response.status)) or response
        header = response.headers.get("Retry-After", b"").decode("latin-1") or None
        delay = retry_after_seconds(header)
        source = "Retry-After" if delay is not None else "backoff"
        if delay is None:
            delay = self.backoff_base * (2**retries)
        delay = min(delay, self.backoff_max)
        log.info("HTTP %s from %s: retrying after %.1fs (%s)", response.status, request.url, delay, source)
        await asyncio.sleep(delay)
        return self._retry(request, response_status_message(response.status)) or response


class OffsiteRedirectMiddleware:
    """A redirect to a host outside the spider's allowed domains is not followed, and not
    dropped silently either (Scrapy's offsite filter would only count it): it becomes an
    error for the request's errback, which keeps a failed document with the reason."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        host = (urlsplit(target).hostname or "").lower()
        allowed = [d.lower() for d in (getattr(self.crawler.spider, "allowed_domains", None) or [])]
        # A news article request carries its feed's own policy ("any" or domains, judged on the live
        # URL; see crawler/spiders/news.py) instead of the spider's domains.
        policy = request.meta.get("article_domains")
        if policy:
            live = getattr(self.crawler.spider, "canonical", lambda url: url)(target)
            if not policy_allows(None if policy == "any" else tuple(policy), live):
                raise IgnoreRequest(f"redirected off the allowed domains to {host!r}")
            return response
        if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
            raise IgnoreRequest(f"redirected off the allowed domains to {host!r}")
        return response

"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

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
            delay = self.backoff_base * (2 ** retries)
        delay = min(delay, self.backoff_max)
        log.info("HTTP %s from %s: retrying after %.1fs (%s)", response.status, request.url, delay, source)
        await asyncio.sleep(delay)
        return self._retry(request, response_status_message(response.status)) or response

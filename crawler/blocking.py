"""A source that refuses or does not answer: the CDN block page, and the run status it leads to.

defense.gov, war.gov and media.defense.gov sit behind a CDN that answers plain HTTP clients
with a small "Access Denied" page (HTTP 403, sometimes 200) carrying a "Reference #..." id,
HTML-entity encoded (``Reference&#32;&#35;18&#46;...``) and often a link to errors.edgesuite.net.
For a best-effort source that is a dated source status ("blocked"), shown by the CLI and the
dashboard and retried on the next run, never a failed run and never a silent gap. HTTP 408/429/5xx
after retries, timeouts and connection errors are "unreachable".

Spiders record what they met in the crawl stats (``note``); the storage pipeline turns the
stats into the crawl run's status (``run_status``) when the spider closes.
"""

from __future__ import annotations

import html
import re

from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

BLOCKED = "blocked"
UNREACHABLE = "unreachable"

# The block page is a few hundred bytes; a real page that merely mentions "Access Denied" is long.
_BLOCK_PAGE_MAX_BYTES = 16 * 1024
_DENIED = re.compile(r"<(title|h1)>\s*Access Denied\s*</\1>", re.I)
_REFERENCE = re.compile(r"Reference\s*#\s*([0-9a-z]+(?:\.[0-9a-z]+)+)", re.I)
_NETWORK_ERRORS = (ConnectError, ConnectionLost, DNSLookupError, ResponseFailed, ResponseNeverReceived, TunnelError)

_STATS_PREFIX = "riskwatch/unavailable"


def block_page(body: bytes | None) -> str | None:
    """What a CDN refusal page says ("CDN block page 'Access Denied' (Reference #18.x)"), else None.

    Recognised by its title or heading "Access Denied" together with a CDN reference id or the
    CDN's error host, whatever the HTTP status it came with."""
    if not body or len(body) > _BLOCK_PAGE_MAX_BYTES:
        return None
    text = html.unescape(body.decode("latin-1"))
    if not _DENIED.search(text):
        return None
    reference = _REFERENCE.search(text)
    if reference is None and "edgesuite.net" not in text:
        return None
    return "CDN block page 'Access Denied'" + (f" (Reference #{reference.group(1)})" if reference else "")


def unavailability(failure) -> tuple[str, str] | None:
    """(``blocked`` | ``unreachable``, reason) for a failed request, or None for an ordinary failure
    (a 404, a refused redirect, an oversized answer: those stay failed documents)."""
    if failure.check(HttpError):
        response = failure.value.response
        page = block_page(response.body)
        where = f"HTTP {response.status} from {response.url}"
        if response.status == 403 or page:
            return BLOCKED, where + (f": {page}" if page else " (access refused)")
        if response.status in (408, 429) or response.status >= 500:
            return UNREACHABLE, where
        return None
    if failure.check(*_NETWORK_ERRORS):
        return UNREACHABLE, f"{failure.type.__name__} for {failure.request.url}: {failure.getErrorMessage()}"[:500]
    return None


def note(crawler, status: str, reason: str) -> None:
    """Count a blocked or unreachable request in the crawl's stats; the first reason is kept."""
    stats = getattr(crawler, "stats", None)
    if stats is None:  # a spider fed responses by hand (tests) has no crawler
        return
    stats.inc_value(f"{_STATS_PREFIX}/{status}")
    if stats.get_value(f"{_STATS_PREFIX}/reason") is None:
        stats.set_value(f"{_STATS_PREFIX}/reason", reason)


def run_status(stats) -> tuple[str, str | None]:
    """The crawl run's status from its stats: ``finished``, or ``blocked`` / ``unreachable`` with the
    first reason and how many requests met it (a run that met both is ``blocked``)."""
    blocked = stats.get_value(f"{_STATS_PREFIX}/{BLOCKED}", 0)
    unreachable = stats.get_value(f"{_STATS_PREFIX}/{UNREACHABLE}", 0)
    if not blocked and not unreachable:
        return "finished", None
    status = BLOCKED if blocked else UNREACHABLE
    counts = ", ".join(f"{n} {name}" for name, n in ((BLOCKED, blocked), (UNREACHABLE, unreachable)) if n)
    reason = stats.get_value(f"{_STATS_PREFIX}/reason") or status
    return status, f"{reason} [{counts} of {stats.get_value('downloader/request_count', 0)} requests]"[:2000]

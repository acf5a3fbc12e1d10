"""`riskwatch sources check`: one cheap request per configured source, held against its kind's shape.

Each answer is compared with the declaration in crawler.shapes (first difference named), its
item count with the bounds in the source's ``[source.check]`` table (data/sources.toml). A
source is then ``ok``, ``blocked`` (the CDN refused us: HTTP 403 or its "Access Denied"
page), ``unreachable`` (HTTP 408/429/5xx, timeout, connection error, a throttle), ``shape
changed`` (a difference, an unexpected HTTP 4xx, a count out of bounds) or ``unchecked`` (no
shape is declared for it, e.g. a news feed kind added after this check). Shape changes always
count; a blocked or unreachable source counts only when it is not best effort.

Offline, the local replay server stands in for every source (faults injected through the
snapshot's faults.json reach the check as they reach the spiders).
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import date
from functools import partial
from typing import Callable
from urllib.parse import urlencode, urlsplit

from crawler import shapes
from crawler.blocking import block_page
from core.redact import redact, secrets_of
from core.settings import Settings
from jobs.replay import ReplayServer
from core.sources import SourceConfig

OK, BLOCKED, UNREACHABLE, SHAPE_CHANGED, UNCHECKED = "ok", "blocked", "unreachable", "shape changed", "unchecked"
PRIMARY_KINDS = ("federal_register", "public_inspection")  # the machine sources riskwatch relies on
SAMPLE_SIZE = 5  # results asked for where the API pages: enough to see the shape, cheap


@dataclass
class CheckResult:
    source: str
    kind: str
    url: str  # the live URL (offline too)
    status: str
    detail: str = ""
    http_status: int | None = None
    count: int | None = None
    best_effort: bool = False

    @property
    def fails(self) -> bool:
        """Counts against the check's exit code."""
        return self.status == SHAPE_CHANGED or (self.status in (BLOCKED, UNREACHABLE) and not self.best_effort)

    def to_json(self) -> dict:
        return {**asdict(self), "fails": self.fails}


@dataclass(frozen=True)
class Probe:
    """One request of a source and how to read its answer (the item count, or ShapeChanged)."""

    url: str
    read: Callable[[bytes], int]
    via_dod_proxy: bool = False
    min_interval_s: float = 0.0  # the host's rule between two requests (GDELT: one per 5 s), live only


def probes(source: SourceConfig, *, today: date) -> list[Probe | str] | str:
    """The requests that check ``source`` (one; one per feed for news), or why it (or one of its
    feeds) cannot be checked."""
    args = source.args
    if source.kind == "federal_register":
        from crawler.spiders.federal_register import documents_search_url

        terms = args.get("terms") or ["1260H"]
        url = documents_search_url(
            source.url,
            term=terms[0],
            agencies=args.get("agencies", []),
            types=args.get("types", []),
            since=None,
            per_page=SAMPLE_SIZE,
            order="newest",
        )
        return [Probe(url, shapes.documents_search)]
    if source.kind == "public_inspection":
        query = urlencode([("conditions[available_on]", today.isoformat()), ("per_page", "1000")])
        return [
            Probe(f"{source.url.rstrip('/')}/public-inspection-documents.json?{query}", shapes.public_inspection_desk)
        ]
    if source.kind == "dod_releases":
        return [Probe(source.url, partial(shapes.rss_feed, item_fields=shapes.DOD_RSS_ITEM), via_dod_proxy=True)]
    if source.kind == "screening_list":
        return [Probe(source.url, _screening_list)]  # the whole file: the publisher offers no smaller answer
    if source.kind == "news":
        return [_news_probe(feed) for feed in args.get("feeds") or [{"url": source.url}]] or "no feed configured"
    return f"no shape declared for source kind {source.kind!r}"


def _news_probe(feed: dict) -> Probe | str:
    """A news feed's request by its kind (a GDELT query asks for a few articles), or why not."""
    if not isinstance(feed, dict) or not feed.get("url"):
        return "a feed without a URL"
    if feed.get("enabled", True) is False:
        return f"{feed['url']}: disabled in data/sources.toml"
    kind = feed.get("kind", "feed")
    if kind == "gdelt":
        from crawler.spiders import gdelt

        return Probe(
            gdelt.artlist_url(feed["url"], feed.get("query", ""), max_records=SAMPLE_SIZE),
            partial(_news_feed, kind=kind),
            min_interval_s=gdelt.REQUEST_INTERVAL_S,
        )
    return Probe(feed["url"], partial(_news_feed, kind=kind))


def _screening_list(body: bytes) -> int:
    """The records of a Consolidated Screening List download, read as the processing step reads it."""
    from nlp.official.csl import CslFormatError, parse_csl

    try:
        snapshot = parse_csl(body)
    except CslFormatError as exc:
        raise shapes.ShapeChanged(str(exc)) from None
    if snapshot.unknown_fields:
        raise shapes.ShapeChanged("unknown fields: " + ", ".join(sorted(snapshot.unknown_fields)))
    return len(snapshot.records)


def _news_feed(body: bytes, *, kind: str | None) -> int:
    return shapes.feed(body, kind)[1]


def check_sources(settings: Settings, sources: list[SourceConfig], *, today: date, offline: bool) -> list[CheckResult]:
    """Check each source once; offline against the local replay server (serving what existed ``today``)."""
    replay = (
        ReplayServer(settings.snapshot_dir, as_of=today, host=settings.replay_host, port=settings.replay_port)
        if offline
        else None
    )
    results = []
    secrets = secrets_of(settings)  # an error message could carry the proxy URL: never printed
    last_request: dict[str | None, float] = {}
    with replay or nullcontext():
        for source in sources:
            best_effort = bool(source.check.get("best_effort", source.kind not in PRIMARY_KINDS))
            planned = probes(source, today=today)
            if isinstance(planned, str):
                results.append(
                    CheckResult(source.name, source.kind, source.url, UNCHECKED, planned, best_effort=best_effort)
                )
                continue
            for probe in planned:
                if isinstance(probe, str):
                    results.append(
                        CheckResult(source.name, source.kind, source.url, UNCHECKED, probe, best_effort=best_effort)
                    )
                    continue
                host = urlsplit(probe.url).hostname
                if not offline and probe.min_interval_s and host in last_request:
                    time.sleep(max(0.0, last_request[host] + probe.min_interval_s - time.monotonic()))
                served = replay.localise(probe.url) if replay else probe.url
                result = check_one(settings, source, probe, served, offline=offline)
                last_request[host] = time.monotonic()
                result.best_effort, result.detail = best_effort, redact(result.detail, secrets)
                results.append(result)
    return results


def check_one(settings: Settings, source: SourceConfig, probe: Probe, served_url: str, *, offline: bool) -> CheckResult:
    result = CheckResult(source.name, source.kind, probe.url, OK)
    proxy = None
    if probe.via_dod_proxy and settings.dod_proxy is not None and not offline:
        proxy = settings.dod_proxy.get_secret_value()
    user_agent = (settings.dod_user_agent if probe.via_dod_proxy else None) or settings.user_agent
    try:
        status, body = fetch(
            served_url,
            user_agent=user_agent,
            proxy=proxy,
            offline=offline,
            timeout=settings.download_timeout,
            max_bytes=settings.max_response_bytes,
        )
    except (urllib.error.URLError, OSError) as exc:  # timeouts, refused connections, DNS, TLS
        reason = getattr(exc, "reason", exc)
        result.status, result.detail = UNREACHABLE, f"{exc.__class__.__name__}: {reason}"[:300]
        return result
    result.http_status = status
    if page := block_page(body):
        result.status, result.detail = BLOCKED, f"HTTP {status}: {page}"
    elif status == 403:
        result.status, result.detail = BLOCKED, "HTTP 403: access refused"
    elif status in (408, 429) or status >= 500:
        result.status, result.detail = UNREACHABLE, f"HTTP {status}"
    elif status >= 400:
        result.status, result.detail = (
            SHAPE_CHANGED,
            (f"HTTP {status}: the endpoint refused the request (a requested field, parameter or path changed?)"),
        )
    elif len(body) > settings.max_response_bytes:
        result.status, result.detail = SHAPE_CHANGED, f"answer over {settings.max_response_bytes} bytes"
    else:
        _read(result, probe, body, source.check)
    return result


def _read(result: CheckResult, probe: Probe, body: bytes, bounds: dict) -> None:
    try:
        result.count = probe.read(body)
    except shapes.ShapeChanged as exc:
        result.status, result.detail = SHAPE_CHANGED, str(exc)
        return
    except shapes.Throttled as exc:
        result.status, result.detail = UNREACHABLE, f"throttled: {exc}"[:300]
        return
    except KeyError as exc:  # a feed kind with no declared shape
        result.status, result.detail = UNCHECKED, f"no shape declared for feed kind {exc.args[0]!r}"
        return
    low, high = bounds.get("min_count"), bounds.get("max_count")
    if low is not None and result.count < low:
        result.status, result.detail = SHAPE_CHANGED, f"count {result.count} below min_count {low} ([source.check])"
    elif high is not None and result.count > high:
        result.status, result.detail = SHAPE_CHANGED, f"count {result.count} above max_count {high} ([source.check])"
    else:
        result.detail = f"{result.count} items"


def fetch(
    url: str, *, user_agent: str, proxy: str | None, offline: bool, timeout: float, max_bytes: int
) -> tuple[int, bytes]:
    """(HTTP status, body) of a GET; an HTTP error status is an answer too (its body is read)."""
    # Offline the replay server on 127.0.0.1 is never reached through a proxy from the environment.
    proxies = {} if offline else ({"http": proxy, "https": proxy} if proxy else None)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(max_bytes + 1)
    except socket.timeout as exc:
        raise urllib.error.URLError(f"timed out after {timeout} s") from exc

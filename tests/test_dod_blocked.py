"""DoD is best effort: a CDN refusal is a dated source status, never a failed run; the release search back-fills."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler
from sqlmodel import Session, select

from crawler import blocking
from crawler.items import DocumentItem, FailureItem
from crawler.spiders.dod_releases import DodReleasesSpider
from core import redact
from db.engine import make_engine
from db.models import CrawlRun, Document, Source
from core.settings import DATA_DIR, get_settings
from jobs.replay import BLOCK_PAGE, ReplayServer
from jobs.steps import crawl
from tests.conftest import run_cli

RSS = "/_host/www.defense.gov/DesktopModules/ArticleCS/RSS.ashx"
SEARCH = "/_host/www.defense.gov/News/Releases/Search/1260H/"
RELEASE_2026 = (
    "/_host/www.war.gov/News/Releases/Release/Article/4511232/"
    "dow-releases-list-of-chinese-military-companies-in-accordance-with-section-1260h/"
)
LIVE_FEED = "https://www.defense.gov/DesktopModules/ArticleCS/RSS.ashx?ContentType=9&Site=945&max=100"


def _snapshot(snapshot_copy, monkeypatch, faults, *, rss_window_days: int | None = None):
    (snapshot_copy / "faults.json").write_text(json.dumps(faults))
    if rss_window_days is not None:
        releases = json.loads((snapshot_copy / "defense" / "releases.json").read_text())
        releases["rss"]["window_days"] = rss_window_days
        (snapshot_copy / "defense" / "releases.json").write_text(json.dumps(releases))
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    get_settings.cache_clear()
    return get_settings()


def _dod_documents(settings) -> list[Document]:
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        docs = session.exec(select(Document).join(Source).where(Source.name == "dod_releases")).all()
        session.expunge_all()
    engine.dispose()
    return docs


# -- the block page --------------------------------------------------------------------------------


def test_the_cdn_block_page_is_recognised_whatever_its_status():
    assert blocking.block_page(BLOCK_PAGE.encode()) == (
        "CDN block page 'Access Denied' (Reference #18.5e2f1402.1780000000.1a2b3c4d)"
    )
    plain = b"<html><head><title>Access Denied</title></head><body>Reference #18.ab12.1700000000.ff</body></html>"
    assert blocking.block_page(plain) == "CDN block page 'Access Denied' (Reference #18.ab12.1700000000.ff)"
    # a release that quotes the words, a long page, a bare 'Access Denied' without the CDN's marks
    assert blocking.block_page(b"<p>Access Denied: the list names 134 companies.</p>") is None
    assert blocking.block_page(b"<title>Access Denied</title>" + b" " * 20000 + b"Reference #18.1.2") is None
    assert blocking.block_page(b"<title>Access Denied</title><p>Ask your admin.</p>") is None


# -- the crawl -------------------------------------------------------------------------------------


def test_a_blocked_dod_is_a_dated_status_and_the_run_still_succeeds(snapshot_copy, monkeypatch):
    settings = _snapshot(snapshot_copy, monkeypatch, [{"path": RSS, "block": True}, {"path": SEARCH, "block": True}])
    completed = run_cli(
        "crawl", "--as-of", "2026-11-25", env={"RISKWATCH_SNAPSHOT_DIR": str(snapshot_copy)}, check=False
    )
    stderr = completed.stderr.decode()
    assert completed.returncode == 0, stderr  # the Federal Register worked: not a failed run
    assert "dod_releases: blocked: HTTP 403 from https://www.defense.gov/" in " ".join(stderr.split())
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        runs = {r.source: r for r in session.exec(select(CrawlRun))}
    engine.dispose()
    assert runs["federal_register"].status == "finished"
    dod = runs["dod_releases"]
    assert dod.status == "blocked" and not dod.is_failure and dod.finished_at is not None
    assert dod.error.startswith("HTTP 403 from https://www.defense.gov/DesktopModules/ArticleCS/RSS.ashx")
    assert "Reference #18.5e2f1402" in dod.error and "[2 blocked of 2 requests]" in dod.error
    assert _dod_documents(settings) == []  # nothing stored, nothing pretended: the listing is simply unread
    status = json.loads(run_cli("sources", "status", "--json").stdout)
    row = next(r for r in status if r["source"] == "dod_releases")
    assert row["status"] == "blocked" and row["last_ok"] is None and row["runs_since_ok"] == 1
    assert "HTTP 403" in row["reason"] and row["last_run"].startswith(str(date.today().year))
    assert next(r for r in status if r["source"] == "federal_register")["status"] == "finished"


def test_a_block_page_with_status_200_on_a_release_is_retried_next_run(isolated_settings, snapshot_copy, monkeypatch):
    settings = _snapshot(snapshot_copy, monkeypatch, [{"path": RELEASE_2026, "block": True, "status": 200}])
    (run,) = crawl(settings, only="dod_releases")
    assert (
        run.status == "blocked"
        and "HTTP 200 from https://www.war.gov/News/Releases/Release/Article/4511232/" in run.error
    )
    failed = [d for d in _dod_documents(settings) if d.status == "failed"]
    assert [(d.external_id, d.publication_date) for d in failed] == [("release:4511232", date(2026, 6, 8))]
    assert failed[0].failure_reason.startswith("blocked: HTTP 200") and failed[0].raw is None
    (snapshot_copy / "faults.json").write_text("[]")
    (again,) = crawl(settings, only="dod_releases")
    assert again.status == "finished" and again.error is None
    release = [d for d in _dod_documents(settings) if d.external_id == "release:4511232"]
    assert [d.status for d in release] == ["pending"] and release[0].raw  # the failure was filled in
    assert any(d.doc_type == "List PDF" and d.publication_date == date(2026, 6, 8) for d in _dod_documents(settings))


def test_an_unanswering_dod_is_unreachable(isolated_settings, snapshot_copy, monkeypatch):
    settings = _snapshot(
        snapshot_copy,
        monkeypatch,
        [{"path": RSS, "status": 503, "body": "busy"}, {"path": SEARCH, "status": 503, "body": "busy"}],
    )
    (run,) = crawl(settings, only="dod_releases")
    assert run.status == "unreachable" and not run.is_failure
    assert run.error.startswith("HTTP 503 from https://www.defense.gov/") and "2 unreachable" in run.error


def test_the_release_search_back_fills_beyond_the_feed(isolated_settings, snapshot_copy, monkeypatch):
    # The real feed holds the newest 100 releases of every kind: here it reaches back 30 days only.
    settings = _snapshot(snapshot_copy, monkeypatch, [], rss_window_days=30)
    (first,) = crawl(settings, only="dod_releases")
    assert first.status == "finished" and first.new == 10 and first.failed == 0
    releases = sorted(
        (d.publication_date, d.external_id) for d in _dod_documents(settings) if d.doc_type == "DoD Release"
    )
    assert releases[0] == (date(2021, 6, 3), "release:2645126") and len(releases) == 5
    assert {d.url.split("/")[2] for d in _dod_documents(settings)} == {
        "www.defense.gov",
        "www.war.gov",
        "media.defense.gov",
    }
    (second,) = crawl(settings, only="dod_releases")  # the window is short now: one listing page, no re-reads
    assert second.new == 0 and second.changed == 0 and second.requests < first.requests


# -- the spider, fed by hand -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay():
    with ReplayServer(DATA_DIR / "snapshot", as_of=date(2026, 11, 25)) as server:
        yield server


def _spider(replay, **kwargs) -> DodReleasesSpider:
    return DodReleasesSpider(
        feeds=replay.localise(LIVE_FEED),
        url_map=json.dumps(replay.url_map()),
        search_url=replay.localise("https://www.defense.gov/News/Releases/Search/1260H/"),
        **kwargs,
    )


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_the_feed_back_fills_only_when_it_does_not_reach_the_window(replay):
    url = replay.localise(LIVE_FEED)
    body = _get(url)
    reaching = list(
        _spider(replay, since="2021-06-03").parse_feed(XmlResponse(url=url, body=body, request=Request(url)))
    )
    assert not any(r.callback.__name__ == "parse_search" for r in reaching)
    short = list(_spider(replay, since="2021-01-01").parse_feed(XmlResponse(url=url, body=body, request=Request(url))))
    (search,) = [r for r in short if r.callback.__name__ == "parse_search"]
    assert search.url.endswith("/_host/www.defense.gov/News/Releases/Search/1260H/")


def test_the_search_listing_pages_until_the_window_ends(replay):
    spider = _spider(replay, since="2024-01-31")
    url = spider.search_url
    response = HtmlResponse(url=url, body=_get(url), request=Request(url), encoding="utf-8")
    requests = list(spider.parse_search(response, page=1))
    assert [(r.cb_kwargs["guid"], r.cb_kwargs["day"]) for r in requests] == [
        ("4511232", "2026-06-08"),
        ("4021542", "2025-01-06"),
        ("3661985", "2024-01-31"),
    ]  # then older: stop
    everything = list(_spider(replay, since="2021-01-01").parse_search(response, page=1))
    assert len(everything) == 6 and everything[-1].url.endswith("/Search/1260H/?Page=2")


def test_a_changed_search_listing_is_a_failure_naming_the_difference(replay):
    spider = _spider(replay)
    url = spider.search_url
    for body, reason in [
        (
            b"<html><body><ul class='stories'><li>x</li></ul></body></html>",
            "release search listing changed shape: div.release-list: expected one, got 0",
        ),
        (
            b'<div class="alist stories release-list"><div article-id="1" article-title="1260H" '
            b'article-url="/x/"><span>soon</span></div></div>',
            "release search listing changed shape: div.release-list item[0]/time: expected a date, got ''",
        ),
    ]:
        (failure,) = spider.parse_search(HtmlResponse(url=url, body=body, request=Request(url)), page=1)
        assert isinstance(failure, FailureItem) and failure.reason == reason and failure.body == body


def test_a_blocked_feed_is_counted_and_falls_back_to_the_search(replay):
    spider = _spider(replay, since="2025-01-01")
    spider.crawler = get_crawler(DodReleasesSpider)
    spider.crawler.stats.open_spider()
    url = spider.feeds[0]
    outputs = list(spider.parse_feed(HtmlResponse(url=url, body=BLOCK_PAGE.encode(), status=200, request=Request(url))))
    assert [r.callback.__name__ for r in outputs] == ["parse_search"]
    status, reason = blocking.run_status(spider.crawler.stats)
    assert status == "blocked" and reason.startswith("HTTP 200 from https://www.defense.gov/DesktopModules/")
    page = HtmlResponse(url=url, body=b"<html>" + b"<p>release</p>" * 50 + b"</html>", request=Request(url))
    (item,) = [
        o
        for o in spider.parse_release(page, title="t", day="2026-06-08", guid="4511232")
        if isinstance(o, DocumentItem)
    ]  # an ordinary page is stored as before


def test_proxy_and_user_agent_are_for_dod_requests_and_the_proxy_is_a_secret(monkeypatch, caplog):
    proxy = "http://scott:t1ger%2Fsecret@proxy.example:3128"
    monkeypatch.setenv("RISKWATCH_DOD_PROXY", proxy)
    monkeypatch.setenv("RISKWATCH_DOD_USER_AGENT", "Mozilla/5.0 (riskwatch test)")
    get_settings.cache_clear()
    settings = get_settings()
    spider = DodReleasesSpider(feeds=LIVE_FEED, validators=json.dumps({}))
    request = spider.conditional(
        "https://www.war.gov/News/Releases/Release/Article/4511232/x/", callback=spider.parse_release
    )
    assert request.meta["proxy"] == proxy and request.headers["User-Agent"] == b"Mozilla/5.0 (riskwatch test)"
    HttpProxyMiddleware(auth_encoding="latin-1").process_request(request)
    assert request.meta["proxy"] == "http://proxy.example:3128"  # credentials moved into the header
    authorization = request.headers["Proxy-Authorization"].decode().split()[-1]
    offline = DodReleasesSpider(
        feeds="http://127.0.0.1:9/RSS.ashx", url_map=json.dumps([["http://127.0.0.1:9", "https://www.defense.gov"]])
    )
    assert "proxy" not in offline.conditional("http://127.0.0.1:9/x", callback=offline.parse_release).meta
    secrets = redact.secrets_of(settings)
    assert {proxy, "t1ger%2Fsecret", "t1ger/secret", authorization} <= set(secrets)
    redact.install(settings)
    try:
        logging.getLogger("scrapy.core.scraper").error(
            "proxy %s said no (%s, %s)", proxy, "t1ger/secret", authorization
        )
    finally:
        logging.setLogRecordFactory(logging.getLogRecordFactory().riskwatch_base)
    logged = caplog.records[-1].getMessage()
    assert "t1ger" not in logged and authorization not in logged and logged == "proxy *** said no (***, ***)"


# -- the dashboard -----------------------------------------------------------------------------------


def test_the_sources_page_and_the_overview_show_a_blocked_dod(isolated_settings):
    from streamlit.testing.v1 import AppTest

    from db import queries
    from db.engine import init_db
    from core.settings import PROJECT_ROOT

    engine = make_engine(isolated_settings.resolved_database_url)
    init_db(engine)
    with Session(engine) as session:
        for source, status, error in [
            ("federal_register", "finished", None),
            ("dod_releases", "finished", None),
            ("dod_releases", "blocked", "HTTP 403 from https://www.defense.gov/x: CDN block page"),
            ("dod_releases", "blocked", "HTTP 403 from https://www.defense.gov/y: CDN block page"),
        ]:
            run = queries.start_crawl_run(session, source=source, mode="live", as_of=None)
            queries.finish_crawl_run(session, run_id=run.id, status=status, counts={}, error=error)
    engine.dispose()
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / "sources.py"), default_timeout=60).run()
    assert not app.exception
    frame = app.dataframe[0].value.set_index("source")
    assert frame.loc["dod_releases", "status"] == "blocked" and frame.loc["dod_releases", "runs since OK"] == 2
    assert frame.loc["dod_releases", "last OK"].endswith("UTC") and "HTTP 403" in frame.loc["dod_releases", "reason"]
    assert frame.loc["federal_register", "status"] == "finished" and frame.loc["news", "status"] == "never run"
    overview = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not overview.exception
    (warning,) = overview.warning
    assert warning.value.startswith("Source dod_releases: blocked (last OK run: ") and "HTTP 403" in warning.value

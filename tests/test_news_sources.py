"""Real news sources: GDELT DOC 2.0 answers, Atom and RSS feeds, Google News items, article-domain policy.

Pure parse functions on recorded-shape answers, the spider's callbacks on them, and real crawls
(Scrapy in a subprocess) against the offline replay server.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from sqlmodel import Session, select

from crawler.items import DocumentItem, FailureItem
from crawler.spiders import gdelt
from crawler.spiders.feeds import FeedError, article_policy, google_news_text, parse_feed, policy_allows
from crawler.spiders.news import NewsSpider
from db.engine import make_engine
from db.models import Document
from core.settings import DATA_DIR, get_settings
from jobs import steps
from jobs.replay import ReplayServer
from core.sources import SourceConfig, load_sources

DATA = Path(__file__).parent / "data" / "news"
THROTTLE = b"Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com for larger queries."
GDELT_URL = "https://api.gdeltproject.org/api/v2/doc/doc"


def gdelt_response(
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/json; charset=utf-8",
    url: str = GDELT_URL + "?query=1260H&mode=artlist&format=json",
) -> TextResponse:
    return TextResponse(url=url, body=body, status=status, headers={"Content-Type": content_type}, request=Request(url))


# ------------------------------------------------------------------------------------------ GDELT answers


def test_recorded_shape_artlist_is_read():
    records = gdelt.parse_artlist((DATA / "gdelt_artlist.json").read_bytes())
    articles = [gdelt.gdelt_article(r) for r in records]
    assert len(articles) == 3
    first = articles[0]
    assert first.url == "https://www.reuters.com/world/china/pentagon-list-update-example-2026-06-08/"
    assert first.seen == datetime(2026, 6, 8, 21, 45, tzinfo=timezone.utc)
    assert first.domain == "reuters.com" and first.sourcecountry == "United States"
    assert first.language_code == "en" and articles[2].language_code == "de"
    assert articles[1].title == "Pentagon names more Chinese military companies , adds carmaker"  # GDELT's spacing kept
    assert articles[1].seen is None  # an unreadable seendate leaves the article undated


@pytest.mark.parametrize(
    "body, status",
    [
        (THROTTLE, 200),  # the plain-text notice with HTTP 200
        (THROTTLE, 429),  # ... and as GDELT now mostly sends it
        (b"Please limit requests to one every 5 seconds.\n", 200),
    ],
)
def test_throttle_notice_is_a_failure_never_an_empty_result(body, status):
    with pytest.raises(gdelt.GdeltAnswerError) as caught:
        gdelt.parse_artlist(body, status=status)
    assert caught.value.throttled and "one every 5 seconds" in str(caught.value)


@pytest.mark.parametrize("body", [b"{}", b'{"articles": []}', b'{"articles": null}', b"  {}\n"])
def test_empty_answer_is_normal(body):
    assert gdelt.parse_artlist(body) == []


@pytest.mark.parametrize(
    "body, words",
    [
        (b"The specified phrase is too short.", "phrase is too short"),
        (b"Queries containing OR'd terms must be surrounded by ().", "surrounded by"),
        (b"", "empty body"),
        (b"[]", "not JSON"),
        (b'{"articles": {"url": "x"}}', "not a list"),
        (b'{"timeline": []}', "no 'articles'"),
        (b'{"articles": [', "not valid JSON"),
    ],
)
def test_other_text_answers_are_failures_with_gdelts_words(body, words):
    with pytest.raises(gdelt.GdeltAnswerError) as caught:
        gdelt.parse_artlist(body)
    assert words in str(caught.value) and not caught.value.throttled


def test_article_title_that_mentions_rate_limits_is_not_a_throttle():
    body = json.dumps(
        {
            "articles": [
                {
                    "url": "https://a.example/x",
                    "title": "Please limit requests to one every 5 seconds, says API",
                    "seendate": "20260608T134500Z",
                }
            ]
        }
    ).encode()
    assert len(gdelt.parse_artlist(body)) == 1


def test_artlist_url_has_the_apis_own_parameters():
    url = gdelt.artlist_url(
        GDELT_URL,
        '"Chinese military companies" Pentagon',
        start=datetime(2026, 6, 1, tzinfo=timezone.utc),
        max_records=900,
    )
    params = parse_qs(urlsplit(url).query)
    assert params["query"] == ['"Chinese military companies" Pentagon']
    assert params["mode"] == ["artlist"] and params["format"] == ["json"] and params["sort"] == ["datedesc"]
    assert params["maxrecords"] == ["250"] and params["startdatetime"] == ["20260601000000"]
    assert "enddatetime" not in params


# ------------------------------------------------------------------------------------------ the spider's callbacks

GDELT_FEED = {"kind": "gdelt", "url": GDELT_URL, "query": "1260H", "article_domains": "any"}


def test_gdelt_answer_becomes_article_requests_on_any_domain():
    spider = NewsSpider(feeds=json.dumps([GDELT_FEED]), since="2026-01-01")
    outputs = list(spider.parse_gdelt(gdelt_response((DATA / "gdelt_artlist.json").read_bytes()), feed=GDELT_FEED))
    assert [o.url for o in outputs] == [
        "https://www.reuters.com/world/china/pentagon-list-update-example-2026-06-08/",
        "https://www.scmp.com/news/china/article/3300000/pentagon-list-example",
        "https://www.handelsblatt.com/politik/international/pentagon-liste-beispiel/100000000.html",
    ]
    first, _, german = outputs
    assert first.meta["allow_offsite"] is True and first.meta["article_domains"] == "any"
    assert first.cb_kwargs["day"] == "2026-06-08" and first.cb_kwargs["language"] == "en"
    assert first.cb_kwargs["extra"] == {
        "via": "gdelt",
        "domain": "reuters.com",
        "sourcecountry": "United States",
        "seendate": "20260608T214500Z",
    }
    assert german.cb_kwargs["language"] == "de"
    page = HtmlResponse(
        url=first.url,
        body=b"<html><p>text</p></html>",
        request=first,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    (item,) = first.callback(page, **first.cb_kwargs)
    assert isinstance(item, DocumentItem) and item.external_id == first.url and item.publication_date == "2026-06-08"
    assert item.meta["feed"] == GDELT_URL and item.meta["domain"] == "reuters.com"


def test_gdelt_throttle_answer_is_recorded_with_the_reason():
    spider = NewsSpider(feeds=json.dumps([GDELT_FEED]))
    (failure,) = spider.parse_gdelt(gdelt_response(THROTTLE, content_type="text/plain"), feed=GDELT_FEED)
    assert isinstance(failure, FailureItem) and failure.external_id == "gdelt:1260H"
    assert "throttled" in failure.reason and "one every 5 seconds" in failure.reason and failure.body == THROTTLE


def test_gdelt_empty_answer_yields_nothing():
    spider = NewsSpider(feeds=json.dumps([GDELT_FEED]))
    assert list(spider.parse_gdelt(gdelt_response(b"{}"), feed=GDELT_FEED)) == []


def test_a_full_gdelt_answer_asks_again_for_the_older_part_of_the_window():
    feed = {**GDELT_FEED, "max_records": 2}
    spider = NewsSpider(feeds=json.dumps([feed]), since="2026-06-01")
    body = json.dumps(
        {
            "articles": [
                {"url": "https://a.example/1", "title": "a", "seendate": "20260608T120000Z"},
                {"url": "https://a.example/2", "title": "b", "seendate": "20260605T093000Z"},
            ]
        }
    ).encode()
    *articles, again = spider.parse_gdelt(gdelt_response(body), feed=feed)
    assert len(articles) == 2 and again.callback == spider.parse_gdelt
    params = parse_qs(urlsplit(again.url).query)
    assert params["enddatetime"] == ["20260605093000"] and params["startdatetime"] == ["20260601000000"]


def test_unusable_gdelt_record_is_recorded():
    spider = NewsSpider(feeds=json.dumps([GDELT_FEED]))
    body = json.dumps({"articles": [{"title": "no url"}, {"url": "javascript:alert(1)"}]}).encode()
    outputs = list(spider.parse_gdelt(gdelt_response(body), feed=GDELT_FEED))
    assert [type(o) for o in outputs] == [FailureItem, FailureItem]
    assert "without a url" in outputs[0].reason and "not http(s)" in outputs[1].reason


def test_gdelt_requests_keep_to_one_every_five_seconds():
    slot = NewsSpider.custom_settings["DOWNLOAD_SLOTS"]["api.gdeltproject.org"]
    assert slot["delay"] >= 5 and slot["concurrency"] == 1 and not slot["randomize_delay"]


# ------------------------------------------------------------------------------------------ Atom, RSS, Google News


def test_atom_feed_reads_like_rss():
    feed = parse_feed((DATA / "atom_feed.xml").read_bytes(), base_url="https://www.heise.de/rss/heise-atom.xml")
    assert feed.format == "atom" and len(feed.entries) == 2
    first, second = feed.entries
    assert first.link == "https://www.heise.de/news/Beispiel-Exportkontrollen-10000001.html?wt_mc=rss"  # rel=alternate
    assert first.guid == "http://heise.de/-10000001" and first.day == date(2026, 6, 9)  # published, its own offset
    assert first.summary == "Platzhalter & Beispiel: Pentagon-Liste."
    assert second.link == "https://www.heise.de/news/ohne-rel.html" and second.day == date(2026, 6, 8)  # updated


def test_rss_feed_still_reads():
    feed = parse_feed(
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><title>a</title>"
        b"<link>/x.html</link><guid>g</guid><pubDate>Tue, 07 Jan 2025 23:30:00 -0500</pubDate>"
        b"</item></channel></rss>",
        base_url="https://www.example.org/feed.xml",
    )
    (entry,) = feed.entries
    assert (feed.format, entry.link, entry.guid, entry.day) == (
        "rss",
        "https://www.example.org/x.html",
        "g",
        date(2025, 1, 7),
    )


@pytest.mark.parametrize("body", [b"", b'{"a": 1}', b"<html><body>maintenance</body></html>", b"\x00\xff"])
def test_not_a_feed_raises(body):
    with pytest.raises(FeedError):
        parse_feed(body, base_url="https://x.example/feed")


def test_atom_entries_become_requests_and_off_policy_links_are_recorded_refusals():
    feed = {
        "kind": "feed",
        "url": "https://www.heise.de/rss/heise-atom.xml",
        "language": "de",
        "article_domains": ["heise.de"],
    }
    spider = NewsSpider(feeds=json.dumps([feed]))
    body = (
        (DATA / "atom_feed.xml")
        .read_bytes()
        .replace(b"https://www.heise.de/news/ohne-rel.html", b"https://www.elsewhere.example/copy.html")
    )
    request, refusal = spider.parse_feed(
        XmlResponse(url=feed["url"], body=body, request=Request(feed["url"])), feed=feed
    )
    assert request.url.startswith("https://www.heise.de/news/") and request.meta["article_domains"] == ["heise.de"]
    assert isinstance(refusal, FailureItem) and refusal.url == "https://www.elsewhere.example/copy.html"
    assert "outside the feed's article_domains (heise.de)" in refusal.reason and "not fetched" in refusal.reason
    assert refusal.external_id == "urn:example:2" and refusal.publication_date == "2026-06-08"


def test_keywords_keep_only_entries_that_name_one():
    feed = {
        "kind": "feed",
        "url": "https://www.heise.de/rss/heise-atom.xml",
        "article_domains": ["heise.de"],
        "keywords": ["pentagon"],
    }
    spider = NewsSpider(feeds=json.dumps([feed]))
    body = (DATA / "atom_feed.xml").read_bytes()
    (request,) = spider.parse_feed(XmlResponse(url=feed["url"], body=body, request=Request(feed["url"])), feed=feed)
    assert "Exportkontrollen" in request.url


def test_google_news_item_is_stored_from_the_feed_and_not_followed():
    url = "https://news.google.com/rss/search?q=1260H&hl=de&gl=DE&ceid=DE:de"
    feed = {"kind": "google_news", "url": url, "language": "de", "article_domains": ["news.google.com"]}
    spider = NewsSpider(feeds=json.dumps([feed]))
    body = (DATA / "google_news.xml").read_bytes()
    outputs = list(spider.parse_feed(XmlResponse(url=url, body=body, request=Request(url)), feed=feed))
    assert all(isinstance(o, DocumentItem) for o in outputs) and len(outputs) == 2  # no Request at all
    item = outputs[0]
    assert item.url.startswith("https://news.google.com/rss/articles/CBMi") and item.external_id == item.url
    assert item.title == "Pentagon setzt drei Konzerne auf die 1260H-Liste"  # " - Outlet" taken off
    assert item.publication_date == "2026-06-09" and item.language == "de" and item.doc_type == "Article"
    text = item.body.decode()
    assert text.splitlines()[:2] == [
        "Pentagon setzt drei Konzerne auf die 1260H-Liste",
        "Beispielblatt (https://www.beispielblatt.example)",
    ]
    assert item.meta["outlet"] == "Beispielblatt" and item.meta["link_followed"] is False


def test_google_news_text_without_outlet():
    (entry,) = parse_feed(
        b"<rss><channel><item><title>Nur Titel</title><link>https://news.google.com/rss/articles/x"
        b"</link></item></channel></rss>",
        base_url="https://news.google.com/rss",
    ).entries
    assert google_news_text(entry) == "Nur Titel\n"


# ------------------------------------------------------------------------------------------ domain policy


def test_article_policy_values():
    assert article_policy("any", "https://f.example/x") is None
    assert article_policy(None, "https://feeds.example.org/rss") == ("feeds.example.org",)
    assert article_policy(["Reuters.com"], "https://feeds.reuters.com/x") == ("reuters.com",)
    for bad in ("all", [], [""], 3, {"a": 1}):
        with pytest.raises(ValueError):
            article_policy(bad, "https://f.example/x")
    policy = ("reuters.com",)
    assert policy_allows(policy, "https://www.reuters.com/a") and policy_allows(policy, "https://reuters.com/a")
    assert not policy_allows(policy, "https://notreuters.com/a") and not policy_allows(policy, "http://[x")
    assert policy_allows(None, "https://anything.example/")
    for internal in (
        "http://localhost:8080/",
        "http://127.0.0.1/x",
        "http://10.0.0.5/",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://intranet.localhost/",
    ):
        assert not policy_allows(None, internal), internal  # "any" means any public host


def test_bad_feed_configuration_stops_the_spider():
    with pytest.raises(ValueError, match="unknown kind"):
        NewsSpider(feeds=json.dumps([{"kind": "twitter", "url": "https://x.example"}]))
    with pytest.raises(ValueError, match="needs a query"):
        NewsSpider(feeds=json.dumps([{"kind": "gdelt", "url": GDELT_URL}]))
    with pytest.raises(ValueError, match="article_domains"):
        NewsSpider(feeds=json.dumps([{"kind": "feed", "url": "https://x.example", "article_domains": "all"}]))


def test_configured_news_sources_are_real_and_each_has_a_policy():
    (news,) = [s for s in load_sources() if s.kind == "news"]
    assert not any(".example" in f["url"] for f in news.args["feeds"])
    assert {f["kind"] for f in news.args["feeds"]} == {"gdelt", "feed", "google_news"}
    assert all("article_domains" in f for f in news.args["feeds"])
    spider = NewsSpider(feeds=json.dumps(news.args["feeds"]))  # the configuration is valid
    assert len(spider.feeds) == len([f for f in news.args["feeds"] if f.get("enabled", True)])


# ------------------------------------------------------------------------------------------ the replay answers


@pytest.fixture
def replay():
    with ReplayServer(DATA_DIR / "snapshot", as_of=date(2026, 6, 30)) as server:
        yield server


def _get(url: str) -> tuple[bytes, str]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read(), answer.headers.get("Content-Type", "")


def test_replay_serves_gdelt_atom_and_google_news_shapes(replay):
    query = "(1260H OR Pentagon OR Militärunternehmen) sourcelang:german"
    body, ctype = _get(
        replay.localise(gdelt.artlist_url(GDELT_URL, query, start=datetime(2025, 11, 1, tzinfo=timezone.utc)))
    )
    records = gdelt.parse_artlist(body)
    assert ctype.startswith("application/json") and len(records) == 4
    assert set(records[0]) == {
        "url",
        "url_mobile",
        "title",
        "seendate",
        "socialimage",
        "domain",
        "language",
        "sourcecountry",
    }
    assert records[0]["seendate"] > records[-1]["seendate"] and {r["language"] for r in records} == {"German"}
    assert records[0]["domain"] == "wirtschaftsblatt.example" and records[0]["url"].startswith(replay.origin)
    empty, _ = _get(replay.localise(gdelt.artlist_url(GDELT_URL, "no such recorded query")))
    assert empty == b"{}"
    atom, ctype = _get(replay.localise("https://www.heise.de/rss/heise-atom.xml"))
    feed = parse_feed(atom, base_url="https://www.heise.de/rss/heise-atom.xml")
    assert ctype.startswith("application/atom+xml") and feed.format == "atom" and len(feed.entries) == 3
    news, _ = _get(replay.localise("https://news.google.com/rss/search?q=1260H&hl=de&gl=DE&ceid=DE:de"))
    items = parse_feed(news, base_url="https://news.google.com/rss/search").entries
    assert len(items) == 3 and all(" - " in i.title and i.source and "/rss/articles/CBMi" in i.link for i in items)


# ------------------------------------------------------------------------------------------ real crawls


def _news_source(feeds: list[dict]) -> SourceConfig:
    (news,) = [s for s in load_sources() if s.kind == "news"]
    return SourceConfig(
        name=news.name,
        kind=news.kind,
        spider=news.spider,
        url=news.url,
        allowed_domains=news.allowed_domains,
        schedule=news.schedule,
        first_date=news.first_date,
        overlap_days=news.overlap_days,
        args={"feeds": feeds},
    )


def _docs(settings) -> list[Document]:
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        docs = session.exec(select(Document)).all()
        session.expunge_all()
    engine.dispose()
    return docs


@pytest.fixture
def replay_requests(monkeypatch):
    """The request paths each crawl's replay server saw."""
    seen = []

    class Recording(ReplayServer):
        def stop(self):
            seen.append(self.requests)
            super().stop()

    monkeypatch.setattr(steps, "ReplayServer", Recording)
    return seen


@pytest.mark.slow
def test_offline_crawl_reads_the_snapshot_through_gdelt_and_atom(isolated_settings, replay_requests):
    (run,) = steps.crawl(isolated_settings, only="news")
    assert run.status == "finished" and run.new == 14 and run.failed == 0
    docs = _docs(isolated_settings)
    assert all(d.meta["via"] == "gdelt" and d.meta["feed"] == GDELT_URL for d in docs)
    assert sum(1 for d in docs if d.language == "de") == 6
    latin = next(d for d in docs if d.url.endswith("wb-2025-01-08-tencent-catl.html"))
    assert "iso-8859-1" in latin.content_type and "Militär".encode("iso-8859-1") in latin.raw
    (requests,) = replay_requests
    assert requests["/_host/api.gdeltproject.org/api/v2/doc/doc"] == 3
    assert requests["/_host/www.heise.de/rss/heise-atom.xml"] == 1  # read; no entry names a keyword
    assert not any(path.startswith("/_host/news.google.com") for path in requests)  # off in the config


@pytest.mark.slow
def test_throttle_off_policy_link_and_google_news_through_the_engine(snapshot_copy, monkeypatch, replay_requests):
    news = json.loads((snapshot_copy / "news" / "feeds.json").read_text(encoding="utf-8"))
    atom = next(f for f in news["recorded_feeds"] if f["format"] == "atom")
    page = news["articles"][0]["file"]
    atom["entries"] += [
        {
            "title": "Pentagon-Liste: Beispiel",
            "link": "https://www.heise.de/news/Pentagon-Liste-Beispiel-10000404.html",
            "id": "http://heise.de/-10000404",
            "published": "2026-06-09T12:00:00+02:00",
            "summary": "",
            "file": page,
        },
        {
            "title": "Pentagon-Liste bei einem anderen Anbieter",
            "link": "https://www.elsewhere.example/pentagon.html",
            "id": "http://heise.de/-10000505",
            "published": "2026-06-09T13:00:00+02:00",
            "summary": "",
        },
    ]
    (snapshot_copy / "news" / "feeds.json").write_text(json.dumps(news, ensure_ascii=False), encoding="utf-8")
    (snapshot_copy / "faults.json").write_text(
        json.dumps(
            [
                {
                    "path": "/_host/api.gdeltproject.org/api/v2/doc/doc",
                    "query_contains": "query=1260H&",
                    "status": 200,
                    "body": THROTTLE.decode(),
                    "content_type": "text/plain; charset=utf-8",
                    "times": 1,
                }
            ]
        )
    )
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    get_settings.cache_clear()
    settings = get_settings()
    (configured,) = [s for s in load_sources() if s.kind == "news"]
    feeds = [{**f, "enabled": True} for f in configured.args["feeds"]]
    monkeypatch.setattr(steps, "selected_sources", lambda only: [_news_source(feeds)])

    (run,) = steps.crawl(settings, only="news")
    assert run.status == "finished"
    docs = {d.external_id: d for d in _docs(settings)}
    throttled = docs["gdelt:1260H"]
    assert throttled.status == "failed" and "throttled" in throttled.failure_reason
    assert "one every 5 seconds" in throttled.failure_reason
    refused = docs["http://heise.de/-10000505"]
    assert refused.status == "failed" and refused.url == "https://www.elsewhere.example/pentagon.html"
    assert "outside the feed's article_domains (heise.de)" in refused.failure_reason
    heise = docs["http://heise.de/-10000404"]
    assert heise.status == "pending" and heise.url.startswith("https://www.heise.de/news/") and heise.raw
    google = [d for d in docs.values() if d.meta.get("via") == "google_news"]
    assert len(google) == 3 and all(d.url.startswith("https://news.google.com/rss/articles/") for d in google)
    assert all(d.raw.decode().splitlines()[0] in d.title for d in google)
    # the English articles still came through the second English query
    assert sum(1 for d in docs.values() if d.meta.get("via") == "gdelt") == 14
    (requests,) = replay_requests
    assert not any("/rss/articles/" in path for path in requests)  # Google's redirect pages never requested
    assert not any("elsewhere.example" in path for path in requests)

    # the next run asks GDELT again, and the query answers
    (again,) = steps.crawl(settings, only="news")
    assert again.status == "finished"
    assert replay_requests[1]["/_host/api.gdeltproject.org/api/v2/doc/doc"] == 3

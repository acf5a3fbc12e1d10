"""DoD/War releases, list PDFs and news feeds: parsers and spiders fed saved responses offline."""

from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from crawler.items import DocumentItem
from nlp.official.list_pdf import ListPdfError, parse_list_pdf
from crawler.spiders.dod_releases import DodReleasesSpider, list_date_from_pdf_url
from crawler.spiders.news import NewsSpider
from core.settings import DATA_DIR
from jobs.replay import ReplayServer
from nlp.official import notice_from_list_rows
from core.text import article_text

DEFENSE = DATA_DIR / "snapshot" / "defense"
PDF_2025 = next((DEFENSE / "media" / "2025").rglob("*.PDF"))
PDF_2026 = next((DEFENSE / "media" / "2026").rglob("*.PDF"))


@pytest.mark.parametrize("pdf, rows", [(PDF_2025, 134), (PDF_2026, 188)])
def test_list_pdf_rows(pdf, rows):
    parsed = parse_list_pdf(pdf.read_bytes())
    assert len(parsed) == rows and [r.number for r in parsed] == list(range(1, rows + 1))
    names = {r.name for r in parsed}
    assert ("Alibaba Group Holding Limited" in names) == (rows == 188)


def test_list_pdf_2026_rows_carry_aliases_parents_and_statutory_basis():
    rows = {r.name: r for r in parse_list_pdf(PDF_2026.read_bytes())}
    alibaba = rows["Alibaba Group Holding Limited"]
    assert alibaba.notes == "Alibaba" and alibaba.statutory_basis == ["1260H(g)(2)(B)(i)(I)", "1260H(g)(3)(B)(i)"]
    notice = notice_from_list_rows(list(rows.values()), list_date=date(2026, 6, 8))
    align = next(e for e in notice.listed if e.name == "Align Aerospace LLC")
    assert align.parent == "Aviation Industry Corporation of China, Ltd." and align.aliases == []


def test_truncated_pdf_is_an_error_and_a_scan_has_no_rows():
    data = PDF_2025.read_bytes()
    with pytest.raises(ListPdfError, match="truncated"):
        parse_list_pdf(data[: len(data) // 2])
    with pytest.raises(ListPdfError, match="could not be read"):
        parse_list_pdf(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(ListPdfError, match="not a PDF"):
        parse_list_pdf(b"<html>Access Denied</html>")
    assert parse_list_pdf((DEFENSE / "fixtures" / "scanned-list.pdf").read_bytes()) == []


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://media.defense.gov/2025/Jan/07/2003625471/-1/-1/1/LIST.PDF", date(2025, 1, 7)),
        ("https://media.defense.gov/2024/Jan/31/2003384819/-1/-1/0/1260H-LIST.PDF", date(2024, 1, 31)),
        ("https://media.defense.gov/files/list.pdf", None),
    ],
)
def test_list_date_comes_from_the_pdf_path(url, expected):
    assert list_date_from_pdf_url(url) == expected


@pytest.fixture(scope="module")
def replay():
    with ReplayServer(DATA_DIR / "snapshot", as_of=date(2026, 11, 25)) as server:
        yield server


def _dod(replay):
    return DodReleasesSpider(
        feeds=replay.localise("https://www.defense.gov/DesktopModules/ArticleCS/RSS.ashx?max=100"),
        url_map=__import__("json").dumps(replay.url_map()),
    )


def _fetch(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_release_feed_keeps_1260h_releases_and_skips_the_rest(replay):
    spider = _dod(replay)
    url = spider.feeds[0]
    requests = list(spider.parse_feed(XmlResponse(url=url, body=_fetch(url), request=Request(url))))
    titles = [r.cb_kwargs["title"] for r in requests]
    assert len(titles) == 5 and all("List of" in t for t in titles)
    assert not any(t.startswith("Contracts for") for t in titles)


def test_release_page_is_stored_with_live_urls_and_its_pdf_followed(replay):
    spider = _dod(replay)
    url = replay.localise(
        "https://www.war.gov/News/Releases/Release/Article/4511232/"
        "dow-releases-list-of-chinese-military-companies-in-accordance-with-section-1260h/"
    )
    response = HtmlResponse(
        url=url, body=_fetch(url), headers={"Content-Type": "text/html; charset=utf-8"}, request=Request(url)
    )
    item, pdf_request = spider.parse_release(response, title="DOW Releases List", day="2026-06-08", guid="4511232")
    assert isinstance(item, DocumentItem) and item.url.startswith("https://www.war.gov/News/Releases/")
    assert replay.origin.encode() not in item.body and b"https://media.defense.gov/2026/Jun/08/" in item.body
    assert pdf_request.url.startswith(replay.origin) and pdf_request.url.endswith(".PDF")


def test_news_feed_and_article(replay):
    import json

    feed = {"url": replay.localise("https://www.wirtschaftsblatt.example/feed/handel.xml"), "language": "de"}
    spider = NewsSpider(feeds=json.dumps([feed]), url_map=json.dumps(replay.url_map()))
    requests = list(
        spider.parse_feed(
            XmlResponse(url=feed["url"], body=_fetch(feed["url"]), request=Request(feed["url"])), feed=feed
        )
    )
    assert len(requests) >= 5
    seed = next(r for r in requests if "pentagon-vorschlag" in r.url)
    body = _fetch(seed.url)
    response = HtmlResponse(
        url=seed.url, body=body, request=Request(seed.url), headers={"Content-Type": "text/html; charset=iso-8859-1"}
    )
    (item,) = spider.parse_article(response, **seed.cb_kwargs)
    assert item.language == "de" and item.url.startswith("https://www.wirtschaftsblatt.example/2025/11/")
    text = article_text(item.body, item.content_type)
    assert "Alibaba" in text and "Militär" in text  # ISO-8859-1 decoded
    assert "analytics" not in text and "Cookies" not in text and "Börsen schließen" not in text

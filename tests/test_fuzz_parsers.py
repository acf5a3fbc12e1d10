"""Property tests ("fuzzing") for every parser of untrusted input.

Each parser is fed arbitrary bytes/text and structurally plausible mutations of
real inputs from data/snapshot. The contract checked everywhere: no unhandled
exception, and every input ends as either a parsed item or a recorded rejection
with a non-empty reason (a FailureItem, or the exception type the caller catches
and records).
"""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import date, datetime, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse

from crawler.items import DeskStatusItem, DocumentItem, FailureItem
from nlp.official.list_pdf import ListPdfError, ListRow, parse_list_pdf
from crawler.spiders.dod_releases import RELEVANT as DOD_RELEVANT
from crawler.spiders.dod_releases import DodReleasesSpider, list_date_from_pdf_url
from crawler.spiders.federal_register import RESULT_FIELDS, FederalRegisterSpider
from crawler.spiders.news import NewsSpider
from crawler.spiders.public_inspection import PublicInspectionSpider
from core.settings import DATA_DIR
from core.dates import find_dates, parse_date
from nlp.official import (
    ListedName,
    NoticeFormatError,
    OfficialNotice,
    notice_from_list_rows,
    parse_heading,
    parse_notice,
    split_entry,
)
from core.text import TextExtractionError, article_text, decode, document_text, html_to_text
from scoring.screening import (
    FORMULA_PREFIXES,
    ScreeningInputError,
    ScreeningResult,
    read_counterparties,
    results_csv,
    safe_cell,
)

SNAPSHOT = DATA_DIR / "snapshot"
API = "http://127.0.0.1:9/api/v1"
URL_MAP = '[["http://127.0.0.1:9", "https://www.federalregister.gov"]]'
FR_RESULT = json.loads((SNAPSHOT / "federal_register" / "documents" / "2025-00070.json").read_text())
PI_RESULT = json.loads((SNAPSHOT / "federal_register" / "public_inspection" / "2026-02984.json").read_text())
FR_FULL_TEXT = (SNAPSHOT / "federal_register" / "full_text" / "2025-00070.html").read_bytes()
SMALL_PDF = (
    SNAPSHOT / "defense" / "media" / "2021" / "Jun" / "03" / "2002734561" / "-1" / "-1" / "0" / "1260H-LIST.PDF"
).read_bytes()
RELEASE_PAGE = (SNAPSHOT / "defense" / "pages" / "4511232.html").read_bytes()
NEWS_ARTICLES = json.loads((SNAPSHOT / "news" / "feeds.json").read_text())["articles"]
DOD_RELEASES = json.loads((SNAPSHOT / "defense" / "releases.json").read_text())["releases"]


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# ---------------------------------------------------------------------------------------------- strategies

JSON_KEYS = st.sampled_from(
    RESULT_FIELDS
    + ["results", "count", "next_page_url", "total_pages", "filed_at", "toc_subject", "toc_doc", "slug", "description"]
) | st.text(max_size=8)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "1260H",
            "http://[",
            "//",
            "javascript:alert(1)",
            "2025-01-07",
            "relative/x.pdf",
            "http://127.0.0.1:9/api/v1/x.html",
            "Chinese Military Companies 1260H",
        ]
    )
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_KEYS, inner, max_size=5),
    max_leaves=12,
)


@st.composite
def mutated_json(draw, base):
    """``base`` with a few values replaced by arbitrary JSON, or keys/items deleted."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        node = doc
        while isinstance(node, (dict, list)) and node:
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            child = node[key]
            if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                node = child
                continue
            if draw(st.booleans()):
                del node[key]
            else:
                node[key] = draw(JSON_VALUES)
            break
    return doc


@st.composite
def mutated_bytes(draw, base: bytes, *, keep_tail: bytes = b""):
    """``base`` truncated, with bytes flipped, inserted or deleted; optionally re-ending with ``keep_tail``."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            del data[at:]
        elif op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 64))]
    if keep_tail and draw(st.booleans()):
        data += keep_tail
    return bytes(data)


def xml_text(max_size=40):
    """Text that can stand in an XML document (no control characters or surrogates)."""
    return st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=max_size)


PUB_DATES = (
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)).map(
        format_datetime
    )
    | st.sampled_from(
        [
            "",
            "Mon, 01 Jan 99999999999999999999 00:00:00 +0000",
            "Fri, 31 Feb 2025 10:00:00 +0000",
            "Tue, 07 Jan 2025 25:61:61 +0000",
            "Tue, 07 Jan 2025 10:00:00 +9999",
            "garbage",
            "07 Jan 2025",
            "Tue, 07 Jan 0 10:00:00 GMT",
            "Thu, 01 Jan 10000 00:00:00 +0000",
        ]
    )
    | xml_text(30)
)
LINKS = (
    st.sampled_from(
        [
            "https://www.compliance-wire.example/a.html",
            "/relative/path.html",
            "http://[bad",
            "http://[::1",
            "javascript:alert(1)",
            "mailto:x@example.org",
            "  ",
            "",
            "//host/x",
            "https://exa mple.org/x y",
            "http://127.0.0.1:9/x#frag",
        ]
    )
    | st.builds(lambda a: a["url"], st.sampled_from(NEWS_ARTICLES))
    | xml_text(30)
)

RESPONSE_CLASSES = st.sampled_from([TextResponse, HtmlResponse, XmlResponse, Response])


def make_response(cls, url: str, body: bytes, content_type: str | None = None):
    headers = {"Content-Type": content_type} if content_type else {}
    if cls is Response:
        return Response(url=url, body=body, headers=headers, request=Request(url))
    return cls(url=url, body=body, encoding="utf-8", headers=headers, request=Request(url))


# ---------------------------------------------------------------------------------------------- item checks


def _opt_str(value) -> bool:
    return value is None or isinstance(value, str)


def check_document(item: DocumentItem, source: str):
    assert item.source == source
    assert isinstance(item.external_id, str) and item.external_id
    assert isinstance(item.url, str) and item.url
    assert isinstance(item.body, bytes)
    for value in (item.content_type, item.title, item.doc_type, item.publication_date, item.language):
        assert _opt_str(value), item
    assert isinstance(item.meta, dict)
    json.dumps(item.meta)  # storable as JSON


def check_failure(item: FailureItem, source: str):
    assert item.source == source
    assert isinstance(item.reason, str) and item.reason.strip(), item
    assert isinstance(item.external_id, str) and item.external_id
    assert isinstance(item.url, str) and item.url
    assert item.body is None or isinstance(item.body, bytes)
    assert _opt_str(item.publication_date)
    json.dumps(item.meta)


def check_outputs(outputs, spider, callbacks):
    """Every yielded object is a Request to one of ``callbacks`` or a well-formed item."""
    for out in outputs:
        if isinstance(out, Request):
            assert out.callback in callbacks, out
            assert out.errback is not None
            assert out.url.startswith(("http://", "https://")) or ":" in out.url
        elif isinstance(out, DocumentItem):
            check_document(out, spider.source)
        elif isinstance(out, FailureItem):
            check_failure(out, spider.source)
        elif isinstance(out, DeskStatusItem):
            assert out.status in ("published", "withdrawn") and out.external_id
        else:
            raise AssertionError(f"unexpected output {out!r}")


def _loads(body: bytes):
    try:
        return json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return ValueError


# ---------------------------------------------------------------------------------------------- 1. Federal Register


def fr_spider():
    return FederalRegisterSpider(api_base=API, url_map=URL_MAP)


def fr_page(results, **extra):
    return {"count": len(results), "total_pages": 2, "results": results, **extra}


def fr_expectations(payload):
    """(min, max) number of outputs the search page should give, computed independently of the spider."""
    if not isinstance(payload, dict):
        return 1, 1  # a page-level failure
    results = payload.get("results")
    if results is None:
        return (0, 0) if payload.get("count") == 0 else (1, 1)
    if not isinstance(results, list):
        return 1, 1
    seen, expected = set(), 0
    for result in results:
        number = result.get("document_number") if isinstance(result, dict) else None
        if isinstance(number, str) and number:
            if number in seen:
                continue
            seen.add(number)
        expected += 1
    has_next = bool(payload.get("next_page_url"))
    return expected + has_next, expected + has_next


def check_fr_parse(body: bytes, cls=TextResponse):
    spider = fr_spider()
    outputs = list(spider.parse(make_response(cls, f"{API}/documents.json?page=1", body)))
    check_outputs(outputs, spider, {spider.parse, spider.parse_full_text})
    payload = _loads(body) if cls is not Response else ValueError
    if payload is ValueError:
        (failure,) = outputs
        assert isinstance(failure, FailureItem) and "not JSON" in failure.reason and failure.body == body
        return outputs
    low, high = fr_expectations(payload)
    assert low <= len(outputs) <= high, (payload, outputs)
    results = payload.get("results") if isinstance(payload, dict) else None
    if (
        not isinstance(payload, dict)
        or (results is None and payload.get("count") != 0)
        or (results is not None and not isinstance(results, list))
    ):
        (failure,) = outputs  # the page itself is rejected, with the page kept
        assert isinstance(failure, FailureItem) and failure.body == body
    return outputs


@fuzz(150)
@given(body=st.binary(max_size=300), cls=RESPONSE_CLASSES)
@example(body=b"[" * 100_000, cls=TextResponse)  # nesting deeper than the JSON decoder's recursion limit
@example(body=b'{"results": 5}', cls=TextResponse)
@example(body=b'{"results": [], "next_page_url": "http://["}', cls=TextResponse)
def test_federal_register_search_page_arbitrary_bytes(body, cls):
    check_fr_parse(body, cls)


@fuzz(200)
@given(payload=JSON_VALUES | st.builds(fr_page, st.lists(JSON_VALUES, max_size=4)))
@example(payload={"results": [{"document_number": [1]}]})
@example(payload={"results": [{"document_number": "1", "body_html_url": 5}]})
@example(payload={"results": [{"document_number": "1", "title": 5, "publication_date": 7}]})
@example(payload={"results": [{"document_number": "1", "body_html_url": "http://["}]})
@example(payload={"results": [], "next_page_url": 5})
def test_federal_register_search_page_arbitrary_json(payload):
    check_fr_parse(json.dumps(payload).encode())


REAL_FR_PAGE = fr_page(
    [FR_RESULT, {**FR_RESULT, "document_number": "2025-00071"}], next_page_url=f"{API}/documents.json?page=2"
)


@fuzz(200)
@given(payload=mutated_json(REAL_FR_PAGE))
def test_federal_register_search_page_mutated_real_json(payload):
    outputs = check_fr_parse(json.dumps(payload).encode())
    if payload == REAL_FR_PAGE:
        assert [type(o) for o in outputs] == [Request, Request, Request]


@fuzz(60)
@given(body=mutated_bytes(json.dumps(REAL_FR_PAGE).encode()))
def test_federal_register_search_page_mutated_real_bytes(body):
    check_fr_parse(body)


@fuzz(120)
@given(
    result=mutated_json(FR_RESULT).filter(lambda r: isinstance(r, dict)),
    body=st.binary(max_size=200) | mutated_bytes(FR_FULL_TEXT[:4000]),
    cls=RESPONSE_CLASSES,
    content_type=st.sampled_from([None, "text/html; charset=utf-8", "application/pdf", "text/plain; charset=idna"]),
)
def test_federal_register_full_text_becomes_one_document(result, body, cls, content_type):
    """parse() only follows results with a document_number string; whatever the rest, one DocumentItem."""
    spider = fr_spider()
    result["document_number"] = "2025-00070"
    url = "http://127.0.0.1:9/documents/full_text/html/2025/01/07/2025-00070.html"
    (item,) = list(spider.parse_full_text(make_response(cls, url, body, content_type), result=result))
    check_document(item, "federal_register")
    assert item.external_id == "2025-00070" and item.body == body


# ---------------------------------------------------------------------------------------------- 2. Public inspection


def pi_spider():
    return PublicInspectionSpider(api_base=API, since="2026-02-12", until="2026-02-13", url_map=URL_MAP)


def check_pi_day(body: bytes, cls=TextResponse):
    spider = pi_spider()
    assert spider.days == [date(2026, 2, 12), date(2026, 2, 13)]  # business days only
    outputs = list(spider.parse_day(make_response(cls, spider.day_url(spider.days[0]), body), index=0))
    check_outputs(outputs, spider, {spider.parse_day, spider.parse_text, spider.left_desk})
    next_days = [o for o in outputs if isinstance(o, Request) and o.callback == spider.parse_day]
    payload = _loads(body) if cls is not Response else ValueError
    listing_ok = isinstance(payload, dict) and isinstance(payload.get("results", []), list)
    failures = [o for o in outputs if isinstance(o, FailureItem)]
    if not listing_ok:
        # an unreadable day stops the walk: nothing after it is read or inferred
        assert next_days == [] and len(failures) == 1 and "listing unreadable" in failures[0].reason
        assert failures[0].body == body and len(outputs) == 1
    else:
        # a readable listing: the next business day is asked for, exactly once
        assert len(next_days) == 1 and next_days[0].cb_kwargs["index"] == 1
        assert len(outputs) - 1 <= len(payload.get("results", []))
        for failure in failures:  # rejections of single documents name the document
            assert failure.external_id in {r.get("document_number") for r in payload["results"] if isinstance(r, dict)}
    return outputs


@fuzz(120)
@given(body=st.binary(max_size=300), cls=RESPONSE_CLASSES)
@example(body=b"[" * 100_000, cls=TextResponse)
@example(body=b'{"results": 5}', cls=TextResponse)
def test_public_inspection_listing_arbitrary_bytes(body, cls):
    check_pi_day(body, cls)


RELEVANT_PI = {"document_number": "X-1", "title": "1260H", "agencies": [{"slug": "defense-department"}]}


@fuzz(200)
@given(
    payload=JSON_VALUES
    | st.builds(lambda rs: {"results": rs}, st.lists(JSON_VALUES, max_size=4))
    | mutated_json({"results": [PI_RESULT, RELEVANT_PI]})
)
@example(payload={"results": [RELEVANT_PI]})  # relevant, but neither raw_text_url nor html_url
@example(payload={"results": [{**RELEVANT_PI, "agencies": 5}]})
@example(payload={"results": [{**RELEVANT_PI, "agencies": [{"slug": 5}]}]})
@example(payload={"results": [{**RELEVANT_PI, "document_number": [1]}]})
@example(payload={"results": [{**RELEVANT_PI, "raw_text_url": "http://["}]})
def test_public_inspection_listing_json(payload):
    check_pi_day(json.dumps(payload).encode())


@fuzz(100)
@given(
    result=mutated_json(PI_RESULT).filter(lambda r: isinstance(r, dict)),
    body=st.binary(max_size=200),
    cls=RESPONSE_CLASSES,
)
@example(result={**PI_RESULT, "title": 5, "filed_at": 5}, body=b"", cls=TextResponse)
def test_public_inspection_text_becomes_one_document(result, body, cls):
    spider = pi_spider()
    result["document_number"] = "2026-02984"
    url = "http://127.0.0.1:9/public-inspection/2026-02984.txt"
    (item,) = list(spider.parse_text(make_response(cls, url, body), result=result, day=date(2026, 2, 13)))
    check_document(item, "public_inspection")
    assert item.external_id == "2026-02984" and item.doc_type == "Public Inspection"


# ---------------------------------------------------------------------------------------------- 3. RSS feeds and releases

FEED = {"url": "http://127.0.0.1:9/feed.xml", "language": "en"}


def rss(items) -> bytes:
    parts = ["<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"]
    for item in items:
        parts.append("<item>" + "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


RSS_ITEMS = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(["", "1260H list update", "Contracts for May"]) | xml_text(),
            "link": LINKS,
            "pubDate": PUB_DATES,
        },
        optional={"guid": xml_text(20), "description": xml_text(40)},
    ),
    max_size=5,
)


def check_feed(outputs, spider, callback):
    check_outputs(outputs, spider, {callback})
    for out in outputs:
        if isinstance(out, Request):
            assert out.cb_kwargs["day"] is None or date.fromisoformat(out.cb_kwargs["day"])
            assert isinstance(out.cb_kwargs["title"], str)


@fuzz(150)
@given(
    body=st.binary(max_size=300)
    | mutated_bytes(
        rss(
            [
                {"title": a["title"], "link": a["url"], "pubDate": "Tue, 07 Jan 2025 15:40:00 +0000"}
                for a in NEWS_ARTICLES[:3]
            ]
        )
    ),
    cls=RESPONSE_CLASSES,
)
@example(body=b'{"a": 1}', cls=TextResponse)  # a JSON error page where the feed should be
@example(body=b"<rss><item><link>x</link></item></rss>", cls=Response)  # served with a binary content type
def test_news_feed_arbitrary_bytes(body, cls):
    spider = NewsSpider(feeds=json.dumps([FEED]))
    outputs = list(spider.parse_feed(make_response(cls, FEED["url"], body), feed=FEED))
    check_feed(outputs, spider, spider.parse_article)
    if b"<item" not in body.lower():
        assert len(outputs) <= 1
        if b"<rss" not in body[:500] and b"<feed" not in body[:500]:
            (failure,) = outputs
            assert isinstance(failure, FailureItem) and failure.reason


@fuzz(150)
@given(items=RSS_ITEMS)
@example(items=[{"title": "x", "link": "http://a/b", "pubDate": "Mon, 01 Jan 99999999999999999999 00:00:00 +0000"}])
@example(items=[{"title": "x", "link": "http://[x", "pubDate": ""}])
def test_news_feed_items(items):
    """Every item with a link becomes a request for its article or a recorded failure."""
    spider = NewsSpider(feeds=json.dumps([FEED]))
    body = rss(items)
    outputs = list(spider.parse_feed(XmlResponse(url=FEED["url"], body=body, request=Request(FEED["url"])), feed=FEED))
    check_feed(outputs, spider, spider.parse_article)
    assert len(outputs) == sum(1 for item in items if item["link"].strip())


@fuzz(60)
@given(
    body=st.binary(max_size=300) | mutated_bytes(FR_FULL_TEXT[:3000]),
    cls=RESPONSE_CLASSES,
    content_type=st.sampled_from([None, "text/html; charset=iso-8859-1", "application/octet-stream"]),
)
def test_news_article_becomes_one_document(body, cls, content_type):
    spider = NewsSpider(feeds=json.dumps([FEED]), url_map=URL_MAP)
    url = "http://127.0.0.1:9/2025/11/article.html"
    (item,) = list(
        spider.parse_article(make_response(cls, url, body, content_type), feed=FEED, day=None, title="t", guid=url)
    )
    check_document(item, "news")
    assert item.url.startswith("https://www.federalregister.gov/") and item.doc_type == "Article"


DOD_FEED = "http://127.0.0.1:9/DesktopModules/ArticleCS/RSS.ashx"


@fuzz(120)
@given(
    body=st.binary(max_size=300)
    | mutated_bytes(
        rss(
            [
                {"title": r["title"], "link": r["link"], "pubDate": "Tue, 07 Jan 2025 15:40:00 +0000"}
                for r in DOD_RELEASES[:3]
            ]
        )
    ),
    cls=RESPONSE_CLASSES,
)
@example(body=b'{"a": 1}', cls=TextResponse)
@example(body=b"<rss><item><link>x</link></item></rss>", cls=Response)
def test_dod_release_feed_arbitrary_bytes(body, cls):
    spider = DodReleasesSpider(feeds=DOD_FEED)
    outputs = list(spider.parse_feed(make_response(cls, DOD_FEED, body)))
    check_feed(outputs, spider, spider.parse_release)
    if b"<item" not in body.lower() and b"<rss" not in body[:500]:
        (failure,) = outputs
        assert isinstance(failure, FailureItem) and failure.reason


@fuzz(150)
@given(items=RSS_ITEMS)
@example(items=[{"title": "1260H", "link": "http://a/b", "pubDate": "Mon, 01 Jan 99999999999999999999 00:00:00 +0000"}])
@example(items=[{"title": "1260H", "link": "http://[x", "pubDate": ""}])
def test_dod_release_feed_items(items):
    """Every relevant item with a link becomes a (conditional) request for the release, or a recorded failure."""
    spider = DodReleasesSpider(feeds=DOD_FEED, validators=json.dumps({"https://a.example/x": {"etag": "e"}}))
    outputs = list(spider.parse_feed(XmlResponse(url=DOD_FEED, body=rss(items), request=Request(DOD_FEED))))
    check_feed(outputs, spider, spider.parse_release)
    relevant = [
        i
        for i in items
        if i["link"].strip() and DOD_RELEVANT.search(f"{i['title'].strip()} {i.get('description', '')}")
    ]
    assert len(outputs) == len(relevant)


PAGE_HREFS = st.lists(
    st.sampled_from(
        [
            "https://media.defense.gov/2026/Jun/08/1/-1/-1/1/LIST.PDF",
            "/files/x.pdf",
            "http://[x.pdf",
            "http://[::1/x.pdf",
            "javascript:x.pdf",
            "x.html",
            "",
        ]
    )
    | xml_text(20).map(lambda s: s + ".pdf"),
    max_size=4,
)


@fuzz(120)
@given(
    body=st.binary(max_size=300)
    | mutated_bytes(RELEASE_PAGE[:6000])
    | PAGE_HREFS.map(
        lambda hrefs: "".join(f'<p><a href="{escape(h, {chr(34): "&quot;"})}">l</a></p>' for h in hrefs).encode()
    ),
    cls=RESPONSE_CLASSES,
)
@example(body=b'<a href="http://[x.pdf">list</a>', cls=HtmlResponse)
@example(body=b'{"a": 1}', cls=TextResponse)
def test_dod_release_page(body, cls):
    spider = DodReleasesSpider(feeds=DOD_FEED)
    url = "http://127.0.0.1:9/News/Releases/Release/Article/4511232/x/"
    outputs = list(
        spider.parse_release(make_response(cls, url, body, "text/html"), title="t", day="2026-06-08", guid="4511232")
    )
    check_outputs(outputs, spider, {spider.parse_pdf})
    assert isinstance(outputs[0], DocumentItem) and outputs[0].body == body  # the page itself is always kept
    assert sum(isinstance(o, DocumentItem) for o in outputs) == 1


@fuzz(60)
@given(body=st.binary(max_size=200), path=xml_text(40), status=st.sampled_from([200, 200, 304]))
def test_dod_list_pdf_response(body, path, status):
    spider = DodReleasesSpider(feeds=DOD_FEED)
    url = "http://127.0.0.1:9/" + path.replace("#", "").replace("?", "")
    response = Response(url=url, body=body, status=status, request=Request(url))
    outputs = list(spider.parse_pdf(response, release={"url": "u", "title": "t", "date": None}))
    if status == 304:
        assert outputs == []
        return
    (item,) = outputs
    check_document(item, "dod_releases")
    assert item.meta["list_date"] is None or date.fromisoformat(item.meta["list_date"])


@fuzz(150)
@given(
    path=st.text(max_size=40)
    | st.builds(
        "/{}/{}/{}/x.PDF".format,
        st.integers(-5, 99999),
        st.sampled_from(["Jan", "Feb", "Foo", "jan"]),
        st.integers(-5, 99),
    )
)
def test_list_date_from_pdf_url(path):
    result = list_date_from_pdf_url("https://media.defense.gov" + path.replace("[", "").replace("]", ""))
    assert result is None or isinstance(result, date)


# ---------------------------------------------------------------------------------------------- 4. the 1260H list


def check_rows(rows):
    assert isinstance(rows, list)
    for row in rows:
        assert isinstance(row, ListRow) and row.name.strip()
        assert row.number is None or row.number >= 0
        assert all(isinstance(b, str) and b for b in row.statutory_basis)


def check_list_pdf(data: bytes):
    """Rows, or a ListPdfError (process_documents records it as 'list PDF unreadable: ...')."""
    try:
        rows = parse_list_pdf(data)
    except ListPdfError as exc:
        assert str(exc).strip()
        event(f"rejected: {str(exc).split(' (')[0].split(':')[0]}")
        return
    event(f"parsed: {'no rows' if not rows else 'rows'}")
    check_rows(rows)


@fuzz(30)
@given(
    data=mutated_bytes(SMALL_PDF[9:], keep_tail=b"\n%%EOF\n").map(SMALL_PDF[:9].__add__)  # keeps "%PDF-1.x"
    | mutated_bytes(SMALL_PDF)
)
def test_list_pdf_mutated_bytes(data):
    check_list_pdf(data)


@fuzz(40)
@given(data=st.binary(max_size=200) | st.binary(max_size=200).map(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF\n"))
def test_list_pdf_arbitrary_bytes(data):
    check_list_pdf(data)


def test_list_pdf_real_file_parses():
    rows = parse_list_pdf(SMALL_PDF)
    check_rows(rows)
    assert len(rows) == 47


PRINTED = st.text(max_size=60) | st.lists(
    st.sampled_from(
        [
            "AVIC",
            " (",
            ")",
            ";",
            ",",
            "1.",
            "(2)",
            "-",
            "formerly ",
            "subsidiary of ",
            "Co., Ltd.",
            " a.k.a. ",
            "see ",
            "((",
            "))",
            " ",
        ]
    ),
    max_size=12,
).map("".join)


@fuzz(300)
@given(printed=PRINTED)
@example(printed="(" * 2000 + ")" * 2000)
def test_split_entry(printed):
    entry = split_entry(printed)
    assert isinstance(entry, ListedName)
    assert isinstance(entry.name, str) and entry.name == " ".join(entry.name.split())
    assert all(isinstance(a, str) and a for a in entry.aliases)
    assert entry.parent is None or isinstance(entry.parent, str)
    # the name is the printed text without trailing groups: never longer than the input
    assert len(entry.name) <= len(printed)


@fuzz(100)
@given(
    rows=st.lists(
        st.builds(
            ListRow, number=st.none() | st.integers(0, 999), name=PRINTED.filter(str.strip), notes=st.text(max_size=30)
        ),
        max_size=6,
    ),
    list_date=st.none() | st.dates(),
)
def test_notice_from_list_rows(rows, list_date):
    notice = notice_from_list_rows(rows, list_date=list_date)
    assert isinstance(notice, OfficialNotice) and notice.kind == "edition" and notice.list_date == list_date
    assert len(notice.listed) == len(rows)  # one entry per row, none dropped silently
    assert [e.printed for e in notice.listed] == [r.printed for r in rows]


LIST_HTML = st.lists(
    st.tuples(
        st.sampled_from(["h2", "p", "li", "tr", "h3", "div", "pre"]),
        st.sampled_from(
            [
                "the following entities qualify for designation:",
                "the following entities should be removed:",
                "1. AVIC (AVIC Ltd.)",
                "x",
                "",
                "<bullet> AVIC is affiliated (Section 1260H(g)).",
                "CEC (and CEC subsidiaries: A, B Co., Ltd., and C)",
            ]
        )
        | xml_text(30),
    ),
    max_size=8,
).map(
    lambda parts: "<ul>" + "".join(f"<{t}>{'<td>' if t == 'tr' else ''}{escape(s)}</{t}>" for t, s in parts) + "</ul>"
)
NOTICE_XML = st.lists(
    st.tuples(
        st.sampled_from(["P", "FP", "HD", "PRTPAGE", "SUBJECT", "DATED", "FRDOC"]),
        xml_text(40)
        | st.sampled_from(["\u2022 basis (Section 1260H(g)(2))", "the following entity qualifies for designation:"]),
    ),
    max_size=8,
).map(lambda parts: "<NOTICE><SUPLINF>" + "".join(f"<{t}>{escape(s)}</{t}>" for t, s in parts) + "</SUPLINF></NOTICE>")


@fuzz(200)
@given(
    body=st.text(max_size=200) | LIST_HTML | NOTICE_XML,
    title=st.none()
    | st.sampled_from(
        [
            "Notice of Designation of Chinese Military Companies",
            "Notice of Designation of Chinese Military Company",
            "Notice of Removal 1260H",
            "Other",
        ]
    )
    | st.text(max_size=30),
)
@example(body="<!-- only a comment -->", title="Notice of Designation of Chinese Military Companies")
@example(body='<?xml version="1.0" encoding="utf-8"?><p/>', title="Notice of Removal 1260H")
@example(body="<p>1260H</p>\x0c", title="Notice of Removal 1260H")
@example(body="<pre>[[Page 1]]\n\n\n(((\n    <bullet>\n</pre>", title=None)
@example(
    body="<h2>the following entities should be removed:</h2><li>2.</li><li>Xiaomi (formerly Y)</li>",
    title="Notice of Removal 1260H",
)
def test_official_notice_any_format(body, title):
    """An OfficialNotice of a known kind with named entries, or a stated problem; never a crash."""
    try:
        notice = parse_notice(body.encode("utf-8", "surrogatepass"), title=title)
    except (NoticeFormatError, UnicodeEncodeError) as exc:
        assert str(exc).strip()
        return
    assert notice.kind in ("edition", "interim", "removal", "unknown")
    for entry in notice.listed + notice.removed:
        assert isinstance(entry, ListedName) and entry.name.strip()
    assert notice.problem is None or notice.problem.strip()
    if notice.kind == "unknown":
        assert notice.problem


HEADINGS = st.lists(
    st.sampled_from(
        [
            "AVIC",
            " (",
            ")",
            ",",
            " and ",
            "subsidiaries:",
            "(and X subsidiary: ",
            "Co., Ltd.",
            " . ",
            "formerly ",
            "Corporation ",
            "Shanghai",
            "Inc.",
            " ",
        ]
    ),
    max_size=16,
).map("".join)


@fuzz(200)
@given(printed=HEADINGS)
@example(printed="A (and A subsidiaries: ((((")
@example(printed="(and X subsidiaries: , , and )")
def test_parse_heading(printed):
    warnings: list[str] = []
    entry, subsidiaries = parse_heading(printed, warnings)
    assert isinstance(entry.name, str)
    for child in subsidiaries:
        assert child.name.strip() and child.parent == entry.name
    assert all(isinstance(w, str) and w for w in warnings)


# ---------------------------------------------------------------------------------------------- 5. dates

MONTH_WORDS = st.sampled_from(
    ["January", "june", "Sept.", "Juni", "März", "Dezember", "Auguſt", "MAİ", "Maı", "Jänner", "Foo", "Feb"]
)
DATE_TEXT = (
    st.text(max_size=40)
    | st.builds("{} {}, {}".format, MONTH_WORDS, st.integers(-1, 40), st.integers(0, 10000))
    | st.builds("{}. {} {}".format, st.integers(-1, 40), MONTH_WORDS, st.integers(0, 10000))
    | st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
)


@fuzz(400)
@given(text=DATE_TEXT)
@example(text="1 Auguſt 2020")  # long s: matches 'august' case-insensitively, but is not a key of MONTHS
@example(text="3 MAİ 2020")
@example(text="Maı 3, 2020")
def test_dates(text):
    found = find_dates(text)
    assert all(isinstance(d, date) for d in found)
    try:
        parsed = parse_date(text)
    except ValueError as exc:
        assert "unknown date format" in str(exc) and repr(text) in str(exc)
        assert not find_dates(text.strip())
        return
    assert parsed == find_dates(text.strip())[0]


@fuzz(100)
@given(day=st.dates(min_value=date(1000, 1, 1)), style=st.sampled_from(["iso", "us", "de"]))
def test_dates_round_trip(day, style):
    german = {
        1: "Januar",
        2: "Februar",
        3: "März",
        4: "April",
        5: "Mai",
        6: "Juni",
        7: "Juli",
        8: "August",
        9: "September",
        10: "Oktober",
        11: "November",
        12: "Dezember",
    }
    text = {
        "iso": day.isoformat(),
        "us": f"{day:%B} {day.day}, {day.year}",
        "de": f"{day.day}. {german[day.month]} {day.year}",
    }[style]
    assert parse_date(f"released {text}.") == day


# ---------------------------------------------------------------------------------------------- 6. screening CSV

CSV_CELLS = st.text(max_size=20) | st.sampled_from(
    ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "BYD Co Ltd", "", '"', "a,b", "x;y", "\x00"]
)
CSV_UPLOAD = st.builds(
    lambda header, rows, delimiter, encoding: "\n".join(delimiter.join(row) for row in [header, *rows]).encode(
        encoding, errors="replace"
    ),
    st.lists(
        st.sampled_from(["name", "Name ", "country", "company", "id", "x", "LEGAL_NAME"]) | st.text(max_size=6),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.lists(CSV_CELLS, max_size=4), max_size=5),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)


@fuzz(300)
@given(data=st.binary(max_size=300) | CSV_UPLOAD)
@example(data=b"name\n" + b"a" * 200_000)  # a field over the csv module's size limit
@example(data=b"name,country\n=cmd|' /C calc'!A0,US\n")
@example(data=b"id,country\n1,CN\n")
@example(data=b"\xff\xfe\x00n")
def test_read_counterparties(data):
    try:
        rows = read_counterparties(data)
    except ScreeningInputError as exc:
        assert str(exc).strip()
        return
    for row in rows:
        assert set(row) == {"name", "country"}
        assert isinstance(row["name"], str) and row["name"] == row["name"].strip()
        assert row["country"] is None or (isinstance(row["country"], str) and row["country"].strip())


def test_read_counterparties_keeps_formula_names_as_text():
    rows = read_counterparties(b"name,country\n=cmd|' /C calc'!A0,US\n")
    assert rows == [{"name": "=cmd|' /C calc'!A0", "country": "US"}]
    with pytest.raises(ScreeningInputError, match="no name column"):
        read_counterparties(b"id,country\n1,CN\n")


@fuzz(300)
@given(value=st.none() | st.integers() | st.floats() | st.booleans() | CSV_CELLS)
def test_safe_cell(value):
    cell = safe_cell(value)
    if isinstance(value, str):
        assert not cell.startswith(FORMULA_PREFIXES)
        assert cell == value or cell == "'" + value
    else:
        assert cell is value


TEXT_FIELDS = (
    "input_name", "country", "matched_entity", "match_method", "lists", "exposure_day", "status", "status_line",
    "since", "closest_candidate", "company_page",
)  # fmt: skip
SCREENING_RESULTS = st.lists(
    st.builds(
        ScreeningResult,
        row=st.integers(1, 10_000),
        input_name=CSV_CELLS,
        country=st.none() | CSV_CELLS,
        matched_entity=st.none() | CSV_CELLS,
        match_method=st.none() | CSV_CELLS,
        match_score=st.none() | st.floats(0, 1),
        status=CSV_CELLS,
        status_line=CSV_CELLS,
        since=st.none() | CSV_CELLS,
        lists=CSV_CELLS,
        listed=st.booleans(),
        exposure=st.none() | st.floats(0, 100),
        exposure_day=st.none() | CSV_CELLS,
        closest_candidate=st.none() | CSV_CELLS,
        closest_score=st.none() | st.floats(0, 1),
        company_page=st.none() | CSV_CELLS,
    ),
    max_size=5,
)


@fuzz(200)
@given(results=SCREENING_RESULTS)
def test_results_csv_never_starts_a_cell_with_a_formula(results):
    out = results_csv(results)
    parsed = list(csv.reader(io.StringIO(out, newline="")))
    header, *rows = parsed
    assert header == list(ScreeningResult.__dataclass_fields__) and len(rows) == len(results)
    for row, result in zip(rows, results):
        for field, cell in zip(header, row):
            assert not cell.startswith(FORMULA_PREFIXES), (field, cell)
            if field in TEXT_FIELDS:
                original = getattr(result, field) or ""
                assert cell in (original, "'" + original)  # escaped, never altered otherwise


# ---------------------------------------------------------------------------------------------- 7. text extraction

CONTENT_TYPES = (
    st.none()
    | st.sampled_from(
        [
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=iso-8859-1",
            "text/html; charset=utf-16",
            "text/html; charset=idna",
            "text/html; charset=punycode",
            "text/plain; charset=bogus",
            "application/pdf",
            "text/html; charset=rot13",
        ]
    )
    | st.text(max_size=20)
)
SCRIPT = "<script>stealCookies()</script>"


@st.composite
def html_documents(draw):
    """Well-formed HTML with visible words and scripts/styles between them."""
    parts, words = [], []
    for index in range(draw(st.integers(1, 6))):
        tag = draw(st.sampled_from(["p", "div", "li", "span", "h2", "td", "section", "b"]))
        word = f"visible{index}"
        words.append(word)
        text = escape(draw(xml_text(15)).replace("\n", " ").replace("\t", " "))
        parts.append(f"<{tag}>{text} {word}</{tag}>")
        parts.append(
            draw(
                st.sampled_from(
                    [
                        "",
                        SCRIPT,
                        "<style>p{}</style>",
                        "<noscript>stealCookies()</noscript>",
                        '<script type="text/template"><p>stealCookies()</p></script>',
                    ]
                )
            )
        )
    wrap = draw(st.sampled_from(["{}", "<html><head><title>t</title>" + SCRIPT + "</head><body>{}</body></html>"]))
    return wrap.format("".join(parts)), words


def extract(function, raw, content_type):
    try:
        text = function(raw, content_type)
    except TextExtractionError as exc:  # what process_documents and the dashboard catch and record
        assert str(exc).strip()
        return None
    assert isinstance(text, str)
    return text


@fuzz(200)
@given(raw=st.binary(max_size=300) | st.text(max_size=200).map(str.encode), content_type=CONTENT_TYPES)
@example(raw=b"<p>a</p>\x0c", content_type="text/html")  # a control character after a block element
@example(raw=b"<!-- only a comment -->", content_type="text/html")
@example(raw=b'<?xml version="1.0" encoding="utf-8"?><p>x</p>', content_type=None)
@example(raw=b"a..b", content_type="text/html; charset=idna")
@example(raw=b"<p>\xef\xbf\xbe</p>", content_type="text/html")
def test_document_text_arbitrary_bytes(raw, content_type):
    assert isinstance(decode(raw, content_type), str)
    extract(document_text, raw, content_type)


@fuzz(40)
@given(raw=st.binary(max_size=300) | mutated_bytes(FR_FULL_TEXT[:3000]), content_type=CONTENT_TYPES)
@example(raw=b"<p>a</p>\x0c", content_type="text/html")
def test_article_text_arbitrary_bytes(raw, content_type):
    extract(article_text, raw, content_type)


@fuzz(150)
@given(doc=html_documents(), noise=st.text(st.characters(max_codepoint=0x1F), max_size=3))
def test_html_to_text_keeps_visible_text_and_drops_scripts(doc, noise):
    html, words = doc
    text = html_to_text(html + noise)
    assert "stealCookies" not in text and "p{}" not in text
    for word in words:
        assert word in text
    assert extract(document_text, (html + noise).encode(), "text/html; charset=utf-8") == text


@fuzz(25)
@given(doc=html_documents())
def test_article_text_drops_scripts(doc):
    html, _ = doc
    text = extract(article_text, html.encode(), "text/html; charset=utf-8")
    assert text is not None and "stealCookies" not in text


# --- the Consolidated Screening List ---

REAL_CSL = json.loads((DATA_DIR.parent / "tests" / "data" / "csl" / "real_shapes.json").read_text(encoding="utf-8"))
REAL_CSL.pop("_note")


def _csl_contract(body: bytes) -> None:
    from nlp.official.csl import CslFormatError, parse_csl

    try:
        snapshot = parse_csl(body, downloaded=date(2026, 12, 1))
    except CslFormatError as exc:
        assert str(exc)
        event("rejected")
        return
    for record in snapshot.records:
        assert record.name and record.list_name and record.record_id and record.record_hash
        assert all(isinstance(v, str) for v in record.alt_names + record.countries + record.programs)
    event("read")


@fuzz(200)
@given(payload=mutated_json(REAL_CSL))
@example(payload={"results": [{"id": "1", "source": "x", "name": "n", "addresses": 5, "ids": 7, "alt_names": 3}]})
@example(payload={"results": [{"id": ["1"], "source": {"a": 1}, "name": None}]})
@example(payload={"results": [{"id": "1", "source": "x", "name": "n", "start_date": 20200101, "ids": [{"type": 1}]}]})
def test_csl_mutated_real_records_are_read_or_rejected_with_a_reason(payload):
    _csl_contract(json.dumps(payload).encode())


@fuzz(200)
@given(body=mutated_bytes(json.dumps(REAL_CSL).encode()))
def test_csl_mutated_real_bytes_are_read_or_rejected_with_a_reason(body):
    _csl_contract(body)

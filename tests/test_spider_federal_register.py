"""The Federal Register spider's parse methods, fed saved responses offline."""

import json
from urllib.parse import parse_qs, urlsplit

from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.items import DocumentItem, FailureItem
from crawler.spiders.federal_register import FederalRegisterSpider, documents_search_url
from core.settings import DATA_DIR

API = "http://127.0.0.1:9/api/v1"
SNAPSHOT = DATA_DIR / "snapshot" / "federal_register"


def spider(**kwargs):
    return FederalRegisterSpider(
        api_base=API, url_map='[["http://127.0.0.1:9", "https://www.federalregister.gov"]]', **kwargs
    )


def json_response(payload, url=f"{API}/documents.json") -> TextResponse:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def test_search_url_uses_the_api_parameter_syntax():
    url = documents_search_url(
        API, term="1260H", agencies=["defense-department"], types=["NOTICE"], since="2025-01-01", per_page=100
    )
    query = parse_qs(urlsplit(url).query)
    assert query["conditions[term]"] == ["1260H"]
    assert query["conditions[agencies][]"] == ["defense-department"]
    assert query["conditions[type][]"] == ["NOTICE"]
    assert query["conditions[publication_date][gte]"] == ["2025-01-01"]
    assert "document_number" in query["fields[]"] and query["order"] == ["oldest"]


def test_parse_follows_full_text_and_next_page():
    result = json.loads((SNAPSHOT / "documents" / "2025-00070.json").read_text())
    for key in ("raw_text_url", "body_html_url", "full_text_xml_url"):
        result[key] = result[key].replace("https://www.federalregister.gov", "http://127.0.0.1:9")
    page = {"count": 7, "total_pages": 2, "results": [result], "next_page_url": f"{API}/documents?page=2"}
    requests = list(spider().parse(json_response(page)))
    # the GPO text first (the format checked against the real notices)
    assert [r.url for r in requests] == [result["raw_text_url"], f"{API}/documents?page=2"]
    assert requests[0].cb_kwargs["result"]["document_number"] == "2025-00070"
    # without it, the FR's HTML rendering, then the XML
    without_text = {**result, "raw_text_url": None}
    (html_request, _) = spider().parse(json_response({**page, "results": [without_text]}))
    assert html_request.url == result["body_html_url"]
    only_xml = {**without_text, "body_html_url": None}
    (xml_request, _) = spider().parse(json_response({**page, "results": [only_xml]}))
    assert xml_request.url == result["full_text_xml_url"]


def test_full_text_becomes_a_document_item_with_live_urls():
    result = json.loads((SNAPSHOT / "documents" / "2025-00070.json").read_text())
    body = (SNAPSHOT / "full_text" / "2025-00070.html").read_bytes()
    url = "http://127.0.0.1:9/documents/full_text/html/2025/01/07/2025-00070.html"
    response = HtmlResponse(
        url=url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=Request(url)
    )
    (item,) = spider().parse_full_text(response, result=result)
    assert isinstance(item, DocumentItem)
    assert item.external_id == "2025-00070" and item.publication_date == "2025-01-07"
    assert item.url.startswith("https://www.federalregister.gov/documents/2025/01/07/2025-00070")
    assert item.meta["fetched_from"].startswith("https://www.federalregister.gov/")
    assert b"Tencent Holdings" in item.body


def test_non_json_page_is_a_recorded_failure():
    (item,) = spider().parse(json_response(b"<html>Service Unavailable</html>"))
    assert isinstance(item, FailureItem) and "not JSON" in item.reason
    assert item.body == b"<html>Service Unavailable</html>"


def test_result_without_document_number_is_a_failure_and_the_rest_go_on():
    good = {"document_number": "2025-00070", "title": "t", "body_html_url": f"{API}/x.html"}
    items = list(spider().parse(json_response({"count": 2, "results": [{"title": "no number"}, good]})))
    assert isinstance(items[0], FailureItem) and "without document_number" in items[0].reason
    assert items[1].url == f"{API}/x.html"


def test_empty_search_answer_is_not_an_error():
    assert list(spider().parse(json_response({"description": "Documents matching", "count": 0}))) == []


def test_spider_stays_on_its_domains():
    assert spider(allowed="www.federalregister.gov").allowed_domains == ["127.0.0.1", "www.federalregister.gov"]

"""`riskwatch sources check`: shape declarations (crawler.shapes) and the check against the local replay."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crawler import shapes
from crawler.spiders.federal_register import RESULT_FIELDS
from core.settings import DATA_DIR, get_settings
from jobs.source_check import check_sources
from core.sources import SourceConfig, load_sources
from tests.conftest import run_cli

# a real documents.json answer (US government work): read where shared/reference is laid beside the checkout
REAL_SEARCH = (
    Path(__file__).resolve().parents[2] / "shared" / "reference" / "real" / "fr-2026-11571.documents-search.json"
)
DAY = date(2026, 11, 25)
FR_SEARCH_PATH = "/api/v1/documents.json"
DOD_RSS_PATH = "/_host/www.defense.gov/DesktopModules/ArticleCS/RSS.ashx"


# -- declarations ------------------------------------------------------------------------------


def test_declared_result_fields_are_the_fields_the_spider_asks_for():
    assert set(shapes.FR_DOCUMENT.required) == set(RESULT_FIELDS)


def test_the_real_2026_answer_fits_the_declaration():
    if not REAL_SEARCH.exists():
        import warnings

        warnings.warn(f"REAL MATERIAL MISSING: {REAL_SEARCH}; the real-answer shape test is skipped")
        pytest.skip(f"real documents.json answer not present at {REAL_SEARCH}")
    real = json.loads(REAL_SEARCH.read_bytes())
    envelope = {k: v for k, v in real.items() if k != "results"}
    assert shapes.difference(envelope, shapes.FR_SEARCH) is None
    result = real["results"][0]
    # that answer was asked for fewer fields: each one it has must have the declared type
    subset = shapes.Obj({key: shapes.FR_DOCUMENT.required[key] for key in result})
    assert shapes.difference(result, subset) is None
    assert result["agencies"][1] == {"raw_name": "Office of the Secretary"}  # an agency with no slug is fine


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {"count": 1, "description": "d", "total_pages": 1, "results": [{"document_number": 7}]},
            "results[0].document_number: expected str, got int",
        ),
        ({"count": "1", "description": "d"}, "count: expected int, got str"),
        ({"count": True, "description": "d"}, "count: expected int, got bool"),
        ({"description": "d"}, "count: missing"),
        ([], "(top): expected object, got list"),
    ],
)
def test_difference_names_the_first_place(value, expected):
    assert shapes.difference(value, shapes.FR_SEARCH) == expected


def _search(**result_changes) -> bytes:
    result = {key: None for key in RESULT_FIELDS}
    result.update(
        document_number="2026-11571",
        title="t",
        type="Notice",
        publication_date="2026-06-10",
        docket_ids=[],
        agencies=[{"raw_name": "Office of the Secretary"}],
        agency_names=[],
        html_url="https://www.federalregister.gov/d/2026-11571",
        json_url="https://x/j",
        topics=[],
    )
    result.update(result_changes)
    return json.dumps({"count": 1, "description": "d", "total_pages": 1, "results": [result]}).encode()


def test_documents_search_shapes():
    assert shapes.documents_search(_search()) == 1
    assert shapes.documents_search(b'{"count": 0, "description": "none"}') == 0  # the API's empty answer
    for body, message in [
        (_search(publication_date=20260610), "results[0].publication_date: expected an ISO date (YYYY-MM-DD), got int"),
        (
            _search(publication_date="06/10/2026"),
            "results[0].publication_date: expected an ISO date (YYYY-MM-DD), got '06/10/2026'",
        ),
        (_search(agencies=[{"slug": 103}]), "results[0].agencies[0].slug: expected str or null, got int"),
        (b'{"count": 3, "description": "d"}', "results: missing while count is 3"),
        (b"<html>maintenance</html>", "(top): expected JSON, got HTML"),
    ]:
        with pytest.raises(shapes.ShapeChanged) as raised:
            shapes.documents_search(body)
        assert str(raised.value).startswith(message)
    with pytest.raises(shapes.ShapeChanged, match=r"^results\[0\]\.topics: missing$"):
        shapes.documents_search(_search().replace(b', "topics": []', b""))


def test_public_inspection_desk_shape():
    assert shapes.public_inspection_desk(b'{"count": 0, "results": []}') == 0  # weekends, holidays, before 08:45
    with pytest.raises(shapes.ShapeChanged, match="count: 2 while results holds 0"):
        shapes.public_inspection_desk(b'{"count": 2, "results": []}')
    with pytest.raises(shapes.ShapeChanged, match="results: missing"):
        shapes.public_inspection_desk(b'{"count": 0}')


RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>https://x/1</link><pubDate>Mon, 08 Jun 2026 10:00:00 -0400</pubDate>"
    b"<guid>1</guid></item>%s</channel></rss>"
)
ATOM = (
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>a</title>'
    b'<link href="https://x/1"/><updated>2026-06-08T10:00:00Z</updated></entry></feed>'
)


def test_feed_shapes_dispatch_on_the_kind():
    assert shapes.rss_feed(RSS % b"", item_fields=shapes.DOD_RSS_ITEM) == 1
    with pytest.raises(shapes.ShapeChanged, match=r"^rss/channel/item\[1\]/guid: missing$"):
        shapes.rss_feed(
            RSS % b"<item><title>b</title><link>l</link><pubDate>Tue, 09 Jun 2026 10:00:00 GMT</pubDate></item>",
            item_fields=shapes.DOD_RSS_ITEM,
        )
    with pytest.raises(shapes.ShapeChanged, match=r"item\[1\]/pubDate: expected an RFC 822 date, got 'soon'"):
        shapes.rss_feed(RSS % b"<item><title>b</title><link>l</link><pubDate>soon</pubDate></item>")
    assert shapes.feed(RSS % b"") == ("rss", 1)
    assert shapes.feed(ATOM) == ("atom", 1)
    assert shapes.feed(ATOM, "atom") == ("atom", 1)
    with pytest.raises(shapes.ShapeChanged, match=r"expected an Atom <feed>, got <rss>"):
        shapes.feed(RSS % b"", "atom")
    gdelt = {"articles": [{"url": "https://x/1", "title": "a", "seendate": "20260608T100000Z", "domain": "x"}]}
    assert shapes.feed(json.dumps(gdelt).encode(), "gdelt") == ("gdelt", 1)
    assert shapes.feed(b"{}", "gdelt") == ("gdelt", 0)  # nothing matched
    gdelt["articles"][0]["seendate"] = "2026-06-08"
    with pytest.raises(shapes.ShapeChanged, match=r"articles\[0\]\.seendate: expected a GDELT time"):
        shapes.feed(json.dumps(gdelt).encode(), "gdelt")
    with pytest.raises(shapes.Throttled):
        shapes.feed(b"Please limit requests to one every 5 seconds.", "gdelt")
    rdf = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        b"<channel><title>t</title></channel><item><title>a</title><link>https://x/1</link></item></rdf:RDF>"
    )
    assert shapes.feed(rdf, "feed") == ("rss1", 1) and shapes.feed(ATOM, "feed") == ("atom", 1)
    with pytest.raises(KeyError):
        shapes.feed(RSS % b"", "jsonfeed")


def test_xml_entities_are_not_expanded():
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><rss><channel><item>&a;</item></channel></rss>'
    with pytest.raises(shapes.ShapeChanged):
        shapes.rss_feed(bomb)


# -- the check against the replay --------------------------------------------------------------


def _with_faults(snapshot_copy, monkeypatch, faults) -> None:
    (snapshot_copy / "faults.json").write_text(json.dumps(faults))
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    get_settings.cache_clear()


def _check(*args: str) -> tuple[int, list[dict], str]:
    completed = run_cli("sources", "check", "--offline", "--as-of", DAY.isoformat(), *args, "--json", check=False)
    return completed.returncode, json.loads(completed.stdout), completed.stderr.decode()


def _by_source(rows: list[dict]) -> dict[str, dict]:
    return {row["source"]: row for row in rows}


def test_every_configured_source_fits_its_shape_offline():
    code, rows, _ = _check()
    assert code == 0
    assert [row["source"] for row in rows if row["source"] != "news"] == [
        s.name for s in load_sources() if s.kind != "news"
    ]
    # every feed is ok, but one switched off in the config (said so, not skipped silently)
    assert all(
        row["status"] == "ok" or (row["status"] == "unchecked" and "disabled" in row["detail"]) for row in rows
    ), rows
    news = [row for row in rows if row["source"] == "news" and row["status"] == "ok"]
    assert news and {row["kind"] for row in news} == {"news"}
    by_source = _by_source(rows)
    assert by_source["federal_register"]["count"] >= 4 and by_source["dod_releases"]["count"] == 8
    assert by_source["dod_releases"]["url"].startswith("https://www.defense.gov/")  # live URLs, not the replay's
    assert by_source["dod_releases"]["best_effort"] and not by_source["federal_register"]["best_effort"]


def test_a_changed_federal_register_shape_fails_the_check_with_the_first_difference(snapshot_copy, monkeypatch):
    document = json.loads((DATA_DIR / "snapshot" / "federal_register" / "documents" / "2025-00070.json").read_text())
    document = {k: v for k, v in document.items() if not k.startswith("_")}
    document["publication_date"] = 20250107
    _with_faults(
        snapshot_copy,
        monkeypatch,
        [
            {
                "path": FR_SEARCH_PATH,
                "query_contains": "conditions%5Bterm%5D=1260H",
                "content_type": "application/json",
                "body": json.dumps({"count": 1, "description": "d", "total_pages": 1, "results": [document]}),
            },
            {
                "path": FR_SEARCH_PATH,
                "query_contains": "Entity+List",
                "content_type": "application/json",
                "body": json.dumps({"count": 3, "description": "d"}),
            },
        ],
    )
    code, rows, _ = _check()
    assert code == 1
    by_source = _by_source(rows)
    assert by_source["federal_register"]["status"] == "shape changed"
    assert by_source["federal_register"]["detail"] == (
        "results[0].publication_date: expected an ISO date (YYYY-MM-DD), got int"
    )
    assert by_source["federal_register_bis"]["detail"] == "results: missing while count is 3"
    assert by_source["dod_releases"]["status"] == "ok"


def test_a_blocked_dod_feed_is_a_warning_not_a_failure(snapshot_copy, monkeypatch):
    _with_faults(snapshot_copy, monkeypatch, [{"path": DOD_RSS_PATH, "block": True}])
    code, rows, stderr = _check()
    assert code == 0
    dod = _by_source(rows)["dod_releases"]
    assert dod["status"] == "blocked" and dod["http_status"] == 403 and not dod["fails"]
    assert dod["detail"] == "HTTP 403: CDN block page 'Access Denied' (Reference #18.5e2f1402.1780000000.1a2b3c4d)"
    assert "warning: dod_releases is blocked" in stderr
    # the table form says the same
    table = run_cli("sources", "check", "--offline", "--source", "dod_releases", check=False)
    assert table.returncode == 0 and b"blocked" in table.stdout


def test_a_block_page_served_with_200_is_blocked_and_a_primary_source_refused_fails(snapshot_copy, monkeypatch):
    _with_faults(
        snapshot_copy,
        monkeypatch,
        [
            {"path": DOD_RSS_PATH, "block": True, "status": 200},
            {"path": "/api/v1/public-inspection-documents.json", "status": 503, "body": "down"},
        ],
    )
    settings = get_settings()
    results = check_sources(
        settings,
        [s for s in load_sources() if s.kind in ("dod_releases", "public_inspection")],
        today=DAY,
        offline=True,
    )
    by_source = {r.source: r for r in results}
    assert by_source["dod_releases"].status == "blocked" and by_source["dod_releases"].http_status == 200
    assert by_source["public_inspection"].status == "unreachable" and by_source["public_inspection"].fails


def test_news_feeds_are_checked_by_their_kind_and_unknown_kinds_are_unchecked(isolated_settings):
    url = "https://www.compliance-wire.example/rss/sanctions.xml"
    news = SourceConfig(
        name="news",
        kind="news",
        spider="news",
        url=url,
        allowed_domains=[],
        args={
            "feeds": [
                {"url": url, "language": "en"},
                {"url": url, "kind": "rss"},
                {"url": url, "kind": "jsonfeed"},
                {"url": url, "kind": "atom"},
            ]
        },
    )
    later = SourceConfig(name="later", kind="sec_edgar", spider="x", url=url, allowed_domains=[])
    results = check_sources(isolated_settings, [news, later], today=DAY, offline=True)
    assert [(r.status, r.detail) for r in results] == [
        ("ok", "8 items"),
        ("ok", "8 items"),
        ("unchecked", "no shape declared for feed kind 'jsonfeed'"),
        ("shape changed", "(top): expected an Atom <feed>, got <rss>"),
        ("unchecked", "no shape declared for source kind 'sec_edgar'"),
    ]
    assert [r.fails for r in results] == [False, False, False, True, False]


def test_count_bounds_come_from_the_source_config(isolated_settings):
    (dod,) = [s for s in load_sources() if s.name == "dod_releases"]
    assert dod.check == {"min_count": 1, "max_count": 100}
    strict = SourceConfig(**{**dod.__dict__, "check": {"min_count": 20}})
    (result,) = check_sources(isolated_settings, [strict], today=DAY, offline=True)
    assert (result.status, result.detail, result.fails) == (
        "shape changed",
        "count 8 below min_count 20 ([source.check])",
        True,
    )

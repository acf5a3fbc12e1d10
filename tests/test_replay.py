"""The offline replay server emulates the Federal Register API from the snapshot."""

import json
import urllib.error
import urllib.request
from datetime import date

import pytest

from core.settings import DATA_DIR
from jobs.replay import ReplayServer


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type"), response.read()


def get_json(url: str):
    return json.loads(get(url)[2])


@pytest.fixture
def replay():
    with ReplayServer(DATA_DIR / "snapshot", as_of=date(2026, 11, 25)) as server:
        yield server


def test_documents_search_filters_pages_and_links_next_page(replay):
    base = replay.api_base
    url = (
        f"{base}/documents.json?conditions%5Bterm%5D=1260H&conditions%5Bagencies%5D%5B%5D=defense-department"
        f"&conditions%5Btype%5D%5B%5D=NOTICE&per_page=2&order=oldest&fields%5B%5D=document_number&fields%5B%5D=title"
    )
    first = get_json(url)
    assert first["count"] == 7 and first["total_pages"] == 4
    assert [r["document_number"] for r in first["results"]] == ["2021-13753", "2022-22069"]
    assert set(first["results"][0]) == {"document_number", "title"}
    assert first["next_page_url"].startswith(replay.origin) and "page=2" in first["next_page_url"]
    last = get_json(get_json(get_json(first["next_page_url"])["next_page_url"])["next_page_url"])
    assert "next_page_url" not in last and last["results"][-1]["document_number"] == "2026-11571"


def test_as_of_and_publication_date_bounds(replay):
    replay.as_of = date(2025, 1, 6)
    numbers = [r["document_number"] for r in get_json(f"{replay.api_base}/documents.json?per_page=100")["results"]]
    assert "2025-00070" not in numbers and "2024-30018" in numbers
    replay.as_of = date(2026, 11, 25)
    since = get_json(f"{replay.api_base}/documents.json?conditions%5Bpublication_date%5D%5Bgte%5D=2025-01-01")
    assert {r["document_number"] for r in since["results"]} == {"2025-00070", "2026-11571"}


def test_empty_search_has_no_results_key_like_the_live_api(replay):
    payload = get_json(f"{replay.api_base}/documents.json?conditions%5Bterm%5D=qqzzxxnonexistent")
    assert payload["count"] == 0 and "results" not in payload


def test_public_inspection_notice_is_on_the_desk_only_on_2026_02_13(replay):
    replay.as_of = date(2026, 2, 13)
    current = get_json(f"{replay.api_base}/public-inspection-documents/current.json")
    relevant = [d for d in current["results"] if "Chinese Military" in d["title"]]  # beside other agencies' filler
    assert [d["document_number"] for d in relevant] == ["2026-02984"]
    assert "_replay" not in relevant[0]
    replay.as_of = date(2026, 2, 14)
    assert get_json(f"{replay.api_base}/public-inspection-documents/current.json")["results"] == []


def test_urls_point_at_the_replay_server(replay):
    doc = get_json(f"{replay.api_base}/documents/2025-00070.json")
    assert doc["body_html_url"].startswith(replay.origin)
    status, ctype, body = get(doc["body_html_url"])
    assert status == 200 and "html" in ctype and b"Tencent Holdings" in body


def test_faults_are_injected_a_limited_number_of_times(snapshot_copy):
    (snapshot_copy / "faults.json").write_text(
        json.dumps([{"path": "/api/v1/documents.json", "status": 500, "body": "boom", "times": 1}])
    )
    with ReplayServer(snapshot_copy) as server:
        with pytest.raises(urllib.error.HTTPError) as err:
            get(f"{server.api_base}/documents.json")
        assert err.value.code == 500
        assert get_json(f"{server.api_base}/documents.json")["count"] == 7


def test_replay_server_refuses_non_loopback_addresses():
    with pytest.raises(ValueError, match="loopback"):
        ReplayServer(DATA_DIR / "snapshot", host="0.0.0.0")

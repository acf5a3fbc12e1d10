"""Real Scrapy crawls (subprocess) against the local replay server, with injected bad input."""

import json

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import CrawlRun, Document
from db.settings import get_settings
from jobs.steps import crawl

pytestmark = pytest.mark.slow


def _documents(settings):
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        docs = session.exec(select(Document)).all()
        runs = session.exec(select(CrawlRun).order_by(CrawlRun.id)).all()
        session.expunge_all()
    engine.dispose()
    return docs, runs


def test_crawl_stores_every_notice_and_a_recrawl_adds_nothing(isolated_settings):
    (run,) = crawl(isolated_settings, only="federal_register")
    assert run.status == "finished" and run.new == 6 and run.failed == 0 and run.requests >= 8
    docs, _ = _documents(isolated_settings)
    assert sorted(d.external_id for d in docs) == [
        "2021-13753", "2022-22069", "2024-06895", "2024-24723", "2024-30018", "2025-00070", "2026-11571"]
    assert all(d.raw and d.content_hash and d.status == "pending" for d in docs)
    (again,) = crawl(isolated_settings, only="federal_register")
    assert again.new == 0 and again.changed == 0 and again.unchanged == 1  # only the 30-day overlap window
    assert len(_documents(isolated_settings)[0]) == 6


def test_bad_input_is_recorded_and_the_crawl_goes_on(isolated_settings, snapshot_copy, monkeypatch):
    broken = snapshot_copy / "federal_register" / "documents" / "2099-00001.json"
    broken.write_text(json.dumps({"title": "Section 1260H notice without a number",
                                  "type": "Notice", "publication_date": "2022-01-01",
                                  "agencies": [{"slug": "defense-department"}]}))
    (snapshot_copy / "faults.json").write_text(json.dumps([
        # the second search term's listing is not JSON; a full text answers HTTP 500 every time
        {"path": "/api/v1/documents.json", "query_contains": "Chinese+military", "status": 200,
         "body": "<html>maintenance</html>", "content_type": "text/html"},
        {"path": "/documents/full_text/html/2022/10/12/2022-22069.html", "status": 500, "body": "error"},
    ]))
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    get_settings.cache_clear()
    settings = get_settings()
    (run,) = crawl(settings, only="federal_register")
    assert run.status == "finished"
    assert run.new == 5 and run.failed == 3
    docs, _ = _documents(settings)
    failed = {d.external_id: d.failure_reason for d in docs if d.status == "failed"}
    assert "HTTP 500" in failed["2022-22069"]
    assert any("not JSON" in reason for reason in failed.values())
    assert any("without document_number" in reason for reason in failed.values())
    # the next run retries what failed: with the fault gone, the notice is filled in
    (snapshot_copy / "faults.json").write_text("[]")
    (retry,) = crawl(settings, only="federal_register")
    docs, _ = _documents(settings)
    notice = next(d for d in docs if d.external_id == "2022-22069")
    assert notice.status == "pending" and notice.raw and notice.failure_reason is None


def test_public_inspection_notice_seen_on_the_desk_then_found_withdrawn(isolated_settings):
    from datetime import date

    from db import queries
    from jobs.steps import process

    crawl(isolated_settings, as_of=date(2026, 2, 13))
    docs, _ = _documents(isolated_settings)
    (on_desk,) = [d for d in docs if d.external_id == "2026-02984"]
    assert on_desk.doc_type == "Public Inspection" and "desk" not in on_desk.meta
    assert on_desk.publication_date == date(2026, 2, 13)  # the filing date
    assert on_desk.url.startswith("https://www.federalregister.gov/public-inspection/2026-02984")

    crawl(isolated_settings, as_of=date(2026, 2, 14))
    docs, runs = _documents(isolated_settings)
    versions = sorted((d for d in docs if d.external_id == "2026-02984"), key=lambda d: d.version)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].meta["desk"] == {"status": "withdrawn", "last_seen_on": "2026-02-13", "resolved_on": "2026-02-14"}
    assert versions[1].raw == versions[0].raw

    # a third run finds nothing new
    crawl(isolated_settings, as_of=date(2026, 2, 15))
    assert len([d for d in _documents(isolated_settings)[0] if d.external_id == "2026-02984"]) == 2

    stats = process(isolated_settings)
    assert stats.failed == 0
    engine = make_engine(isolated_settings.resolved_database_url)
    with Session(engine) as session:
        alibaba = queries.get_entity(session, name="Alibaba Group Holding Limited")
        events = [e for e, _ in queries.listing_events_for(session, entity_id=alibaba.id)]
    engine.dispose()
    assert [e.status for e in events if e.official] == ["proposed", "withdrawn"]  # never designated
    assert {e.status for e in events if not e.official} <= {"proposed", "withdrawn"}  # news reports of the same


def test_dod_recrawl_uses_conditional_requests(isolated_settings):
    (first,) = crawl(isolated_settings, only="dod_releases")
    assert first.new == 10 and first.failed == 0  # five releases and their five list PDFs
    (second,) = crawl(isolated_settings, only="dod_releases")
    assert second.new == 0 and second.changed == 0 and second.failed == 0
    assert second.unchanged >= 2 and second.requests < first.requests  # only the recent window, PDF answered 304
    log = (isolated_settings.var_dir / "logs" / "crawl.log").read_text()
    assert "'downloader/response_status_count/304': 1" in log

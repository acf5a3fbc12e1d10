"""Real Scrapy crawls (subprocess) against the local replay server, with injected bad input."""

import json

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import CrawlRun, Document
from core.settings import get_settings
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
    assert run.status == "finished" and run.new == 7 and run.failed == 0 and run.requests >= 9
    docs, _ = _documents(isolated_settings)
    assert sorted(d.external_id for d in docs) == [
        "2021-13753",
        "2022-22069",
        "2024-06895",
        "2024-24723",
        "2024-30018",
        "2025-00070",
        "2026-11571",
    ]
    assert all(d.raw and d.content_hash and d.status == "pending" for d in docs)
    (again,) = crawl(isolated_settings, only="federal_register")
    assert again.new == 0 and again.changed == 0 and again.unchanged == 1  # only the 30-day overlap window
    assert len(_documents(isolated_settings)[0]) == 7


def test_bad_input_is_recorded_and_the_crawl_goes_on(isolated_settings, snapshot_copy, monkeypatch):
    broken = snapshot_copy / "federal_register" / "documents" / "2099-00001.json"
    broken.write_text(
        json.dumps(
            {
                "title": "Section 1260H notice without a number",
                "type": "Notice",
                "publication_date": "2022-01-01",
                "agencies": [{"slug": "defense-department"}],
            }
        )
    )
    (snapshot_copy / "faults.json").write_text(
        json.dumps(
            [
                # the second search term's listing is not JSON; a full text answers HTTP 500 every time
                {
                    "path": "/api/v1/documents.json",
                    "query_contains": "Chinese+military",
                    "status": 200,
                    "body": "<html>maintenance</html>",
                    "content_type": "text/html",
                },
                {"path": "/documents/full_text/text/2022/10/12/2022-22069.txt", "status": 500, "body": "error"},
            ]
        )
    )
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    get_settings.cache_clear()
    settings = get_settings()
    (run,) = crawl(settings, only="federal_register")
    assert run.status == "finished"
    assert run.new == 6 and run.failed == 3
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


def _official_events(settings, name):
    from db import queries

    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        entity = queries.get_entity(session, name=name)
        events = [
            (e.status, e.effective_date.isoformat(), e.sentence)
            for e, _ in queries.listing_events_for(session, entity_id=entity.id)
            if e.official
        ]
    engine.dispose()
    return events


def test_public_inspection_withdrawal_read_from_the_desks_own_note(isolated_settings):
    """2026-02-13: on the desk, with the Federal Register's note that the agency asked to withdraw it.
    Weekend and holiday runs ask nothing and change nothing; the notice is never a designation."""
    from datetime import date

    from jobs.steps import process

    crawl(isolated_settings, as_of=date(2026, 2, 13), only="public_inspection")
    docs, _ = _documents(isolated_settings)
    (on_desk,) = [d for d in docs if d.external_id == "2026-02984"]
    assert on_desk.doc_type == "Public Inspection" and on_desk.publication_date == date(2026, 2, 13)  # filed
    assert on_desk.content_type.startswith("text/plain")  # public-inspection raw text is plain text
    desk = on_desk.meta["desk"]
    assert desk["status"] == "withdrawn" and desk["resolved_on"] == "2026-02-13"
    assert "agency letter requesting withdrawal" in desk["evidence"] and "letter_2026-02984_DOD.pdf" in desk["evidence"]

    for day in (date(2026, 2, 14), date(2026, 2, 15), date(2026, 2, 16)):  # Saturday, Sunday, Presidents' Day
        crawl(isolated_settings, as_of=day, only="public_inspection")
    log = (isolated_settings.var_dir / "logs" / "crawl.log").read_text()
    assert "available_on%5D=2026-02-14" not in log and "available_on%5D=2026-02-16" not in log
    assert len([d for d in _documents(isolated_settings)[0] if d.external_id == "2026-02984"]) == 1

    assert process(isolated_settings).failed == 0
    events = _official_events(isolated_settings, "Alibaba Group Holding Limited")
    assert [(status, day) for status, day, _ in events] == [("withdrawn", "2026-02-13")]
    assert "agency letter requesting withdrawal" in events[0][2]


def test_public_inspection_filing_waits_for_publication_and_is_never_withdrawn(isolated_settings):
    """2026-11571: filed Monday 2026-06-08 12:30, on the desk until it is published Wednesday 2026-06-10.
    Its documents/{n}.json answers 404 until then: pending (proposed), never withdrawn."""
    from datetime import date

    from jobs.steps import process

    for day in (date(2026, 6, 8), date(2026, 6, 9)):
        crawl(isolated_settings, as_of=day, only="public_inspection")
        process(isolated_settings)
        docs, _ = _documents(isolated_settings)
        (filing,) = [d for d in docs if d.external_id == "2026-11571"]
        assert "desk" not in filing.meta, day  # pending: nothing is inferred while it waits
    events = _official_events(isolated_settings, "BYD Company Limited")
    # the first walk also read February's withdrawn notice; June's filing is a proposal while it waits
    assert [(status, day) for status, day, _ in events] == [("withdrawn", "2026-02-13"), ("proposed", "2026-06-08")]

    crawl(isolated_settings, as_of=date(2026, 6, 10), only="public_inspection")
    docs, _ = _documents(isolated_settings)
    latest = max((d for d in docs if d.external_id == "2026-11571"), key=lambda d: d.version)
    assert latest.meta["desk"]["status"] == "published"
    process(isolated_settings)
    after = [(status, day) for status, day, _ in _official_events(isolated_settings, "BYD Company Limited")]
    assert after == [("withdrawn", "2026-02-13"), ("proposed", "2026-06-08")]  # published: no withdrawal


def test_dod_recrawl_uses_conditional_requests(isolated_settings):
    (first,) = crawl(isolated_settings, only="dod_releases")
    assert first.new == 10 and first.failed == 0  # five releases and their five list PDFs
    (second,) = crawl(isolated_settings, only="dod_releases")
    assert second.new == 0 and second.changed == 0 and second.failed == 0
    assert second.unchanged >= 2 and second.requests < first.requests  # only the recent window, PDF answered 304
    log = (isolated_settings.var_dir / "logs" / "crawl.log").read_text()
    assert "'downloader/response_status_count/304': 1" in log

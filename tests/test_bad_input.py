"""Bad input: each case gives a clear reason on a kept document, and the rest of the run goes on."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from db import queries
from db.engine import make_engine
from db.models import CrawlRun, Document, ListingEvent
from core.settings import DATA_DIR, get_settings
from jobs.steps import crawl
from nlp.process import process_documents

DEFENSE = DATA_DIR / "snapshot" / "defense"
PDF_2026 = next((DEFENSE / "media" / "2026").rglob("*.PDF"))


def _store_pdf(session, name: str, data: bytes, list_date: str):
    source = queries.get_or_create_source(session, name="dod_releases", kind="dod_release")
    document, _ = queries.store_document(
        session,
        source=source,
        external_id=name,
        raw=data,
        doc_type="List PDF",
        publication_date=date.fromisoformat(list_date),
        content_type="application/pdf",
        meta={"list_date": list_date},
    )
    return document


def test_truncated_scanned_and_half_empty_list_pdfs(session, isolated_settings):
    good = _store_pdf(session, "/2026/good.PDF", PDF_2026.read_bytes(), "2026-06-08")
    data = PDF_2026.read_bytes()
    truncated = _store_pdf(session, "/2026/truncated.PDF", data[: len(data) // 2], "2026-06-20")
    scanned = _store_pdf(
        session, "/2026/scanned.PDF", (DEFENSE / "fixtures/scanned-list.pdf").read_bytes(), "2026-06-25"
    )
    half = _store_pdf(session, "/2026/half.PDF", (DEFENSE / "fixtures/half-list.pdf").read_bytes(), "2026-07-01")
    stats = process_documents(session, isolated_settings)
    assert (stats.processed, stats.failed, stats.quarantined) == (1, 1, 2)
    for document in (good, truncated, scanned, half):
        session.refresh(document)
    assert good.status == "processed"
    assert truncated.status == "failed" and "list PDF unreadable" in truncated.failure_reason
    assert truncated.raw  # the bytes are kept for a later look
    assert scanned.status == "quarantined" and "zero entity rows" in scanned.failure_reason
    assert half.status == "quarantined" and "94 rows against 188 listed before" in half.failure_reason
    # nothing from the quarantined editions became truth: 188 designations, no removals
    statuses = [e.status for e in session.exec(select(ListingEvent))]
    assert statuses.count("designated") == 188 and "removed" not in statuses


def _crawl_with(snapshot_copy, monkeypatch, faults, **env):
    (snapshot_copy / "faults.json").write_text(json.dumps(faults))
    monkeypatch.setenv("RISKWATCH_SNAPSHOT_DIR", str(snapshot_copy))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    settings = get_settings()
    return settings, crawl(settings)


def _docs(settings):
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        docs = session.exec(select(Document)).all()
        runs = session.exec(select(CrawlRun)).all()
        session.expunge_all()
    engine.dispose()
    return docs, runs


@pytest.mark.slow
def test_rate_limits_oversized_responses_offsite_links_and_scripts(snapshot_copy, monkeypatch):
    article = "/_host/www.compliance-wire.example/2025/11/cw-2025-11-20-pentagon-letter.html"
    feeds = json.loads((snapshot_copy / "news" / "feeds.json").read_text())
    feeds["articles"].append(
        {
            "id": "offsite",
            "feed": "compliance_wire",
            "url": "https://evil.example/phish.html",
            "title": "Off-site link",
            "published": "2025-11-21T10:00:00Z",
            "summary": "",
            "file": "cw-2025-11-20-pentagon-letter.html",
            "content_type": "text/html",
        }
    )
    (snapshot_copy / "news" / "feeds.json").write_text(json.dumps(feeds))
    settings, runs = _crawl_with(
        snapshot_copy,
        monkeypatch,
        [
            # 429 twice with Retry-After, then served: retried, stored once
            {"path": article, "status": 429, "headers": {"Retry-After": "1"}, "body": "slow down", "times": 2},
            # a 2 MB answer where the cap is 1 MB: refused, recorded
            {
                "path": "/_host/www.wirtschaftsblatt.example/2025/11/wb-2025-11-21-pentagon-vorschlag.html",
                "status": 200,
                "size": 2_000_000,
                "content_type": "text/html",
            },
        ],
        RISKWATCH_MAX_RESPONSE_BYTES=str(1_000_000),
    )
    assert all(run.status == "finished" for run in runs)
    docs, _ = _docs(settings)
    by_url = {d.url: d for d in docs}
    letter = by_url["https://www.compliance-wire.example/2025/11/cw-2025-11-20-pentagon-letter.html"]
    assert letter.status == "pending" and b"Pentagon" in letter.raw
    oversized = [d for d in docs if d.status == "failed" and "pentagon-vorschlag" in (d.url or "")]
    assert (
        oversized[0].external_id == "https://www.wirtschaftsblatt.example/2025/11/wb-2025-11-21-pentagon-vorschlag.html"
    )
    assert oversized, [d.failure_reason for d in docs if d.status == "failed"]
    assert "not fetched" in oversized[0].failure_reason
    log = (settings.var_dir / "logs" / "crawl.log").read_text()
    assert log.count("retrying after 1.0s (Retry-After)") == 2
    assert "larger than download max size (1000000)" in oversized[0].failure_reason
    assert "127.0.0.1" not in oversized[0].failure_reason  # reasons name the live URL
    assert not any("evil.example" in (d.url or "") for d in docs)  # off-domain link never fetched
    # the rest of the run went on
    assert sum(1 for d in docs if d.doc_type == "Article" and d.status == "pending") == 13
    assert sum(1 for d in docs if d.doc_type == "List PDF") == 5


def test_publication_dates_in_other_formats_are_read_and_unknown_ones_kept_as_failed(database_url):
    from scrapy.utils.test import get_crawler

    from crawler.items import DocumentItem
    from crawler.pipelines import StoragePipeline

    pipeline = StoragePipeline.from_crawler(get_crawler(settings_dict={"RISKWATCH_SOURCE_KIND": "news"}))
    pipeline.open_spider()
    try:
        for number, value in enumerate(
            ["2026-06-10T09:00:00-04:00", "June 10, 2026", "10. Juni 2026", "sometime in spring", "13/02/2026"]
        ):
            pipeline.process_item(
                DocumentItem(
                    source="news",
                    external_id=f"a{number}",
                    url=f"https://x.example/{number}",
                    body=f"<p>article {number}</p>".encode(),
                    content_type="text/html",
                    title="t",
                    doc_type="Article",
                    publication_date=value,
                    language="en",
                )
            )
    finally:
        pipeline.session.close()
        pipeline.engine.dispose()
    docs, _ = _docs(get_settings())
    by_id = {d.external_id: d for d in docs}
    assert [by_id[f"a{n}"].publication_date for n in range(3)] == [date(2026, 6, 10)] * 3
    for number, value in ((3, "sometime in spring"), (4, "13/02/2026")):
        kept = by_id[f"a{number}"]
        assert kept.status == "failed" and kept.failure_reason == f"unknown publication date format: {value!r}"
        assert kept.raw == f"<p>article {number}</p>".encode()  # kept for a look and the next run
    assert pipeline.outcomes == {"new": 3, "failed": 2}

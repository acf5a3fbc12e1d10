"""`riskwatch run` end to end in a subprocess: replay -> Scrapy -> SQLite -> spaCy -> scores."""

import json
import sqlite3

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

SEED = ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited")


def rows(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_run_stores_documents_mentions_events_and_scores_for_the_seed_companies(replayed_db):
    by_type = dict(rows(replayed_db, "SELECT doc_type, count(*) FROM document WHERE status = 'processed' GROUP BY 1"))
    # seven FR notices; public inspection: the withdrawn 2026-02-13 notice (its note seen the same day) and two
    # filings in two versions each (on the desk, published); five DoD list PDFs and the five releases that
    # link them (filler releases are skipped)
    assert by_type == {
        "Notice": 7,
        "Public Inspection": 5,
        "List PDF": 5,
        "DoD Release": 5,
        "Article": 14,
        "Screening List": 1,
    }
    for name in SEED:
        events = rows(
            replayed_db,
            """
            SELECT e.status, e.effective_date, e.publication_date, e.official, d.external_id, e.date_kind
            FROM listingevent e JOIN entity n ON n.id = e.entity_id JOIN document d ON d.id = e.evidence_document_id
            WHERE n.name = ? AND e.official = 1 ORDER BY e.effective_date, e.id""",
            name,
        )
        pdf = (
            "/2026/Jun/08/2003945537/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-"
            "UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF"
        )
        assert sorted(events) == sorted(
            [
                ("withdrawn", "2026-02-13", "2026-02-13", 1, "2026-02984", "withdrawn_by"),  # the desk's own note
                ("proposed", "2026-06-08", "2026-06-08", 1, "2026-11571", "filed_at"),  # on the desk, two days early
                ("designated", "2026-06-08", "2026-06-08", 1, pdf, "list_date"),
                ("designated", "2026-06-08", "2026-06-10", 1, "2026-11571", "filed"),
            ]
        )
        mentions = rows(
            replayed_db,
            """SELECT m.method FROM mention m JOIN entity n ON n.id = m.entity_id
                                        WHERE n.name = ?""",
            name,
        )
        assert {m for (m,) in mentions} == {"official_list", "ruler"}  # list rows, and news text via the ruler
        before = rows(
            replayed_db,
            """SELECT s.score FROM exposurescore s JOIN entity n ON n.id = s.entity_id
                                      WHERE n.name = ? AND s.day = '2026-06-07'""",
            name,
        )
        after = rows(
            replayed_db,
            """SELECT s.score FROM exposurescore s JOIN entity n ON n.id = s.entity_id
                                     WHERE n.name = ? AND s.day = '2026-06-08'""",
            name,
        )
        assert before and 0 < before[0][0] < 40  # proposal and withdrawn notice: visible signals, not a listing
        assert after and after[0][0] >= before[0][0] + 40  # the listing arrives, the signals that came true retire


def test_run_reconstructs_edition_changes(replayed_db):
    def events_of(name):  # each change is recorded once per official source (FR notice and DoD PDF)
        return rows(
            replayed_db,
            """SELECT DISTINCT e.status, e.effective_date FROM listingevent e JOIN entity n
                                    ON n.id = e.entity_id WHERE n.name = ? AND e.official = 1 AND e.list_name = '1260H'
                                    AND e.status IN ('designated', 'removed') ORDER BY e.effective_date""",
            name,
        )

    # the 2025 notice was filed (made public) on 2025-01-06, the day before the DoD list PDF's date
    assert events_of("Beijing Megvii Technology Co., Ltd.") == [("designated", "2024-01-31"), ("removed", "2025-01-06")]
    assert events_of("Tencent Holdings Limited") == [("designated", "2025-01-06")]
    assert events_of("IDG Capital Partners Co., Ltd.") == [("designated", "2024-01-31"), ("removed", "2024-12-17")]
    # Hesai's interim re-designation (2024-24723) names a company already listed: no change
    assert events_of("Hesai Technology Co., Ltd.")[0] == ("designated", "2024-01-31")
    changes = {
        (day, status): count
        for day, status, count in rows(
            replayed_db,
            """
        SELECT effective_date, status, count(DISTINCT entity_id) FROM listingevent WHERE official = 1
        AND list_name = '1260H' AND status IN ('designated', 'removed') GROUP BY 1, 2""",
        )
    }
    # 2025: 'CNOOC Limited' re-styled 'CNOOC China Limited' is printed without a former name, so it reads as
    # one removal and one addition (the list sizes stay right)
    assert changes == {
        ("2021-06-03", "designated"): 47,
        ("2022-10-05", "designated"): 13,
        ("2024-01-31", "designated"): 16,
        ("2024-01-31", "removed"): 3,
        ("2024-12-17", "removed"): 2,
        ("2025-01-06", "designated"): 70,
        ("2025-01-06", "removed"): 7,
        ("2026-06-08", "designated"): 65,
        ("2026-06-08", "removed"): 11,
    }


def test_listed_counts_after_each_edition_match_the_real_list_sizes(replayed_db):
    from datetime import date

    from sqlmodel import Session, create_engine

    from nlp.apply_official import currently_listed

    engine = create_engine(f"sqlite:///{replayed_db}")
    with Session(engine) as session:
        sizes = {
            day: len(currently_listed(session, list_name="1260H", on=date.fromisoformat(day)))
            for day in ("2021-06-04", "2022-10-06", "2024-02-01", "2025-01-08", "2026-02-14", "2026-06-11")
        }
    engine.dispose()
    # the real editions: 47 (2021), 60 (2022), 73 (2024), 134 (2025), 188 (2026); the withdrawn
    # February 2026 notice changes nothing
    assert sizes == {
        "2021-06-04": 47,
        "2022-10-06": 60,
        "2024-02-01": 73,
        "2025-01-08": 134,
        "2026-02-14": 134,
        "2026-06-11": 188,
    }


def test_second_run_adds_nothing(replayed_copy):
    db = replayed_copy.removeprefix("sqlite:///")
    tables = ["document", "entity", "alias", "mention", "listingevent", "exposurescore"]
    before = {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    run_cli("run", env={"RISKWATCH_DATABASE_URL": replayed_copy})
    after = {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert after == before
    runs = rows(db, "SELECT new, changed, failed FROM crawlrun ORDER BY id")
    assert runs[-1] == (0, 0, 0)


def test_history_json_contract(replayed_copy):
    for name in ("BYD", "BYD Co Ltd", "比亚迪"):
        result = json.loads(run_cli("history", name, "--json", env={"RISKWATCH_DATABASE_URL": replayed_copy}).stdout)
        assert result["entity"] == "BYD Company Limited" and result["listed"] is True
        assert all({"date", "list", "status", "source_url"} <= set(event) for event in result["events"])
        designations = [e for e in result["events"] if e["status"] == "designated" and e["official"]]
        # Two official sources for one designation, in a fixed order whatever the crawl order was:
        # the DoD list PDF (list date = its own publication) and the Federal Register notice
        # (list date 2026-06-08, published 2026-06-10).
        assert [(e["date"], e["publication_date"], e["source_url"].split("/")[2]) for e in designations] == [
            ("2026-06-08", "2026-06-08", "media.defense.gov"),
            ("2026-06-08", "2026-06-10", "www.federalregister.gov"),
        ]
        assert designations[1]["source_url"].startswith("https://www.federalregister.gov/documents/2026/06/10/")
    missing = run_cli("history", "No Such Company", env={"RISKWATCH_DATABASE_URL": replayed_copy}, check=False)
    assert missing.returncode == 1 and b"no company named" in missing.stderr


def test_exposure_json_contract(replayed_copy):
    result = json.loads(
        run_cli("exposure", "--json", "--date", "2026-06-08", env={"RISKWATCH_DATABASE_URL": replayed_copy}).stdout
    )
    assert result == sorted(result, key=lambda r: -r["score"])
    byd = next(r for r in result if r["entity"] == "BYD Company Limited")
    assert byd["listed"] is True and byd["components"]["listing"] == 60
    assert abs(sum(byd["components"].values()) - byd["score"]) < 1e-6


def test_analyze_json_contract_and_bad_input(tmp_path):
    text = "The Department of Defense added BYD Co., Ltd. to the Section 1260H list on June 8, 2026."
    result = json.loads(run_cli("analyze", "-", "--json", input=text.encode()).stdout)
    assert {"text", "label", "start", "end", "entity"} <= set(result["entities"][0])
    assert [(e["entity"], e["list"], e["status"], e["date"]) for e in result["events"]] == [
        ("BYD Company Limited", "1260H", "designated", "2026-06-08")
    ]
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Militärunternehmen BYD".encode("latin-1"))
    failed = run_cli("analyze", str(bad), "--json", check=False)
    assert failed.returncode == 2 and b"not valid UTF-8" in failed.stderr
    empty = json.loads(run_cli("analyze", "-", "--json", input=b"").stdout)
    assert empty["entities"] == [] and empty["events"] == []


def test_help_lists_the_commands():
    out = run_cli("--help").stdout.decode()
    for command in ("crawl", "process", "score", "run", "dashboard", "demo", "analyze", "history", "exposure"):
        assert command in out


def test_news_events_match_what_an_analyst_extracts(replayed_db):
    """Every news article in the snapshot carries the events an analyst would extract from it."""
    from core.settings import DATA_DIR

    facts = json.loads((DATA_DIR / "facts" / "news_articles.json").read_text(encoding="utf-8"))
    found = {}
    for url, name, status in rows(
        replayed_db,
        """
            SELECT d.url, n.name, e.status FROM listingevent e JOIN entity n ON n.id = e.entity_id
            JOIN document d ON d.id = e.evidence_document_id WHERE e.official = 0""",
    ):
        found.setdefault(url.rsplit("/", 1)[-1].removesuffix(".html"), set()).add((name, status))
    expected = {a["id"]: {(e["entity"], e["status"]) for e in a["expected"]} for a in facts["articles"]}
    true_positive = sum(len(found.get(i, set()) & e) for i, e in expected.items())
    false_positive = sum(len(found.get(i, set()) - e) for i, e in expected.items())
    false_negative = sum(len(e - found.get(i, set())) for i, e in expected.items())
    assert true_positive >= 40
    assert true_positive / (true_positive + false_positive) >= 0.95  # precision
    assert true_positive / (true_positive + false_negative) >= 0.9  # recall
    assert not any(
        status == "designated"
        for i in (
            "cw-2025-11-20-pentagon-letter",
            "wb-2025-11-21-pentagon-vorschlag",
            "cw-2026-02-13-public-inspection-withdrawn",
        )
        for _, status in found.get(i, set())
    )

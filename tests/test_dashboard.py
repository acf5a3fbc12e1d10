"""Dashboard: pure queries/charts, and the overview page through Streamlit's AppTest."""

import json
from datetime import date

import pytest

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import charts, queries
from db.engine import make_engine
from core.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
WATCHED = [
    json.loads(line)["name"] for line in (PROJECT_ROOT / "data/watchlist/watchlist.jsonl").open(encoding="utf-8")
]


def test_queries_on_the_replayed_database(replayed_copy):
    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        as_of = queries.as_of(session)
        board = queries.leaderboard(session, on=as_of, limit=500)
        byd = board[board["entity"] == "BYD Company Limited"].iloc[0]
        assert byd["listed"] == "1260H" and byd["score"] >= 60
        assert list(board["score"]) == sorted(board["score"], reverse=True)
        history = queries.score_history(session, entity_ids=[int(byd["entity_id"])])
        assert history["day"].min() <= date(2025, 11, 21)  # first evidence: news before the notices
        markers = queries.event_markers(session, entity_ids=[int(byd["entity_id"])])
        official = markers[markers["official"]]
        # withdrawn (the desk's note, 2026-02-13), proposed (on the desk, 2026-06-08), designated (PDF, notice)
        assert sorted(zip(official["day"].astype(str), official["status"])) == [
            ("2026-02-13", "withdrawn"),
            ("2026-06-08", "designated"),
            ("2026-06-08", "designated"),
            ("2026-06-08", "proposed"),
        ]
        assert "proposed" in set(markers[~markers["official"]]["status"])  # the news reports of the 2025 letter
        periods = queries.listing_periods(session, entity_ids=[int(byd["entity_id"])])
        assert list(periods.itertuples(index=False, name=None)) == [
            ("BYD Company Limited", "1260H", date(2026, 6, 8), None)
        ]
        figure = charts.exposure_chart(history, markers, periods)
        names = {trace.name for trace in figure.data}
        assert {"BYD Company Limited", "Designated (official)", "Withdrawn (official)"} <= names
        assert any(name.endswith("(news)") for name in names)  # official and news markers told apart
        assert "BYD Company Limited" in (byd["status_line"] or "") or byd["status"] == "listed"
        documents = queries.latest_documents(session, limit=100)
        assert "Notice of Availability of Designation of Chinese Military Companies" in set(documents["title"])
    engine.dispose()


def test_overview_on_the_replayed_database(replayed_copy):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value.startswith("riskwatch")
    assert any(caption.value.startswith("As of ") for caption in app.caption)
    leaderboard = app.dataframe[0].value
    top = leaderboard.iloc[0]  # the longest-listed companies score highest (tenure, section 805)
    assert top["Company"] == "Aviation Industry Corporation of China Ltd."  # 1260H and NS-CMIC since 2021
    assert top["Status (as of the date above)"].startswith("LISTED on 1260H since 2021-06-03 — DoD list of 2021-06-03")
    assert any(c.value.startswith("Top 50 of ") for c in app.caption)  # never a silent cap
    facts = app.dataframe[1].value  # the official story first
    official = facts[facts["Evidence"] == "official"]
    assert list(facts["Evidence"])[: len(official)] == ["official"] * len(official)
    seed = official[official["Company"].isin(["Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited"])]
    assert {"designated", "withdrawn notice (never published)"} <= set(seed["Status"])
    assert len(app.get("plotly_chart")) == 1
    chosen = app.multiselect[0].value
    assert len(chosen) == 3 and set(chosen) <= set(WATCHED)  # the watchlist's three highest scores
    documents = app.dataframe[-1].value
    assert {"federal_register", "news", "dod_releases"} <= set(documents["Source"])


def test_overview_on_an_empty_database(engine):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "No scores yet" in app.info[0].value and "riskwatch demo" in app.info[0].value
    assert len(app.dataframe) == 0


def _page(path: str, *, params: dict | None = None, **state) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / path), default_timeout=60)
    for key, value in state.items():
        app.session_state[key] = value
    for key, value in (params or {}).items():
        app.query_params[key] = value
    return app.run()


def test_company_page_shows_status_intervals_components_and_evidence(replayed_copy):
    app = _page("company.py", params={"entity": "BYD"})  # a short name in a deep link
    assert not app.exception
    assert app.header[0].value == "BYD Company Limited"
    assert app.query_params["entity"] == "BYD Company Limited"  # the URL names the company shown
    status = app.error[0].value
    assert (
        "LISTED on 1260H since 2026\\-06\\-08 — DoD list of 2026\\-06\\-08; Federal Register 2026\\-06\\-10" in status
    )
    assert "federalregister.gov" in status and "media.defense.gov" in status
    lists = app.dataframe[0].value
    assert list(lists["List"]) == ["1260H"] and list(lists["Since"]) == ["2026-06-08"]
    assert "may not contract" in lists["What it implies"][0] and "section 805" in lists["Legal basis"][0]
    intervals = app.dataframe[1].value
    assert list(intervals.iloc[0]) == ["1260H", "2026-06-08", "open"]
    events = app.dataframe[2].value
    assert {"proposed", "withdrawn", "designated"} <= set(events["Status"])
    assert "None" not in events.astype(str).to_numpy().tolist()
    assert len(app.get("plotly_chart")) == 1
    assert any("BYD" in m.value for m in app.markdown)  # evidence sentences, highlighted


@pytest.mark.parametrize(
    "name, box, header, text",
    [
        ("BYD Auto", "warning", "BYD Auto", "Not listed itself — parent BYD Company Limited listed on 1260H since"),
        ("阿里巴巴", "error", "Alibaba Group Holding Limited", "LISTED on 1260H since 2026"),
        ("Alibaba", "error", "Alibaba Group Holding Limited", "LISTED on 1260H since 2026"),
    ],
)
def test_company_deep_links_resolve_like_every_search(replayed_copy, name, box, header, text):
    app = _page("company.py", params={"entity": name})
    assert not app.exception and app.header[0].value == header
    shown = getattr(app, box)[0].value.replace("\\", "")
    assert text in shown
    assert not app.success  # a listed parent is never a green "not listed"


def test_company_page_lists_every_list_with_its_since_date_source_and_implication(replayed_copy):
    app = _page("company.py", params={"entity": "Huawei"})
    assert not app.exception and app.header[0].value == "Huawei Technologies Co., Ltd."
    lists = app.dataframe[0].value.set_index("List")
    assert dict(lists["Since"]) == {"1260H": "2021-06-03", "Entity List": "2019-05-16", "NS-CMIC": "2021-06-03"}
    assert "84 FR 22961" in lists.loc["Entity List", "Source"]
    assert "Consolidated Screening List download of" in lists.loc["NS-CMIC", "Source"]
    assert "investment ban" in lists.loc["NS-CMIC", "What it implies"]
    assert "in force from 2021-08-02" in lists.loc["NS-CMIC", "What it implies"]
    assert "Export licence" in lists.loc["Entity List", "What it implies"]
    assert "official name 1.00" in lists.loc["NS-CMIC", "List records (how linked)"]
    status = app.error[0].value.replace("\\", "")
    assert "LISTED on Entity List since 2019-05-16" in status and "LISTED on NS-CMIC since 2021-06-03" in status


def test_screening_returns_every_list_hit_also_for_parties_riskwatch_does_not_score(replayed_copy):
    from sqlmodel import select

    from db.models import ListRecord
    from scoring.screening import read_counterparties, results_csv, screen

    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        party = session.exec(
            select(ListRecord).where(ListRecord.list_name == "SDN List", ListRecord.present == True)  # noqa: E712
        ).first()
        rows = read_counterparties(f'name\nHuawei Technologies Co Ltd\n"{party.name}"\nNowhere Widgets\n'.encode())
        results = screen(session, rows, on=date(2026, 12, 1))
    engine.dispose()
    huawei, sdn, nothing = results
    assert huawei.matched_entity == "Huawei Technologies Co., Ltd." and huawei.list_hit_count == 2
    assert {h["list"] for h in huawei.hits} == {"Entity List", "NS-CMIC"}
    assert huawei.lists == "1260H, Entity List, NS-CMIC"
    assert sdn.matched_entity is None and sdn.status == "list hit" and sdn.listed and sdn.lists == "SDN List"
    assert sdn.hits[0]["name"] == party.name and sdn.hits[0]["score"] == 1.0
    assert nothing.status == "no match" and not nothing.hits
    import csv
    import io
    import json

    exported = list(csv.DictReader(io.StringIO(results_csv(results))))
    assert {h["list"] for h in json.loads(exported[0]["hits"])} == {"Entity List", "NS-CMIC"}


def test_company_page_says_when_no_company_has_that_name(replayed_copy):
    app = _page("company.py", params={"entity": "Nowhere Widgets Trading"})
    assert not app.exception and not app.header
    assert app.warning[0].value.replace("\\", "").startswith("no company named 'Nowhere Widgets Trading'")


def test_company_page_empty_database(engine):
    app = _page("company.py")
    assert not app.exception and "No companies yet" in app.info[0].value


def test_documents_page_lists_failed_and_quarantined_with_reason(replayed_copy):
    app = _page("documents.py")
    assert not app.exception
    frame = app.dataframe[0].value
    assert {"federal_register", "public_inspection", "dod_releases", "news"} <= set(frame["Source"])
    assert {"en", "de"} <= set(frame["Language"])
    assert "Withdrawn — never published" in set(frame["Status"])  # the 2026-02-13 notice
    assert "None" not in frame.astype(str).to_numpy().tolist()
    # the documents, the mentions of the opened one, and its candidates when it has any
    candidates = "Unlinked organisations reported with listing events (candidates, not scored)"
    assert len(app.dataframe) == 2 + (candidates in [s.value for s in app.subheader])


def test_documents_page_empty_database(engine):
    app = _page("documents.py")
    assert not app.exception and "No documents yet" in app.info[0].value


def test_script_in_evidence_renders_as_text():
    from dashboard.render import highlight

    rendered = highlight("<script>alert('x')</script> BYD was added [click](javascript:alert(1))", ["BYD"])
    assert "<script>" not in rendered and "\\<script\\>" in rendered
    assert "](javascript" not in rendered and ":orange-background[BYD]" in rendered


def test_screening_csv_matches_and_protects_exports(replayed_copy):
    from scoring.screening import read_counterparties, results_csv, screen

    rows = read_counterparties(b"name,country\nBYD Co Ltd,CN\nAnt Group,CN\n=cmd|' /C calc'!A0,US\n")
    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        results = screen(session, rows, on=date(2026, 11, 25))
    engine.dispose()
    assert (results[0].matched_entity, results[0].listed, results[0].lists) == ("BYD Company Limited", True, "1260H")
    assert results[0].since == "2026-06-08" and results[0].company_page.endswith(
        "company?entity=BYD%20Company%20Limited"
    )
    assert results[1].matched_entity is None and results[1].listed is False  # Ant Group is not Alibaba
    assert "\n4,'=cmd" not in results_csv(results) and "'=cmd" in results_csv(results)


def test_alerts_page_watchlist_and_empty_log(replayed_copy):
    app = _page("alerts.py")
    assert not app.exception
    log = app.dataframe[0].value  # the replay's first run recorded its events as the baseline
    assert set(log["Delivery"]) == {"baseline"} and "official listing change" in set(log["Kind"])
    assert set(log["Company"]) <= set(WATCHED)  # the watchlist decides who is alerted
    assert "LISTING: BYD Company Limited designated on 1260H (2026-06-08)" in set(log["Message"])
    watchlist = app.dataframe[1].value  # the watchlist editor
    assert "BYD Company Limited" in set(watchlist["entity"])
    assert bool(watchlist.loc[watchlist["entity"] == "BYD Company Limited", "watched"].iloc[0]) is True


def test_alerts_page_empty_database(engine):
    app = _page("alerts.py")
    assert not app.exception and "No companies yet" in app.info[-1].value


def test_screening_page_matches_an_upload(replayed_copy):
    app = _page("screening.py")
    assert not app.exception and "Upload a CSV" in app.markdown[0].value


def test_document_query_filters(replayed_copy):
    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        german = queries.documents(session, languages=["de"])
        assert len(german) == 6 and set(german["source"]) == {"news"}
        notices = queries.documents(
            session, sources=["federal_register"], published=(date(2025, 1, 1), date(2026, 12, 31))
        )
        assert set(notices["published"]) == {date(2025, 1, 7), date(2026, 6, 10)}
    engine.dispose()


def test_audit_page_lists_every_change_and_says_when_there_is_none(replayed_copy):
    app = _page("audit.py")
    assert not app.exception and app.info[0].value == "No change recorded yet."
    alerts = _page("alerts.py")
    assert not alerts.exception
    alerts.selectbox(key="watch_pick").select("Huawei Technologies Co., Ltd.").run()
    alerts.button(key="watch_toggle").click().run()
    assert not alerts.exception and "is on the watchlist now" in alerts.success[-1].value
    app = _page("audit.py")
    trail = app.dataframe[0].value
    assert list(trail["Changed"]) == ["Huawei Technologies Co., Ltd."] and list(trail["Who"])[0].startswith("os:")
    assert list(trail["How signed in"]) == ["local"] and list(trail["After"]) == ['{"watched": true}']


def test_audit_page_empty_database(engine):
    app = _page("audit.py")
    assert not app.exception and app.info[0].value == "No change recorded yet."


def test_a_screening_list_download_reads_as_a_summary_not_json(replayed_copy):
    from sqlmodel import select

    from db.models import Document

    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        document = session.exec(select(Document).where(Document.doc_type == "Screening List")).one()
        text = queries.document_detail(session, document_id=document.id)["text"]
    engine.dispose()
    assert text.startswith("Consolidated Screening List download, version 1")
    assert "Entity List" in text and "added" in text and "{" not in text

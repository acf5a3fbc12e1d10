"""Dashboard: pure queries/charts, and the overview page through Streamlit's AppTest."""

from datetime import date

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import charts, queries
from db.engine import make_engine
from core.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")


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
        figure = charts.exposure_chart(history, markers)
        assert {trace.name for trace in figure.data} == {"BYD Company Limited", "proposed", "withdrawn", "designated"}
        documents = queries.latest_documents(session, limit=100)
        assert "Notice of Availability of Designation of Chinese Military Companies" in set(documents["title"])
    engine.dispose()


def test_overview_on_the_replayed_database(replayed_copy):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value.startswith("riskwatch")
    assert any(caption.value.startswith("As of ") for caption in app.caption)
    leaderboard = app.dataframe[0].value
    assert "BYD Company Limited" in set(leaderboard["entity"])
    assert len(app.get("plotly_chart")) == 1
    chosen = app.multiselect[0].value
    assert sorted(chosen) == ["Alibaba Group Holding Limited", "BYD Company Limited", "Baidu, Inc."]
    documents = app.dataframe[-1].value
    assert {"federal_register", "news", "dod_releases"} <= set(documents["source"])


def test_overview_on_an_empty_database(engine):
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "No scores yet" in app.info[0].value and "riskwatch demo" in app.info[0].value
    assert len(app.dataframe) == 0


def _page(path: str, **state) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / path), default_timeout=60)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def test_company_page_shows_intervals_components_and_evidence(replayed_copy):
    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        from db import queries as db_queries

        byd = db_queries.get_entity(session, name="BYD Company Limited").id
    engine.dispose()
    app = _page("company.py", company_entity_id=byd)
    assert not app.exception
    assert app.header[0].value == "BYD Company Limited"
    assert app.error[0].value.startswith("Listed: 1260H")
    intervals = app.dataframe[0].value
    assert list(intervals.iloc[0]) == ["1260H", "2026-06-08", "open"]
    events = app.dataframe[1].value
    assert {"proposed", "withdrawn", "designated"} <= set(events["status"])
    assert len(app.get("plotly_chart")) == 1
    assert any("BYD" in m.value for m in app.markdown)  # evidence sentences, highlighted


def test_company_page_empty_database(engine):
    app = _page("company.py")
    assert not app.exception and "No companies yet" in app.info[0].value


def test_documents_page_lists_failed_and_quarantined_with_reason(replayed_copy):
    app = _page("documents.py")
    assert not app.exception
    frame = app.dataframe[0].value
    assert {"federal_register", "public_inspection", "dod_releases", "news"} <= set(frame["source"])
    assert {"en", "de"} <= set(frame["language"])
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
    assert results[1].matched_entity is None and results[1].listed is False  # Ant Group is not Alibaba
    assert "\n4,'=cmd" not in results_csv(results) and "'=cmd" in results_csv(results)


def test_alerts_page_watchlist_and_empty_log(replayed_copy):
    app = _page("alerts.py")
    assert not app.exception
    log = app.dataframe[0].value  # the replay's first run recorded its events as the baseline
    assert set(log["status"]) == {"baseline"} and "listing" in set(log["kind"])
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

"""Dashboard: pure queries/charts, and the overview page through Streamlit's AppTest."""

from datetime import date

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard import charts, queries
from db.engine import make_engine
from db.settings import PROJECT_ROOT

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
        assert list(official["status"]) == ["proposed", "withdrawn", "designated", "designated"]
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

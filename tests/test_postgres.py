"""The whole daily job on a real PostgreSQL server gives the same answers as on SQLite."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import new_postgres_database, run_cli

pytestmark = pytest.mark.slow

TABLES = [
    "source",
    "document",
    "entity",
    "alias",
    "mention",
    "listingevent",
    "candidateevent",
    "exposurescore",
    "alert",
]


@pytest.fixture(scope="module")
def replayed_postgres(postgres_server, tmp_path_factory) -> str:
    url = new_postgres_database(postgres_server)
    env = {"RISKWATCH_VAR_DIR": str(tmp_path_factory.mktemp("pg") / "var"), "RISKWATCH_DATABASE_URL": url}
    run_cli("run", env=env)
    return url


def _pg_rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        result = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return result


def _sqlite_rows(path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_same_rows_as_sqlite(replayed_postgres, replayed_db):
    per_entity = """SELECT e.name, count(*), CAST(min(s.day) AS TEXT), CAST(max(s.day) AS TEXT)
                    FROM exposurescore s JOIN entity e ON e.id = s.entity_id GROUP BY e.name ORDER BY e.name"""
    on_pg, on_sqlite = _pg_rows(replayed_postgres, per_entity), _sqlite_rows(replayed_db, per_entity)
    assert on_pg == on_sqlite, sorted(set(on_pg) ^ set(on_sqlite))
    links = """SELECT c.name, p.name FROM entity c JOIN entity p ON p.id = c.parent_id ORDER BY 1"""
    assert _pg_rows(replayed_postgres, links) == _sqlite_rows(replayed_db, links)
    sums = "SELECT e.name, sum(s.score) FROM exposurescore s JOIN entity e ON e.id = s.entity_id GROUP BY 1"
    on_pg = {name: float(total) for name, total in _pg_rows(replayed_postgres, sums)}
    on_sqlite = {name: float(total) for name, total in _sqlite_rows(replayed_db, sums)}
    assert on_pg.keys() == on_sqlite.keys()
    assert all(abs(on_pg[name] - on_sqlite[name]) < 1e-6 * max(1.0, on_sqlite[name]) for name in on_pg)
    for table in TABLES:
        sql = f"SELECT count(*) FROM {table}"
        assert _pg_rows(replayed_postgres, sql) == _sqlite_rows(replayed_db, sql), table
    changes = """SELECT CAST(effective_date AS TEXT), status, count(*) FROM listingevent
                 WHERE official AND status IN ('designated', 'removed') GROUP BY 1, 2 ORDER BY 1, 2"""
    assert _pg_rows(replayed_postgres, changes) == _sqlite_rows(
        replayed_db, changes.replace("WHERE official", "WHERE official = 1")
    )


def test_same_cli_answers_as_sqlite(replayed_postgres, replayed_db):
    sqlite_env = {"RISKWATCH_DATABASE_URL": f"sqlite:///{replayed_db}"}
    pg_env = {"RISKWATCH_DATABASE_URL": replayed_postgres}
    for args in (
        ["history", "BYD", "--json"],
        ["history", "阿里巴巴", "--json"],
        ["exposure", "--date", "2026-06-08", "--json"],
        ["exposure", "--date", "2025-02-01", "--json"],
    ):
        on_pg = json.loads(run_cli(*args, env=pg_env).stdout)
        on_sqlite = json.loads(run_cli(*args, env=sqlite_env).stdout)
        assert on_pg == on_sqlite, args


def test_second_run_on_postgres_adds_nothing(replayed_postgres, tmp_path):
    before = {t: _pg_rows(replayed_postgres, f"SELECT count(*) FROM {t}") for t in TABLES}
    run_cli("run", env={"RISKWATCH_VAR_DIR": str(tmp_path / "var"), "RISKWATCH_DATABASE_URL": replayed_postgres})
    assert {t: _pg_rows(replayed_postgres, f"SELECT count(*) FROM {t}") for t in TABLES} == before
    assert _pg_rows(replayed_postgres, "SELECT new, changed, failed FROM crawlrun ORDER BY id DESC LIMIT 1") == [
        (0, 0, 0)
    ]


def test_schema_version_on_postgres(replayed_postgres):
    from db.models import SCHEMA_VERSION

    assert SCHEMA_VERSION == 4  # the CSL's lists in the CHECK constraint, list records and changes
    assert _pg_rows(replayed_postgres, "SELECT id, version FROM schemainfo") == [(1, SCHEMA_VERSION)]


def test_dashboard_and_screening_on_postgres(replayed_postgres, replayed_db, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from core.settings import PROJECT_ROOT, get_settings

    monkeypatch.setenv("RISKWATCH_DATABASE_URL", replayed_postgres)
    get_settings.cache_clear()
    views = PROJECT_ROOT / "dashboard" / "views"
    overview = AppTest.from_file(str(views / "overview.py"), default_timeout=60).run()
    assert not overview.exception
    board = overview.dataframe[0].value  # the top 50: the longest-listed companies score highest
    assert len(board) == 50 and "Hangzhou Hikvision Digital Technology Co., Ltd." in set(board["Company"])
    documents = AppTest.from_file(str(views / "documents.py"), default_timeout=60).run()
    assert not documents.exception and len(documents.dataframe[0].value) > 0
    counterparties = tmp_path / "counterparties.csv"
    counterparties.write_text("name,country\nBYD Co Ltd,CN\nAnt Group,CN\nAliyun,CN\n", encoding="utf-8")
    on_pg = json.loads(
        run_cli("screen", str(counterparties), "--json", env={"RISKWATCH_DATABASE_URL": replayed_postgres}).stdout
    )
    on_sqlite = json.loads(
        run_cli(
            "screen", str(counterparties), "--json", env={"RISKWATCH_DATABASE_URL": f"sqlite:///{replayed_db}"}
        ).stdout
    )
    assert on_pg == on_sqlite
    assert on_pg[0]["matched_entity"] == "BYD Company Limited" and on_pg[1]["matched_entity"] is None

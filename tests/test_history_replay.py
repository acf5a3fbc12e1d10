"""Replaying the snapshot as of dates across the history, incrementally into one database,
reconstructs every edition (the issue's "done when")."""

import sqlite3

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

SEED = ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited")


def official(db, name):
    with sqlite3.connect(db) as conn:
        return conn.execute("""SELECT DISTINCT e.status, e.effective_date FROM listingevent e
                               JOIN entity n ON n.id = e.entity_id WHERE n.name = ? AND e.official = 1
                               ORDER BY e.effective_date, e.status""", (name,)).fetchall()


def listed_count(db, on):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("""SELECT entity_id, status FROM listingevent WHERE official = 1 AND list_name = '1260H'
                               AND status IN ('designated', 'removed') AND effective_date <= ?
                               ORDER BY effective_date, id""", (on,)).fetchall()
    state = {}
    for entity_id, status in rows:
        state[entity_id] = status
    return sum(1 for status in state.values() if status == "designated")


def test_replay_as_of_dates_across_the_history(tmp_path):
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var")}
    db = tmp_path / "var" / "riskwatch.db"

    run_cli("run", "--as-of", "2021-06-30", env=env)
    assert listed_count(db, "2021-06-30") == 47

    run_cli("run", "--as-of", "2024-02-15", env=env)
    assert listed_count(db, "2024-02-15") == 73
    assert official(db, "Beijing Megvii Technology Co., Ltd.") == [("designated", "2024-01-31")]

    run_cli("run", "--as-of", "2025-01-10", env=env)
    assert listed_count(db, "2025-01-10") == 134
    assert official(db, "Beijing Megvii Technology Co., Ltd.") == [("designated", "2024-01-31"), ("removed", "2025-01-07")]
    assert official(db, "Tencent Holdings Limited") == [("designated", "2025-01-07")]

    run_cli("run", "--as-of", "2026-02-13", env=env)
    for name in SEED:  # on public inspection: a proposal, not a listing
        assert official(db, name) == [("proposed", "2026-02-13")]
    history = run_cli("history", "Alibaba", "--json", env=env).stdout
    assert b'"listed": false' in history

    run_cli("run", "--as-of", "2026-02-14", env=env)
    for name in SEED:  # gone from the desk, never published: withdrawn, still not listed
        assert official(db, name) == [("proposed", "2026-02-13"), ("withdrawn", "2026-02-13")]

    run_cli("run", "--as-of", "2026-06-08", env=env)
    for name in SEED:
        assert official(db, name)[-1] == ("designated", "2026-06-08")
    assert listed_count(db, "2026-06-08") == 188
    assert b'"listed": true' in run_cli("history", "BYD", "--json", env=env).stdout

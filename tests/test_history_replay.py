"""Replaying the snapshot as of dates across the history, incrementally into one database,
reconstructs every edition (the issue's "done when")."""

import sqlite3

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

SEED = ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited")


def official(db, name):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            """SELECT DISTINCT e.status, e.effective_date FROM listingevent e
                               JOIN entity n ON n.id = e.entity_id WHERE n.name = ? AND e.official = 1
                               AND e.list_name = '1260H' ORDER BY e.effective_date, e.status DESC""",
            (name,),
        ).fetchall()


def listed_count(db, on):
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            """SELECT entity_id, status FROM listingevent WHERE official = 1 AND list_name = '1260H'
                               AND status IN ('designated', 'removed') AND effective_date <= ?
                               ORDER BY effective_date, id""",
            (on,),
        ).fetchall()
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
    # the Consolidated Screening List of 2024-02-15 compared with that of 2021-06-30: DJI's NS-CMIC record
    # (listed 2021-12-16) is an addition of the second download, dated by its own listing date
    with sqlite3.connect(db) as conn:
        dji = conn.execute(
            """SELECT c.day, c.date_kind, d.version FROM listchange c JOIN listrecord r ON r.id = c.list_record_id
               JOIN document d ON d.id = c.document_id
               WHERE r.name = 'SZ DJI TECHNOLOGY CO., LTD.' AND c.change = 'added'"""
        ).fetchall()
        removed = conn.execute("SELECT count(*) FROM listchange WHERE change = 'removed'").fetchone()[0]
    assert dji == [("2021-12-16", "listing_date", 2)] and removed > 0

    run_cli("run", "--as-of", "2025-01-06", env=env)
    # the 2025 notice on public inspection (a proposal), and the DoD's release of that day with its list PDF,
    # dated 2025-01-07 by its path
    assert official(db, "Tencent Holdings Limited") == [("proposed", "2025-01-06"), ("designated", "2025-01-07")]
    assert listed_count(db, "2025-01-06") == 71  # 73 less the two removed in December 2024

    run_cli("run", "--as-of", "2025-01-10", env=env)
    assert listed_count(db, "2025-01-10") == 134
    # the published notice was filed (made public) on 2025-01-06: each official source records its own date
    assert official(db, "Beijing Megvii Technology Co., Ltd.") == [
        ("designated", "2024-01-31"),
        ("removed", "2025-01-06"),
        ("removed", "2025-01-07"),
    ]
    assert ("designated", "2025-01-06") in official(db, "Tencent Holdings Limited")

    run_cli("run", "--as-of", "2026-02-13", env=env)
    for name in SEED:  # on the desk with the Federal Register's note that the agency asked to withdraw it
        assert official(db, name) == [("withdrawn", "2026-02-13")]
    history = run_cli("history", "Alibaba", "--json", env=env).stdout
    assert b'"listed": false' in history

    for day in ("2026-02-14", "2026-02-16", "2026-02-17"):  # Saturday, Presidents' Day, its scheduled publication
        run_cli("run", "--as-of", day, env=env)
    for name in SEED:  # never published: still withdrawn, once, and not listed
        assert official(db, name) == [("withdrawn", "2026-02-13")]

    run_cli("run", "--as-of", "2026-06-08", env=env)
    for name in SEED:
        assert ("designated", "2026-06-08") in official(db, name)
    assert listed_count(db, "2026-06-08") == 188
    assert b'"listed": true' in run_cli("history", "BYD", "--json", env=env).stdout


def alerts(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("""SELECT a.kind, json_extract(a.payload, '$.status'), json_extract(a.payload, '$.effective_date')
                               FROM alert a WHERE json_extract(a.payload, '$.entity') = 'BYD Company Limited'
                               ORDER BY a.id""").fetchall()


def test_early_warning_from_the_desk_when_the_dod_site_blocks_us(tmp_path, snapshot_copy):
    """DoD/War answers 403 (as its CDN does to plain clients): the Federal Register alone pages WATCH
    the day the 2026 notice is filed (2026-06-08), nothing while it waits, LISTING once on publication
    (2026-06-10); never a withdrawal."""
    import json

    (snapshot_copy / "faults.json").write_text(
        json.dumps(
            [
                {
                    "path_prefix": f"/_host/{host}/",
                    "status": 403,
                    "body": "<html><h1>Access Denied</h1>Reference #18.1</html>",
                }
                for host in ("www.defense.gov", "www.war.gov", "media.defense.gov")
            ]
        )
    )
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var"), "RISKWATCH_SNAPSHOT_DIR": str(snapshot_copy)}
    db = tmp_path / "var" / "riskwatch.db"
    run_cli("run", "--as-of", "2026-06-05", env=env)  # first run: the history is the baseline
    assert alerts(db) == [] or all(kind != "listing" or day < "2026-06-05" for kind, _, day in alerts(db))
    baseline = len(alerts(db))
    run_cli("run", "--as-of", "2026-06-08", env=env)
    new = alerts(db)[baseline:]
    assert new == [("watch", "proposed", "2026-06-08")]
    run_cli("run", "--as-of", "2026-06-09", env=env)
    assert alerts(db)[baseline:] == new  # waiting for publication: nothing new, never "withdrawn"
    run_cli("run", "--as-of", "2026-06-10", env=env)
    assert alerts(db)[baseline:] == [*new, ("listing", "designated", "2026-06-08")]
    run_cli("run", "--as-of", "2026-06-11", env=env)
    assert alerts(db)[baseline:] == [*new, ("listing", "designated", "2026-06-08")]
    assert "withdrawn" not in {status for _, status, day in alerts(db) if day and day >= "2026-06-01"}

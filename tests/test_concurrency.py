"""Concurrent use: the dashboard's queries keep working while the daily job writes a full replay
into the same database (SQLite in WAL mode, and PostgreSQL), and two runs never overlap."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from dashboard import queries
from db.engine import init_db, make_engine
from db.models import SCORE_COMPONENTS, Document, Entity, ExposureScore, ListingEvent, Mention
from core.settings import PROJECT_ROOT
from tests.conftest import RISKWATCH

pytestmark = pytest.mark.slow


def _one_dashboard_pass(session: Session) -> dict[str, int]:
    """What the Overview, Company and Documents pages read, plus invariants a reader must never see broken."""
    day = queries.as_of(session)
    if day is not None:
        board = queries.leaderboard(session, on=day, limit=50)
        assert board["score"].between(0, 100).all()
        ids = [int(i) for i in board["entity_id"][:3]]
        if ids:
            queries.score_history(session, entity_ids=ids)
            queries.event_markers(session, entity_ids=ids)
            queries.entity_events(session, entity_id=ids[0])
            queries.entity_mentions(session, entity_id=ids[0])
            history = queries.component_history(session, entity_id=ids[0])
            if not history.empty:
                total = history[list(SCORE_COMPONENTS)].sum(axis=1)
                assert ((total - history["score"]).abs() < 1e-6).all()
    queries.recent_events(session)
    queries.documents(session)
    queries.document_facets(session)
    # Referential consistency: nothing points at a row the reader cannot see.
    orphans = session.exec(
        text(
            "SELECT count(*) FROM listingevent le LEFT JOIN document d ON d.id = le.evidence_document_id "
            "WHERE d.id IS NULL"
        )
    ).one()[0]
    orphans += session.exec(
        text("SELECT count(*) FROM mention m LEFT JOIN entity e ON e.id = m.entity_id WHERE e.id IS NULL")
    ).one()[0]
    assert orphans == 0
    return {
        model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
        for model in (Document, Entity, Mention, ListingEvent, ExposureScore)
    }


def test_dashboard_reads_while_a_full_replay_writes(database_url, tmp_path):
    env = {**os.environ, "RISKWATCH_DATABASE_URL": database_url, "RISKWATCH_VAR_DIR": str(tmp_path / "var")}
    writer = subprocess.Popen(
        [*RISKWATCH, "run"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    engine = make_engine(database_url)
    errors: list[str] = []
    passes, previous, grew = 0, None, 0
    try:
        init_db(engine)  # as the dashboard does on start-up, racing the job's own init
        while writer.poll() is None:
            try:
                with Session(engine) as session:
                    counts = _one_dashboard_pass(session)
            except Exception as exc:  # every error is a failure of this test, "database is locked" first of all
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            passes += 1
            if previous is not None:
                # committed work never disappears from a reader's view
                assert all(counts[k] >= previous[k] for k in counts), (previous, counts)
                grew += counts != previous
            previous = counts
            time.sleep(0.05)
        stderr = writer.stderr.read().decode(errors="replace")
        assert writer.returncode == 0, stderr
        assert errors == []
        assert passes >= 5 and grew >= 2, (passes, grew)  # the reads really overlapped the writes
        with Session(engine) as session:
            final = _one_dashboard_pass(session)
        assert final["exposurescore"] > 0 and final["listingevent"] > 0
        assert "database is locked" not in stderr
    finally:
        if writer.poll() is None:
            writer.kill()
        engine.dispose()


def test_two_runs_at_once_one_proceeds_the_other_exits_clearly(tmp_path):
    env = {**os.environ, "RISKWATCH_VAR_DIR": str(tmp_path / "var")}
    command = [*RISKWATCH, "run", "--as-of", "2024-12-31"]
    first = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / "var" / "riskwatch.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip()) and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=120)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err.decode(errors="replace")
    assert second.returncode == 3
    assert b"another riskwatch run is in progress" in second.stdout + second.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'riskwatch.db'}")
    with Session(engine) as session:
        assert session.exec(select(func.max(ExposureScore.day))).one() == date(2024, 12, 31)
    engine.dispose()

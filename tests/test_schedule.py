"""The daily job: its schedule (APScheduler with the database as job store), the run lock, and the one
run (``jobs.daily.run``) that the CLI, the demo and the scheduler share."""

import time
from datetime import date, datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlmodel import select

from db.engine import make_engine
from db.models import CrawlRun, Entity
from jobs import daily
from jobs.alerts import CollectStats
from jobs.daily import RunLocked, run_lock
from jobs.progress import RunProgress
from jobs.slack import SendStats
from nlp.process import ProcessStats
from jobs.schedule import JOB_ID, MISFIRE_GRACE_SECONDS, build_scheduler
from scoring.series import ScoreStats
from tests.conftest import run_cli

CALLS: list[float] = []


def record_call():
    """The job the tests schedule (importable by reference, like jobs.daily:run)."""
    CALLS.append(time.monotonic())


def _wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    return condition()


def test_scheduler_fires_the_job_and_keeps_it_in_the_database(isolated_settings):
    CALLS.clear()
    scheduler = build_scheduler(
        isolated_settings,
        scheduler_class=BackgroundScheduler,
        trigger=IntervalTrigger(seconds=1),
        job="tests.test_schedule:record_call",
    )
    scheduler.start()
    try:
        assert _wait_for(lambda: len(CALLS) >= 2)
        job = scheduler.get_job(JOB_ID)
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    finally:
        scheduler.shutdown(wait=True)
    engine = make_engine(isolated_settings.resolved_database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == [JOB_ID]
    engine.dispose()
    # registering again (a restart) replaces the job instead of adding a second one
    again = build_scheduler(
        isolated_settings,
        scheduler_class=BackgroundScheduler,
        trigger=IntervalTrigger(hours=24),
        job="tests.test_schedule:record_call",
    )
    again.start(paused=True)
    assert [j.id for j in again.get_jobs()] == [JOB_ID]
    again.shutdown(wait=False)


def test_a_missed_run_within_the_grace_time_still_runs_once(isolated_settings):
    CALLS.clear()
    missed = datetime.now(timezone.utc) - timedelta(hours=1)  # e.g. the machine was asleep at 06:00
    scheduler = build_scheduler(
        isolated_settings,
        scheduler_class=BackgroundScheduler,
        trigger=DateTrigger(run_date=missed),
        job="tests.test_schedule:record_call",
    )
    scheduler.start()
    try:
        assert _wait_for(lambda: len(CALLS) >= 1)
        time.sleep(1.0)
        assert len(CALLS) == 1
    finally:
        scheduler.shutdown(wait=True)


def test_run_lock_lets_one_run_at_a_time(isolated_settings):
    with run_lock(isolated_settings):
        with pytest.raises(RunLocked, match="another riskwatch run is in progress"):
            with run_lock(isolated_settings):
                pass
    with run_lock(isolated_settings):  # released after the first run
        pass


@pytest.mark.slow
def test_a_second_run_exits_clearly_while_one_is_running(isolated_settings):
    with run_lock(isolated_settings):
        result = run_cli("run", env={"RISKWATCH_VAR_DIR": str(isolated_settings.var_dir)}, check=False)
    assert result.returncode == 3 and b"another riskwatch run is in progress" in result.stderr


# -- the one daily run (jobs.daily.run) that the CLI, the demo and the scheduler call ---------------------


class Recorder(RunProgress):
    """A caller's view of the run: every callback, in order."""

    def __init__(self):
        self.calls: list[tuple] = []

    def started(self, step, total=None):
        self.calls.append(("started", step, total))

    def advanced(self, step, count=1):
        self.calls.append(("advanced", step, count))

    def warning(self, message):
        self.calls.append(("warning", message))


@pytest.fixture
def fake_steps(monkeypatch):
    """The four steps replaced by fakes that report like the real ones and record what they were asked."""
    from jobs import steps

    state = {"runs": [("federal_register", "finished")], "failed_alerts": 0, "calls": []}

    def crawl(settings, *, as_of=None, progress):
        state["calls"].append(("crawl", as_of))
        runs = [
            CrawlRun(source=source, status=status, error=None if status == "finished" else "HTTP 403")
            for source, status in state["runs"]
        ]
        progress.crawled(runs)
        return runs

    def process(settings, *, progress):
        state["calls"].append(("process",))
        progress.started("process", 2)
        progress.advanced("process", 2)
        return ProcessStats(processed=2)

    def score(settings, *, through=None, progress):
        state["calls"].append(("score", through))
        progress.started("score")
        return ScoreStats(entities_scored=1)

    def alert(settings, *, through=None, dry_run=False, progress):
        state["calls"].append(("alert", through, dry_run))
        return CollectStats(new=1), SendStats(sent=1, failed_total=state["failed_alerts"])

    for name, fake in (("crawl", crawl), ("process", process), ("score", score), ("alert", alert)):
        monkeypatch.setattr(steps, name, fake)
    return state


def test_one_run_calls_the_steps_in_order_and_reports_progress(isolated_settings, fake_steps):
    progress = Recorder()
    assert daily.run("2026-02-14", settings=isolated_settings, progress=progress) == daily.OK
    day = date(2026, 2, 14)
    assert fake_steps["calls"] == [("crawl", day), ("process",), ("score", day), ("alert", day, False)]
    assert progress.calls == [("started", "process", 2), ("advanced", "process", 2), ("started", "score", None)]


@pytest.mark.parametrize(
    "runs, failed_alerts, status, warned",
    [
        ([("federal_register", "finished"), ("dod_releases", "blocked")], 0, 0, "dod_releases: blocked: HTTP 403"),
        ([("federal_register", "failed"), ("dod_releases", "finished")], 0, 1, None),
        ([("federal_register", "failed")], 0, 1, "every source failed"),
        ([("federal_register", "finished")], 2, 1, None),
    ],
)
def test_exit_status_primary_failure_or_failed_alert_but_not_a_blocked_best_effort_source(
    isolated_settings, fake_steps, runs, failed_alerts, status, warned
):
    fake_steps.update(runs=runs, failed_alerts=failed_alerts)
    progress = Recorder()
    assert daily.run(settings=isolated_settings, progress=progress) == status
    warnings = [call[1] for call in progress.calls if call[0] == "warning"]
    if warned:
        assert any(warned in warning for warning in warnings), warnings
    else:
        assert warnings == []


def test_the_scheduled_job_logs_and_skips_while_another_run_holds_the_lock(isolated_settings, fake_steps, caplog):
    with run_lock(isolated_settings):
        assert daily.run() == daily.LOCKED  # as APScheduler calls it: no arguments, no progress
    assert fake_steps["calls"] == []
    assert "another riskwatch run is in progress" in caplog.text
    assert daily.run() == daily.OK  # the lock is free again
    assert [call[0] for call in fake_steps["calls"]] == ["crawl", "process", "score", "alert"]


def test_fault_injection_dies_right_after_the_named_step(isolated_settings, fake_steps, monkeypatch):
    died = []

    def exit_hard(code):  # os._exit, without ending the test process
        died.append((code, len(fake_steps["calls"])))
        raise SystemExit(code)

    monkeypatch.setattr(daily.os, "_exit", exit_hard)
    monkeypatch.setattr(isolated_settings, "fault_after", "score")
    with pytest.raises(SystemExit):
        daily.run(settings=isolated_settings)
    assert died == [(70, 3)]  # crawl, process, score done; alert never started


def test_the_demo_starts_from_a_fresh_database_and_only_prints_alerts(isolated_settings, fake_steps):
    from db.engine import session_scope

    with session_scope(isolated_settings) as session:
        session.add(Entity(name="Left Over Co"))
        session.commit()
    assert daily.run(settings=isolated_settings, fresh=True, dry_run=True) == daily.OK
    assert fake_steps["calls"][-1] == ("alert", None, True)
    with session_scope(isolated_settings) as session:
        assert session.exec(select(Entity)).all() == []

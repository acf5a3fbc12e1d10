"""The daily job's schedule (APScheduler with the database as job store) and the run lock."""

import time
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from db.engine import make_engine
from jobs.daily import RunLocked, run_lock
from jobs.schedule import JOB_ID, MISFIRE_GRACE_SECONDS, build_scheduler
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
    scheduler = build_scheduler(isolated_settings, scheduler_class=BackgroundScheduler,
                                trigger=IntervalTrigger(seconds=1), job="tests.test_schedule:record_call")
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
    again = build_scheduler(isolated_settings, scheduler_class=BackgroundScheduler,
                            trigger=IntervalTrigger(hours=24), job="tests.test_schedule:record_call")
    again.start(paused=True)
    assert [j.id for j in again.get_jobs()] == [JOB_ID]
    again.shutdown(wait=False)


def test_a_missed_run_within_the_grace_time_still_runs_once(isolated_settings):
    CALLS.clear()
    missed = datetime.now(timezone.utc) - timedelta(hours=1)  # e.g. the machine was asleep at 06:00
    scheduler = build_scheduler(isolated_settings, scheduler_class=BackgroundScheduler,
                                trigger=DateTrigger(run_date=missed), job="tests.test_schedule:record_call")
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

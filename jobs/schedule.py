"""`riskwatch schedule`: APScheduler running the daily job on RISKWATCH_SCHEDULE.

The job store is the database itself (SQLAlchemyJobStore), so a restart keeps the schedule; the
job has an explicit id, replace_existing, coalesce, max_instances=1 and a misfire grace time of
hours (APScheduler's default of one second would silently skip a daily run after a sleep).
"""

from __future__ import annotations

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from db.engine import make_engine
from core.settings import Settings

JOB_ID = "riskwatch-daily"
AFTERNOON_JOB_ID = "riskwatch-afternoon"
MISFIRE_GRACE_SECONDS = 6 * 3600


def build_scheduler(
    settings: Settings,
    *,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
    trigger=None,
    job: str = "jobs.daily:run",
) -> BaseScheduler:
    """A scheduler with the daily job registered (idempotently) in the database's job store."""
    scheduler = scheduler_class(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=make_engine(settings.resolved_database_url), tablename="apscheduler_jobs"
            )
        },
        timezone=settings.timezone,
    )
    scheduler.add_job(
        job,
        trigger or CronTrigger.from_crontab(settings.schedule, timezone=settings.timezone),
        id=JOB_ID,
        name="riskwatch daily run",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )
    if settings.schedule_afternoon and trigger is None:
        # special filings reach the public-inspection desk later in the day (around 16:15 Eastern)
        scheduler.add_job(
            job,
            CronTrigger.from_crontab(settings.schedule_afternoon, timezone=settings.timezone),
            id=AFTERNOON_JOB_ID,
            name="riskwatch afternoon run (special filings)",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler

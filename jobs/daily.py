"""The daily job as one importable function (``jobs.daily:run``), shared by `riskwatch run`,
`riskwatch demo`, `riskwatch schedule` and cron/systemd; a lock keeps two runs from overlapping."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from jobs.progress import RunProgress

log = logging.getLogger(__name__)


class RunLocked(RuntimeError):
    """Another run (the scheduler's or a manual one) holds the lock."""


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """An exclusive, non-blocking lock on ``var/riskwatch.lock`` for the whole run; released on exit,
    also when the process dies (the kernel drops flock locks with the process)."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "riskwatch.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunLocked(
                f"another riskwatch run is in progress ({holder}); this one exits without doing anything (lock: {path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def fault_point(settings: Settings, step: str) -> None:
    """Testing only: the process dies here, as a crash or a kill would, when RISKWATCH_FAULT_AFTER=step."""
    if settings.fault_after == step:
        log.error("fault injection: dying after %s", step)
        os._exit(70)


# Exit statuses of a run (the CLI exits with them).
OK, FAILED, LOCKED = 0, 1, 3


def run(
    as_of: date | str | None = None,
    *,
    settings: Settings | None = None,
    progress: RunProgress | None = None,
    fresh: bool = False,
    dry_run: bool = False,
) -> int:
    """Crawl, process, score, alert, under the run lock. ``fresh`` starts from an empty database
    (`riskwatch demo`); ``dry_run`` prints pending alerts instead of sending them. Returns 0; 1 when a
    primary source failed or an alert failed permanently; 3 when another run holds the lock (nothing done).
    Without ``progress`` (the scheduler) the run only logs."""
    from db.engine import init_db, make_engine, redact_url, reset_db
    from jobs import steps
    from jobs.progress import RunProgress

    settings = settings or get_settings()
    progress = progress or RunProgress()
    day = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    try:
        with run_lock(settings):
            # The schema is checked anew by every run: the scheduler's process lives for months, and a
            # newer riskwatch may have upgraded the database meanwhile.
            engine = make_engine(settings.resolved_database_url)
            (reset_db if fresh else init_db)(engine)
            engine.dispose()
            if fresh:
                progress.note(f"fresh database at {redact_url(settings.resolved_database_url)}")
            runs = steps.crawl(settings, as_of=day, progress=progress)
            if runs and all(r.is_failure for r in runs):
                progress.warning("every source failed; nothing new to process")
            fault_point(settings, "crawl")
            processed = steps.process(settings, progress=progress)
            fault_point(settings, "process")
            scored = steps.score(settings, through=day, progress=progress)
            fault_point(settings, "score")
            collected, sent = steps.alert(settings, through=day, dry_run=dry_run, progress=progress)
            fault_point(settings, "alert")
    except RunLocked as exc:
        progress.warning(str(exc))
        return LOCKED
    failed_sources = [r.source for r in runs if r.is_failure]
    log.info(
        "daily run: %d sources (%s failed), %d documents processed, %d entities scored, %d new alerts%s, %d sent",
        len(runs),
        ", ".join(failed_sources) or "none",
        processed.processed,
        scored.entities_scored,
        collected.new,
        " (baseline)" if collected.baseline else "",
        sent.sent,
    )
    return FAILED if failed_sources or sent.failed_total else OK

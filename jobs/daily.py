"""The daily job as one importable function (``jobs.daily:run``), shared by `riskwatch run`,
`riskwatch schedule` and cron/systemd; a lock keeps two runs from overlapping."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from core.settings import Settings, get_settings

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
            raise RunLocked(f"another riskwatch run is in progress ({holder}); this one exits without doing "
                            f"anything (lock: {path})") from None
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


def run(as_of: str | None = None) -> int:
    """Crawl, process, score, alert. Returns 0, or 1 when a source or an alert failed."""
    from jobs import steps

    settings = get_settings()
    day = date.fromisoformat(as_of) if as_of else None
    try:
        with run_lock(settings):
            runs = steps.crawl(settings, as_of=day)
            fault_point(settings, "crawl")
            processed = steps.process(settings)
            fault_point(settings, "process")
            scored = steps.score(settings, through=day)
            fault_point(settings, "score")
            collected, sent = steps.alert(settings, through=day)
            fault_point(settings, "alert")
    except RunLocked as exc:
        log.warning("%s", exc)
        return 1
    failed_sources = [r.source for r in runs if r.is_failure]
    for degraded in (r for r in runs if r.status != "finished" and not r.is_failure):
        log.warning("%s: %s (%s); best effort, retried on the next run", degraded.source, degraded.status,
                    degraded.error)
    log.info("daily run: %d sources (%s failed), %d documents processed, %d entities scored, %d new alerts%s, "
             "%d sent", len(runs), ", ".join(failed_sources) or "none", processed.processed, scored.entities_scored,
             collected.new, " (baseline)" if collected.baseline else "", sent.sent)
    return 1 if failed_sources or sent.failed_total else 0

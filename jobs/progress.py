"""What a caller sees of the daily run's steps: the CLI draws progress bars and prints tables, the
scheduler (this base class) only logs. Kept free of heavy imports: every CLI command loads it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from core.vocabulary import CrawlRunStatus

if TYPE_CHECKING:
    from db.models import CrawlRun
    from jobs.alerts import CollectStats
    from jobs.slack import SendStats
    from nlp.process import ProcessStats
    from scoring.series import ScoreStats

log = logging.getLogger(__name__)


class RunProgress:
    """What a caller sees of the steps. This base class only logs (the scheduler's view); the CLI
    overrides the methods to draw progress bars and print its tables."""

    def started(self, step: str, total: int | None = None) -> None:
        """``step`` begins with ``total`` units of work (None: unknown)."""

    def advanced(self, step: str, count: int = 1) -> None:
        """``count`` more units of ``step`` are done."""

    def crawled(self, runs: list[CrawlRun]) -> None:
        for run in runs:
            if run.status != CrawlRunStatus.FINISHED and not run.is_failure:  # best effort, e.g. DoD refused by its CDN
                self.warning(
                    f"{run.source}: {run.status}: {run.error}; not a failure (best effort: the Federal "
                    f"Register stays the primary source), retried on the next run; see "
                    f"`riskwatch sources status`"
                )

    def processed(self, stats: ProcessStats) -> None:
        pass

    def scored(self, stats: ScoreStats) -> None:
        pass

    def alerted(self, collected: CollectStats, sent: SendStats, *, webhook: bool, dry_run: bool) -> None:
        if sent.failed_total:
            log.error("%d alerts failed permanently (see the Alerts page for the reason)", sent.failed_total)

    def alert_printed(self, line: str) -> None:
        """A pending alert shown instead of sent (no webhook, or a dry run)."""
        log.info("alert (not sent): %s", line)

    def note(self, message: str) -> None:
        log.info("%s", message)

    def warning(self, message: str) -> None:
        log.warning("%s", message)

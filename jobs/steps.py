"""The daily job's steps (crawl, process, score, alert) as plain functions, each reporting to a
``jobs.progress.RunProgress``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from contextlib import nullcontext
from datetime import date
from urllib.parse import urlsplit

from sqlmodel import Session, func, select

from db import queries
from db.engine import redact_url, session_scope
from db.models import CrawlRun, Document
from core.redact import redact, secrets_of
from core.settings import PROJECT_ROOT, Settings
from crawler.kinds import spider_for
from jobs.progress import RunProgress
from jobs.replay import ReplayServer
from core.sources import SourceConfig, load_sources
from nlp.process import ProcessStats, process_documents
from scoring.series import ScoreStats, score_entities
from core.vocabulary import CrawlRunStatus, DocumentStatus

log = logging.getLogger(__name__)


def spider_args(
    session: Session,
    source: SourceConfig,
    *,
    base: str,
    as_of: date | None,
    allowed: list[str],
    url_map: list[tuple[str, str]],
) -> dict[str, str]:
    """Arguments for the source's spider: the common ones, and those its kind's spider builds."""
    # ``source`` names the documents' source (several config entries can share one spider)
    common = {"allowed": ",".join(allowed), "url_map": json.dumps(url_map), "source": source.name}
    spider = spider_for(source.kind)
    return {
        **common,
        **spider.arguments(
            session, source, base=base, as_of=as_of, localise=lambda url: url_map_localise(url_map, url)
        ),
    }


def url_map_localise(url_map: list[tuple[str, str]], url: str) -> str:
    """A live URL as served (offline: through the replay server)."""
    for served, live in sorted(url_map, key=lambda pair: -len(pair[1])):
        if url.startswith(live):
            return served + url[len(live) :]
    return url


def selected_sources(only: str | None) -> list[SourceConfig]:
    """Every configured source, or the one named ``only``."""
    sources = [s for s in load_sources() if only in (None, s.name)]
    if not sources:
        raise ValueError(f"unknown source {only!r}; see data/sources.toml")
    return sources


def live_spider_jobs(settings: Settings, *, only: str | None = None) -> list[dict]:
    """The spider name and ``-a`` arguments of each live source, from the database's crawl state.

    For teams that run the spiders elsewhere (``scrapy crawl`` on a crawler host, or scrapyd):
    the arguments carry the incremental windows and HTTP validators, exactly as ``riskwatch
    crawl`` would pass them. Storage needs only RISKWATCH_DATABASE_URL in the spider's environment.
    """
    sources = selected_sources(only)
    with session_scope(settings) as session:
        jobs = [
            {
                "source": source.name,
                "spider": source.spider,
                "args": spider_args(
                    session, source, base=source.url, as_of=None, allowed=source.allowed_domains, url_map=[]
                ),
                "settings": {"RISKWATCH_SOURCE_KIND": source.kind},
            }
            for source in sources
        ]
    return jobs


def crawl(
    settings: Settings, *, as_of: date | None = None, only: str | None = None, progress: RunProgress | None = None
) -> list[CrawlRun]:
    """Run each configured source's spider in a subprocess; offline, against the replay server."""
    progress = progress or RunProgress()
    sources = selected_sources(only)
    replay = (
        ReplayServer(settings.snapshot_dir, as_of=as_of, host=settings.replay_host, port=settings.replay_port)
        if settings.mode == "offline"
        else None
    )
    log_dir = settings.var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "crawl.log"
    jobs = []
    with replay or nullcontext():
        with session_scope(settings) as session:
            for source in sources:
                base = replay.localise(source.url) if replay else source.url
                allowed = source.allowed_domains + ([urlsplit(base).hostname] if replay else [])
                args = spider_args(
                    session, source, base=base, as_of=as_of, allowed=allowed, url_map=replay.url_map() if replay else []
                )
                run = queries.start_crawl_run(session, source=source.name, mode=settings.mode, as_of=as_of)
                log.info("crawling %s since %s (%s mode)", source.name, args.get("since"), settings.mode)
                jobs.append(
                    {
                        "spider": source.spider,
                        "run_id": run.id,
                        "args": args,
                        "settings": {"RISKWATCH_SOURCE_KIND": source.kind},
                    }
                )
        spec = {
            "settings": {
                "USER_AGENT": settings.user_agent,
                "DOWNLOAD_MAXSIZE": settings.max_response_bytes,
                "DOWNLOAD_TIMEOUT": settings.download_timeout,
                "LOG_FILE": str(log_file),
                "LOG_FILE_APPEND": True,
            },
            "jobs": jobs,
        }
        spec_file = log_dir / "crawl-jobs.json"
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        log.info("one Scrapy process for %d sources into %s", len(jobs), redact_url(settings.resolved_database_url))
        # All sources' spiders run concurrently in one subprocess (one reactor start-up).
        # The database URL (it may hold a password) travels in the environment, never in the spec
        # file or Scrapy's settings (which Scrapy logs); the crawler has no use for the webhook.
        env = {
            **os.environ,
            "RISKWATCH_DATABASE_URL": settings.resolved_database_url,
            "RISKWATCH_SLACK_WEBHOOK_URL": "",
        }  # empty beats a .env file: the crawler never has it
        completed = subprocess.run(
            [sys.executable, "-m", "crawler.run", str(spec_file)],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        spec_file.unlink(missing_ok=True)
    runs = []
    with session_scope(settings, expire_on_commit=False) as session:
        for job in jobs:
            run = session.get(CrawlRun, job["run_id"])
            if run.status == "running":  # the spider never closed: the subprocess failed
                tail = redact(completed.stderr or "", secrets_of(settings)).strip().splitlines()[-5:]
                queries.finish_crawl_run(
                    session,
                    run_id=run.id,
                    status=CrawlRunStatus.FAILED,
                    counts={},
                    error=" | ".join(tail)[:2000] or f"exit {completed.returncode}",
                )
                run = session.get(CrawlRun, run.id)
                log.error("crawl of %s failed: %s (log: %s)", run.source, run.error, log_file)
            runs.append(run)
    progress.crawled(runs)
    return runs


def process(settings: Settings, *, progress: RunProgress | None = None) -> ProcessStats:
    """NLP over the pending documents (mentions, listing events)."""
    progress = progress or RunProgress()
    with session_scope(settings) as session:
        pending = session.exec(
            select(func.count()).select_from(Document).where(Document.status == DocumentStatus.PENDING)
        ).one()
        progress.started("process", pending)
        stats = process_documents(session, settings, progress=lambda n: progress.advanced("process", n))
    progress.processed(stats)
    return stats


def score(settings: Settings, *, through: date | None = None, progress: RunProgress | None = None) -> ScoreStats:
    """(Re)compute the daily exposure scores through ``through`` (default: today), incrementally."""
    progress = progress or RunProgress()
    progress.started("score")
    with session_scope(settings) as session:
        stats = score_entities(
            session,
            through=through or date.today(),
            settings=settings,
            progress=lambda n: progress.advanced("score", n),
        )
    progress.scored(stats)
    return stats


def alert(
    settings: Settings, *, through: date | None = None, dry_run: bool = False, progress: RunProgress | None = None
):
    """Collect new alerts into the outbox, then send the pending ones."""
    from jobs.alerts import collect_alerts
    from jobs.slack import failed_alerts, send_pending

    progress = progress or RunProgress()
    with session_scope(settings) as session:
        collected = collect_alerts(session, settings, through=through or date.today())
        sent = send_pending(session, settings, dry_run=dry_run, echo=progress.alert_printed)
        sent.failed_total = failed_alerts(session)
    progress.alerted(collected, sent, webhook=settings.slack_webhook_url is not None, dry_run=dry_run)
    return collected, sent

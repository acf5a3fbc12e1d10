"""The `riskwatch` command line (Typer). Logging is configured once, here."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from db.engine import session_scope
from core.settings import PROJECT_ROOT, get_settings
from jobs.progress import RunProgress

app = typer.Typer(
    help="riskwatch: Section 1260H and sanctions exposure monitor.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console(stderr=True, soft_wrap=True)
out = Console()
log = logging.getLogger("riskwatch")

AsOf = Annotated[
    Optional[str], typer.Option("--as-of", help="replay only what was published by this date (YYYY-MM-DD)")
]


def _date(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@app.callback()
def main(log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING, ERROR")] = "") -> None:
    settings = get_settings()
    level = (log_level or settings.log_level).upper()
    logging.basicConfig(
        level=level,
        format="%(message)s",
        datefmt="[%X]",
        handlers=[RichHandler(console=console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    for noisy in ("scrapy", "twisted", "urllib3", "filelock", "watchdog", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    from core import redact

    redact.install(settings)  # the webhook and the database password never reach a log line


class ConsoleProgress(RunProgress):
    """The steps as a person at the terminal sees them: progress bars, tables, coloured warnings."""

    LABELS = {"process": "NLP", "score": "scoring"}

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task = None

    def __enter__(self) -> ConsoleProgress:
        return self

    def __exit__(self, *_exc) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def started(self, step: str, total: int | None = None) -> None:
        self._stop()
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.LABELS.get(step, step), total=total)

    def advanced(self, step: str, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, count)

    def crawled(self, runs) -> None:
        table = Table("source", "status", "requests", "new", "changed", "unchanged", "failed", title="crawl")
        table.columns[0].no_wrap = True
        for run in runs:
            table.add_row(
                run.source,
                run.status,
                *(str(getattr(run, k)) for k in ("requests", "new", "changed", "unchanged", "failed")),
            )
        console.print(table)
        super().crawled(runs)  # the warnings about best-effort sources

    def processed(self, stats) -> None:
        self._stop()
        console.print(
            f"processed {stats.processed} documents ({stats.failed} failed, {stats.quarantined} quarantined): "
            f"{stats.mentions} mentions, {stats.events} listing events"
        )

    def scored(self, stats) -> None:
        self._stop()
        console.print(
            f"scored {stats.entities_scored} entities ({stats.rows_written} daily rows; "
            f"{stats.entities_skipped} unchanged)"
        )

    def alerted(self, collected, sent, *, webhook: bool, dry_run: bool) -> None:
        if collected.baseline:
            console.print(f"first run: {collected.new} existing events recorded as the baseline; nobody was paged")
        else:
            console.print(f"alerts: {collected.new} new")
        if not webhook or dry_run:
            console.print(
                f"{sent.printed} pending alerts printed, not sent"
                + (" (no RISKWATCH_SLACK_WEBHOOK_URL set)" if not webhook else " (dry run)")
            )
        else:
            console.print(f"slack: {sent.sent} sent, {sent.pending} to retry, {sent.failed} failed")
        if sent.failed_total:
            console.print(
                f"[red]{sent.failed_total} alerts failed permanently (see the Alerts page for the reason)[/red]"
            )

    def alert_printed(self, line: str) -> None:
        console.print(f"  {line}")

    def note(self, message: str) -> None:
        console.print(message)

    def warning(self, message: str) -> None:
        console.print(f"[yellow]{message}[/yellow]")


@app.command()
def crawl(
    source: Annotated[Optional[str], typer.Option(help="only this source (data/sources.toml)")] = None,
    as_of: AsOf = None,
) -> None:
    """Fetch new and changed documents from the configured sources."""
    from jobs.steps import crawl as crawl_step

    with ConsoleProgress() as progress:
        runs = crawl_step(get_settings(), as_of=_date(as_of), only=source, progress=progress)
    if any(r.is_failure for r in runs):
        raise typer.Exit(1)


@app.command("spider-args")
def spider_args_command(source: Annotated[Optional[str], typer.Option(help="only this source")] = None) -> None:
    """Print each live source's spider and arguments (JSON lines), for `scrapy crawl` or scrapyd elsewhere."""
    from jobs.steps import live_spider_jobs

    try:
        jobs = live_spider_jobs(get_settings(), only=source)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    for job in jobs:
        typer.echo(json.dumps(job, ensure_ascii=False))


sources_app = typer.Typer(
    help="The configured sources (data/sources.toml): shape check and crawl status.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check(
    source: Annotated[Optional[str], typer.Option(help="only this source")] = None,
    offline: Annotated[
        Optional[bool],
        typer.Option(
            "--offline/--live",
            help="against the local replay of the snapshot, or the real sources (default: RISKWATCH_MODE)",
        ),
    ] = None,
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """One cheap request per source, its answer held against the shape it should have.

    Exit 1 when a shape changed (the first difference is named) or a primary source did not answer;
    a blocked best-effort source (DoD behind its CDN) is a warning, exit 0."""
    from jobs.source_check import check_sources
    from jobs.steps import selected_sources

    settings = get_settings()
    try:
        sources = selected_sources(source)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    offline = settings.mode == "offline" if offline is None else offline
    results = check_sources(settings, sources, today=_date(as_of) or date.today(), offline=offline)
    if as_json:
        out.print_json(json.dumps([r.to_json() for r in results], ensure_ascii=False))
    else:
        colours = {"ok": "green", "blocked": "yellow", "unreachable": "yellow", "shape changed": "red"}
        table = Table(
            "source", "status", "count", "detail", title=f"sources check ({'offline replay' if offline else 'live'})"
        )
        table.add_column("url", overflow="fold")
        table.columns[0].no_wrap = True
        for r in results:
            colour = colours.get(r.status, "white")
            table.add_row(
                r.source,
                f"[{colour}]{r.status}[/{colour}]",
                "-" if r.count is None else str(r.count),
                r.detail,
                r.url.split("?", 1)[0],
            )  # the full URL is in --json
        out.print(table)
    for r in results:
        if r.status in ("blocked", "unreachable") and r.best_effort:
            console.print(
                f"[yellow]warning: {r.source} is {r.status} ({r.detail}); best effort, not a failure[/yellow]"
            )
    if any(r.fails for r in results):
        raise typer.Exit(1)


@sources_app.command("status")
def sources_status(as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """Each source's last crawl run (status, reason) and its last OK run, from the database."""
    from db.queries import source_statuses
    from core.sources import load_sources

    with session_scope(get_settings()) as session:
        rows = source_statuses(session, names=[s.name for s in load_sources()])
    if as_json:
        out.print_json(json.dumps(rows, default=str, ensure_ascii=False))
        return
    table = Table("source", "status", "last run", "last OK", "since OK", title="sources")
    table.add_column("reason", overflow="fold")
    table.columns[0].no_wrap = True
    for row in rows:
        last, ok = row["last_run"], row["last_ok"]
        table.add_row(
            row["source"],
            row["status"],
            f"{last:%Y-%m-%d %H:%M} UTC" if last else "never",
            f"{ok:%Y-%m-%d %H:%M} UTC" if ok else "never",
            str(row["runs_since_ok"]),
            row["reason"] or "",
        )
    out.print(table)


@app.command()
def process() -> None:
    """Run NLP over unprocessed documents (mentions, listing events)."""
    from jobs.steps import process as process_step

    with ConsoleProgress() as progress:
        process_step(get_settings(), progress=progress)


@app.command()
def score(as_of: AsOf = None) -> None:
    """(Re)compute daily exposure scores, incrementally."""
    from jobs.steps import score as score_step

    with ConsoleProgress() as progress:
        score_step(get_settings(), through=_date(as_of), progress=progress)


@app.command()
def run(as_of: AsOf = None) -> None:
    """The daily job: crawl, process, score, alert (one run at a time)."""
    from jobs import daily

    as_of_date = _date(as_of)
    with ConsoleProgress() as progress:
        status = daily.run(as_of_date, settings=get_settings(), progress=progress)
    # 1: a primary source or an alert failed; 3: another run holds the lock (the reason is printed)
    if status:
        raise typer.Exit(status)


@app.command()
def alert(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print pending alerts, send nothing")] = False,
    as_of: AsOf = None,
) -> None:
    """Send pending alerts exactly once (records new ones first)."""
    from jobs.steps import alert as alert_step

    with ConsoleProgress() as progress:
        _, sent = alert_step(get_settings(), through=_date(as_of), dry_run=dry_run, progress=progress)
    if sent.failed_total:
        raise typer.Exit(1)


@app.command()
def schedule() -> None:
    """Run the daily job on RISKWATCH_SCHEDULE (cron syntax, RISKWATCH_TIMEZONE) until stopped."""
    from jobs.schedule import build_scheduler

    settings = get_settings()
    scheduler = build_scheduler(settings)
    console.print(f"scheduling the daily run at '{settings.schedule}' ({settings.timezone}); Ctrl-C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        console.print("scheduler stopped")


# How the dashboard is served: headless, no usage statistics, no "Deploy" button or developer menu.
STREAMLIT_FLAGS = ("--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer")


def _serve_dashboard(port: int) -> None:
    from core.access import auth_configured, is_loopback, secrets_file, serving_problem

    settings = get_settings()
    problem = serving_problem(settings)
    if problem:
        console.print(f"[red]{escape(problem)}[/red]")
        raise typer.Exit(2)
    address = settings.dashboard_address
    signed_in = auth_configured(settings)
    if not is_loopback(address):
        warning = "sign-in required (OpenID Connect)" if signed_in else "NO SIGN-IN: every visitor is a viewer"
        console.print(
            f"[yellow]warning: the dashboard listens on {address}, reachable from the network; {warning}[/yellow]"
        )
    env = os.environ.copy()
    env["RISKWATCH_DATABASE_URL"] = settings.resolved_database_url
    app_path = PROJECT_ROOT / "dashboard" / "app.py"
    shown = "localhost" if is_loopback(address) else address
    console.print(f"dashboard: http://{shown}:{port}  (Ctrl-C to stop)")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        *STREAMLIT_FLAGS,
    ]
    if signed_in:
        command += ["--secrets.files", str(secrets_file(settings))]
    sys.stdout.flush()
    sys.stderr.flush()
    # Streamlit replaces this process: a signal to riskwatch's PID (Ctrl-C, systemd, a supervisor) reaches the
    # server itself, and no server is left behind when riskwatch is stopped.
    os.execve(sys.executable, command, env)


@app.command()
def dashboard(port: Annotated[int, typer.Option(help="port to serve on")] = 0) -> None:
    """Start the Streamlit dashboard (default port 8501)."""
    _serve_dashboard(port or get_settings().dashboard_port)


@app.command()
def demo(
    no_dashboard: Annotated[bool, typer.Option("--no-dashboard", help="stop after scoring")] = False,
    port: Annotated[int, typer.Option(help="dashboard port")] = 0,
) -> None:
    """Fresh database, replay the bundled history, process, score, then serve the dashboard."""
    from jobs import daily

    settings = get_settings()
    if settings.mode != "offline":
        console.print("[red]demo replays the bundled snapshot: set RISKWATCH_MODE=offline[/red]")
        raise typer.Exit(2)
    with ConsoleProgress() as progress:
        # the daily run on a fresh database, alerts printed only; a failed source still leaves a dashboard
        status = daily.run(settings=settings, progress=progress, fresh=True, dry_run=True)
    if status == daily.LOCKED:
        raise typer.Exit(status)
    if not no_dashboard:
        _serve_dashboard(port or settings.dashboard_port)


def _read_input(file: str) -> bytes:
    """The bytes of FILE, or of standard input for '-'; exit 2 with the reason when unreadable."""
    try:
        return sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        console.print(f"[red]cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(2) from None


@app.command()
def analyze(
    file: Annotated[str, typer.Argument(help="a text file, or - for standard input")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    lang: Annotated[Optional[str], typer.Option(help="language (default: detected)")] = None,
) -> None:
    """NER, entity linking and listing events for one text (no database needed)."""
    from nlp.analyze import analyze_text

    raw = _read_input(file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        console.print(
            f"[red]{file}: not valid UTF-8 (byte {exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8[/red]"
        )
        raise typer.Exit(2) from None
    result = analyze_text(text, lang=lang)
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table(
        "text", "label", "start", "end", "entity", title=f"entities ({result['language']}, {result['model']})"
    )
    for ent in result["entities"]:
        table.add_row(ent["text"], ent["label"], str(ent["start"]), str(ent["end"]), ent["entity"] or "-")
    out.print(table)
    events = Table("entity", "list", "status", "date", "cue", "evidence", title="listing events")
    for event in result["events"]:
        name = event["entity"] or f"{event['candidate']} (not in the database: a candidate, never scored)"
        evidence = " / ".join(event["evidence"]) or event["sentence"]
        events.add_row(name, event["list"], event["status"], event["date"] or "-", event["cue"], evidence)
    out.print(events)


@app.command()
def notice(
    file: Annotated[
        str,
        typer.Argument(
            help="a notice as the Federal Register serves it (raw text page, "
            ".txt, body HTML, XML), or - for standard input"
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    title: Annotated[
        Optional[str], typer.Option(help="the document's title, when the file has none (body HTML)")
    ] = None,
) -> None:
    """Parse one official 1260H notice in any format the Federal Register serves (no database needed).

    Exit 0 when the notice's list was read, 1 when its shape was not recognised (the reason is printed)."""
    from nlp.official import NoticeFormatError, parse_notice

    raw = _read_input(file)
    try:
        parsed = parse_notice(raw, title=title)
    except NoticeFormatError as exc:
        console.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        out.print_json(json.dumps(parsed.to_json(), ensure_ascii=False))
    else:
        out.print(
            f"{parsed.kind} notice {parsed.document_number or '(no FR Doc number)'}: {parsed.title or '(untitled)'}"
            f" [{parsed.source_format}]"
        )
        out.print("dates: " + (", ".join(f"{k} {v}" for k, v in sorted(parsed.dates.items())) or "none printed"))
        for caption, entries in (("listed", parsed.listed), ("removed", parsed.removed)):
            table = Table("name", "short / former names", "parent", "basis", title=f"{caption} ({len(entries)})")
            for entry in entries:
                table.add_row(entry.name, "; ".join(entry.aliases), entry.parent or "", ", ".join(entry.citations))
            out.print(table)
        for warning in parsed.warnings:
            console.print(f"[yellow]warning: {warning}[/yellow]")
    if parsed.problem:
        console.print(f"[red]not read as a list: {parsed.problem}[/red]")
        raise typer.Exit(1)


@app.command()
def history(
    name: Annotated[str, typer.Argument(help="entity name or alias, e.g. BYD")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """One entity's listing events and current status."""
    from scoring.names import resolve_entity
    from scoring.timeline import entity_history

    with session_scope(get_settings()) as session:
        entity, resolution = resolve_entity(session, name)
        if entity is None:
            console.print(f"[red]{resolution.message}[/red]")
            raise typer.Exit(1)
        result = entity_history(session, entity, on=date.today())
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    colour = {"listed": "red", "related": "yellow", "proposed": "yellow", "withdrawn": "white", "removed": "blue"}
    tone = result["status"]["status"]
    status = f"[{colour.get(tone, 'green')}]{escape(result['status']['text'])}[/]"
    intervals = (
        "; ".join(
            f"{name}: " + ", ".join(f"{i['start']} - {i['end'] or 'open'}" for i in spans)
            for name, spans in result["intervals"].items()
        )
        or "no listing interval"
    )
    table = Table(
        "date",
        "kind of date",
        "list",
        "status",
        "evidence",
        title=f"{result['entity']}: {status}",
        caption=f"intervals: {intervals}",
    )
    table.add_column("source", overflow="fold")
    for event in result["events"]:
        published = f" (published {event['publication_date']})" if event["publication_date"] != event["date"] else ""
        table.add_row(
            event["date"] or "-",
            f"{event['date_kind']}{published}",
            event["list"],
            event["status"],
            "official" if event["official"] else "news/signal",
            event["source_url"] or "-",
        )
    out.print(table)


@app.command()
def exposure(
    on: Annotated[Optional[str], typer.Option("--date", help="score day (default: latest)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    limit: Annotated[int, typer.Option(help="rows to show (table only)")] = 25,
) -> None:
    """Exposure leaderboard with score components."""
    from scoring.series import evidence_counts, latest_scores
    from scoring.status import status_lines

    day = _date(on, "--date")
    with session_scope(get_settings()) as session:
        rows = latest_scores(session, on=day)
        evidence = evidence_counts(session)
        lines: dict = {}
        for entity, score in rows:  # one status query per scored day (usually one)
            lines.setdefault(score.day, []).append(entity)
        lines = {d: status_lines(session, group, on=d) for d, group in lines.items()}
        result = [
            {
                "entity": entity.name,
                "score": score.score,
                "day": score.day.isoformat(),
                "listed": lines[score.day][entity.id].listed,
                "status": lines[score.day][entity.id].text,
                "lists": lines[score.day][entity.id].as_dict()["lists"],
                "components": score.components,
                "evidence": evidence.get(entity.id, 0),
            }
            for entity, score in rows
        ]
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    table = Table("entity", "score", "listed", "components", "evidence", title=f"exposure {day or 'latest'}")
    for row in result[:limit]:
        parts = ", ".join(f"{k} {v:g}" for k, v in row["components"].items() if v)
        table.add_row(
            row["entity"], f"{row['score']:.1f}", "yes" if row["listed"] else "no", parts, str(row["evidence"])
        )
    out.print(table)


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="CSV with a name column (optional country)")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    output: Annotated[Optional[Path], typer.Option(help="also write the results as CSV here")] = None,
) -> None:
    """Screen a counterparty list against the database (same matching as NLP)."""
    from dataclasses import asdict

    from scoring.screening import ScreeningInputError, read_counterparties, results_csv
    from scoring.screening import screen as screen_rows

    try:
        rows = read_counterparties(file.read_bytes())
    except OSError as exc:
        console.print(f"[red]cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(2) from None
    except ScreeningInputError as exc:
        console.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(2) from None
    with session_scope(get_settings()) as session:
        settings = get_settings()
        results = screen_rows(session, rows, on=date.today(), dashboard_url=settings.dashboard_base_url)
    if output:
        output.write_text(results_csv(results), encoding="utf-8")
    if as_json:
        out.print_json(json.dumps([asdict(r) for r in results], ensure_ascii=False))
        return
    table = Table(
        "row", "input", "match", "method", "score", "status", "exposure", "list hits", title=f"screening {file.name}"
    )
    for r in results:
        table.add_row(
            str(r.row),
            r.input_name,
            r.matched_entity or (f"closest: {r.closest_candidate}" if r.closest_candidate else "-"),
            r.match_method or "-",
            f"{r.match_score:.2f}" if r.match_score is not None else f"({r.closest_score or 0:.2f})",
            escape(r.status_line),
            f"{r.exposure:.1f}" if r.exposure is not None else "-",
            escape(r.list_hits) or "-",
        )
    out.print(table)


@app.command()
def watch(
    name: Annotated[str, typer.Argument(help="entity name or alias, e.g. BYD")],
    off: Annotated[bool, typer.Option("--off", help="take it off the watchlist")] = False,
    note: Annotated[Optional[str], typer.Option(help="why (kept in the audit trail)")] = None,
) -> None:
    """Put a company on the watchlist (or --off): who is alerted. Recorded in the audit trail as the OS user."""
    from core.access import os_actor
    from db.queries import record_change, set_watched
    from scoring.names import resolve_entity

    with session_scope(get_settings()) as session:
        entity, resolution = resolve_entity(session, name)
        if entity is None:
            console.print(f"[red]{escape(resolution.message)}[/red]")
            raise typer.Exit(1)
        entity_name = entity.name
        changed = set_watched(session, watched={entity.id: not off}, actor=os_actor(), how="cli")
        if changed and note:
            record_change(
                session,
                actor=os_actor(),
                how="cli",
                action="note",
                target=entity_name,
                before={},
                after={},
                note=note,
            )
            session.commit()
    state = "off" if off else "on"
    out.print(f"{entity_name}: {'now' if changed else 'already'} {state} the watchlist")


@app.command()
def audit(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
    limit: Annotated[int, typer.Option(help="rows to show (table only)")] = 50,
) -> None:
    """The audit trail: every change made through the dashboard or the CLI, newest first."""
    from db.queries import audit_entries

    with session_scope(get_settings()) as session:
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "how": e.how,
                "action": e.action,
                "target": e.target,
                "before": e.before,
                "after": e.after,
                "note": e.note,
            }
            for e in audit_entries(session)
        ]
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("when", "who", "how", "action", "changed", "before", "after", title="audit trail")
    for row in rows[:limit]:
        table.add_row(
            row["at"][:19],
            escape(row["actor"]),
            row["how"],
            row["action"],
            escape(row["target"]),
            escape(json.dumps(row["before"])),
            escape(json.dumps(row["after"]) + (f" ({row['note']})" if row["note"] else "")),
        )
    out.print(table)


if __name__ == "__main__":
    app()

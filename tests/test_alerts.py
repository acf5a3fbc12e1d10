"""Alerts: a real HTTP webhook (a local fake Slack on 127.0.0.1), the outbox, exactly-once delivery."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import Alert
from core.settings import get_settings
from jobs.steps import alert
from tests.conftest import built_once, copy_var, new_postgres_database, replay_into, run_cli

pytestmark = pytest.mark.slow

SEED = ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited")


class FakeSlack:
    """An incoming-webhook stand-in: records every POST, answers from a script of responses."""

    def __init__(self):
        self.posts: list[dict] = []
        self.script: list[tuple[int, dict, str]] = []  # consumed first, then 200 "ok"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, text = fake.script.pop(0) if fake.script else (200, {}, "ok")
                if status == 200:
                    fake.posts.append(json.loads(body))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/s3cr3t-token"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def slack():
    fake = FakeSlack()
    yield fake
    fake.close()


# -- the first run as of 2026-02-12, seeded once per test run and copied per test ---------------------

BASELINE_DAY = "2026-02-12"  # the day before the 2026-02-13 notice is on the desk (and withdrawn)


def _record_baseline(var: Path, database_url: str | None = None) -> None:
    """The first `riskwatch run --as-of 2026-02-12`, with a webhook configured: the history up to then
    is recorded as the baseline and nobody is paged."""
    slack = FakeSlack()
    try:
        env = {"RISKWATCH_SLACK_WEBHOOK_URL": slack.url}
        if database_url:
            env["RISKWATCH_DATABASE_URL"] = database_url
        replay_into(var, "--as-of", BASELINE_DAY, env=env)
        assert slack.posts == []
    finally:
        slack.close()


@pytest.fixture(scope="session")
def baseline_var(tmp_path_factory) -> Path:
    """var/ (SQLite) after the first run as of 2026-02-12; read-only, copied by ``after_baseline``."""
    return built_once(tmp_path_factory, "alerts-baseline", lambda d: _record_baseline(d / "var")) / "var"


@pytest.fixture(scope="session")
def baseline_postgres(postgres_server, tmp_path_factory) -> str:
    """The same first run into a PostgreSQL database of this worker's cluster; its name, a template."""
    url = new_postgres_database(postgres_server)
    _record_baseline(tmp_path_factory.mktemp("pg-baseline") / "var", url)
    return url.rsplit("/", 1)[1]


@pytest.fixture
def after_baseline(tmp_path, baseline_var) -> Path:
    """tmp_path/var as the first run as of 2026-02-12 left it (a private copy of the seed)."""
    return copy_var(baseline_var, tmp_path / "var")


@pytest.fixture
def after_baseline_on(request, database_url, tmp_path, monkeypatch) -> Path:
    """``after_baseline`` on the test's backend: for [postgresql], the settings point at a copy of the
    seeded PostgreSQL database; var/ (logs, lock) is tmp_path/var either way."""
    if database_url.startswith("sqlite"):
        return request.getfixturevalue("after_baseline")
    url = new_postgres_database(
        request.getfixturevalue("postgres_server"), template=request.getfixturevalue("baseline_postgres")
    )
    monkeypatch.setenv("RISKWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    (tmp_path / "var").mkdir(exist_ok=True)
    return tmp_path / "var"


def _alerts(url):
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(Alert)).all()
        session.expunge_all()
    engine.dispose()
    return rows


def test_baseline_then_exactly_one_message_per_new_designation(tmp_path, slack, database_url):
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var"), "RISKWATCH_SLACK_WEBHOOK_URL": slack.url}
    first = run_cli("run", "--as-of", "2026-06-01", env=env)
    assert b"recorded as the baseline; nobody was paged" in first.stderr
    assert slack.posts == []
    second = run_cli("run", "--as-of", "2026-06-30", env=env)
    headers = [p["blocks"][0]["text"]["text"] for p in slack.posts]
    for name in SEED:
        assert sum(1 for h in headers if h.startswith(f"LISTING: {name} designated on 1260H (2026-06-08)")) == 1
    assert not any(
        "s3cr3t-token" in stream for stream in (first.stderr.decode(), second.stderr.decode(), second.stdout.decode())
    )
    log_text = (tmp_path / "var" / "logs" / "crawl.log").read_text()
    assert "s3cr3t-token" not in log_text
    sent_before = len(slack.posts)
    run_cli("run", "--as-of", "2026-06-30", env=env)
    assert len(slack.posts) == sent_before  # a rerun sends nothing
    byd = next(p for p in slack.posts if p["blocks"][0]["text"]["text"].startswith("LISTING: BYD Company Limited"))
    text = json.dumps(byd)
    assert "https://media.defense.gov/2026/Jun/08/" in text or "federalregister.gov" in text
    assert "company?entity=BYD%20Company%20Limited" in text


def test_outage_then_recovery_delivers_each_alert_once(tmp_path, slack, monkeypatch, after_baseline_on):
    monkeypatch.setenv("RISKWATCH_VAR_DIR", str(tmp_path / "var"))
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var")}
    # the baseline as of 2026-02-12 is seeded (after_baseline_on)
    run_cli("run", "--as-of", "2026-02-14", env=env)  # alerts recorded and printed: no webhook yet
    monkeypatch.setenv("RISKWATCH_SLACK_WEBHOOK_URL", slack.url)
    monkeypatch.setenv("RISKWATCH_SLACK_MAX_RETRIES", "0")  # each run tries once; the outage outlasts it
    get_settings.cache_clear()
    settings = get_settings()
    pending = [a for a in _alerts(settings.resolved_database_url) if a.status == "pending"]
    assert pending
    # Slack down for two whole runs, then back. A run stops at the first alert Slack does not
    # take (after the client's retries): one try per run, the rest wait in order.
    slack.script = [(500, {}, "boom")] * 2
    for _ in range(2):
        _, sent = alert(settings)
        assert sent.sent == 0 and sent.pending == len(pending)
    waiting = sorted((a for a in _alerts(settings.resolved_database_url) if a.status == "pending"), key=lambda a: a.id)
    assert slack.script == [] and [a.attempts for a in waiting][:2] == [2, 0]
    _, sent = alert(settings)
    assert sent.sent == len(pending)
    rows = _alerts(settings.resolved_database_url)
    assert all(a.status in ("sent", "baseline") for a in rows)
    assert len(slack.posts) == len(pending)  # each delivered exactly once
    assert all("s3cr3t" not in (a.last_error or "") for a in rows)


def test_rate_limit_retry_after_and_permanent_failure(tmp_path, slack, monkeypatch, after_baseline):
    monkeypatch.setenv("RISKWATCH_VAR_DIR", str(tmp_path / "var"))
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var")}
    # the baseline as of 2026-02-12 is seeded (after_baseline)
    run_cli("run", "--as-of", "2026-02-14", env=env)  # the notice on public inspection, then withdrawn: watch alerts
    monkeypatch.setenv("RISKWATCH_SLACK_WEBHOOK_URL", slack.url)
    get_settings.cache_clear()
    settings = get_settings()
    rows = _alerts(settings.resolved_database_url)
    pending = [a for a in rows if a.status == "pending"]
    assert pending and all(a.kind == "watch" for a in pending)  # no designation from a withdrawn notice
    slack.script = [(429, {"Retry-After": "1"}, "rate_limited"), (403, {}, "invalid_token")]
    _, sent = alert(settings)
    assert sent.failed == 1 and sent.sent == len(pending) - 1
    failed = next(a for a in _alerts(settings.resolved_database_url) if a.status == "failed")
    assert "webhook forbidden" in failed.last_error and "s3cr3t" not in failed.last_error
    # the CLI's exit status says so
    result = run_cli("alert", env={**env, "RISKWATCH_SLACK_WEBHOOK_URL": slack.url}, check=False)
    assert result.returncode == 1 and b"s3cr3t" not in result.stderr + result.stdout


def _state(db_path):
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return {
            "documents": conn.execute("SELECT count(*) FROM document").fetchone()[0],
            "events": conn.execute("SELECT count(*) FROM listingevent").fetchone()[0],
            "scores": conn.execute("SELECT count(*), round(sum(score), 2) FROM exposurescore").fetchone(),
            "alerts": sorted(conn.execute("SELECT idempotency_key, status FROM alert").fetchall()),
        }


@pytest.fixture(scope="module")
def uncrashed_reference(tmp_path_factory, baseline_var):
    """The same two runs without a crash: the database state and the messages Slack got."""
    reference = FakeSlack()
    var = copy_var(baseline_var, tmp_path_factory.mktemp("clean") / "var")  # the first run, seeded
    try:
        env = {"RISKWATCH_VAR_DIR": str(var), "RISKWATCH_SLACK_WEBHOOK_URL": reference.url}
        run_cli("run", "--as-of", "2026-02-14", env=env)
        return _state(var / "riskwatch.db"), sorted(p["text"] for p in reference.posts)
    finally:
        reference.close()


@pytest.mark.parametrize("step", ["crawl", "process", "score", "alert"])
def test_a_crash_after_any_step_loses_and_duplicates_nothing(
    tmp_path, slack, step, uncrashed_reference, after_baseline
):
    base = {"RISKWATCH_VAR_DIR": str(tmp_path / "var"), "RISKWATCH_SLACK_WEBHOOK_URL": slack.url}
    # the baseline as of 2026-02-12 is seeded (after_baseline)
    crashed = run_cli("run", "--as-of", "2026-02-14", env={**base, "RISKWATCH_FAULT_AFTER": step}, check=False)
    assert crashed.returncode == 70
    run_cli("run", "--as-of", "2026-02-14", env=base)  # the next run completes the work
    state, messages = uncrashed_reference
    assert _state(tmp_path / "var" / "riskwatch.db") == state
    sent = sorted(p["text"] for p in slack.posts)
    assert sent == messages and len(sent) == len(set(sent)) and sent


def test_public_inspection_notice_and_its_withdrawal_are_watch_alerts_never_designations(
    tmp_path, slack, after_baseline
):
    """The 2026-02-13 notice is on the desk with the Federal Register's withdrawal note the day it is filed:
    one WATCH (withdrawn) per company that day; the weekend, the holiday and its scheduled publication
    day page nothing more, and never a LISTING."""
    env = {"RISKWATCH_VAR_DIR": str(tmp_path / "var"), "RISKWATCH_SLACK_WEBHOOK_URL": slack.url}
    # the baseline as of 2026-02-12 is seeded (after_baseline; it paged nobody)
    run_cli("run", "--as-of", "2026-02-13", env=env)
    on_desk = [p["text"] for p in slack.posts]
    assert "WATCH: Alibaba Group Holding Limited withdrawn on 1260H (2026-02-13)" in on_desk
    assert "WATCH: BYD Company Limited withdrawn on 1260H (2026-02-13)" in on_desk
    for day in ("2026-02-14", "2026-02-16", "2026-02-17"):
        run_cli("run", "--as-of", day, env=env)
    after = [p["text"] for p in slack.posts[len(on_desk) :]]
    assert not [text for text in after if "1260H (2026-02" in text]  # nothing new about the notice
    assert not any(text.startswith("LISTING") for text in on_desk + after)

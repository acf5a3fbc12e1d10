"""Security review, as tests: secrets never shown, nothing from a document rendered as HTML,
spiders stay on their domains, the replay server is loopback-only, the audit is honest."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from core.settings import PROJECT_ROOT, get_settings
from jobs.replay import ReplayServer
from jobs.steps import crawl
from tests.conftest import in_ci, new_postgres_database, run_cli
from tests.test_alerts import FakeSlack
from tests.test_bad_input import _crawl_with, _docs

TOKEN = "s3cr3t-token"
PASSWORD = "Pa55w0rd-never-shown"


def _everything_written(result_streams: list[bytes], var: Path) -> str:
    text = "\n".join(stream.decode(errors="replace") for stream in result_streams)
    for path in var.rglob("*"):
        if path.is_file() and path.suffix in (".log", ".json", ".txt", ""):
            text += "\n" + path.read_text(errors="replace")
    return text


@pytest.mark.slow
def test_webhook_and_database_password_never_in_logs_output_or_errors(tmp_path, postgres_server):
    """A full run with DEBUG logging, a Slack webhook, and a database URL with a password."""
    url = make_url(new_postgres_database(postgres_server)).set(password=PASSWORD)
    database_url = url.render_as_string(hide_password=False)
    slack = FakeSlack()
    var = tmp_path / "var"
    env = {
        "RISKWATCH_VAR_DIR": str(var),
        "RISKWATCH_DATABASE_URL": database_url,
        "RISKWATCH_SLACK_WEBHOOK_URL": slack.url,
        "RISKWATCH_LOG_LEVEL": "DEBUG",
    }
    dead_webhook = slack.url.replace(str(slack.server.server_address[1]), str(_free_port()))
    try:
        streams = []
        for args, extra in (
            (["run", "--as-of", "2024-12-31"], {"RISKWATCH_LOG_LEVEL": "INFO"}),  # baseline
            # the 2025-01-07 edition, with Slack unreachable: the failures are logged and
            # the alerts stay pending
            (["run", "--as-of", "2025-01-31"], {"RISKWATCH_SLACK_WEBHOOK_URL": dead_webhook}),
            (["alert"], {}),  # delivered now
            (["exposure", "--json"], {}),
            (["history", "CSCEC"], {}),
            # the database refuses the connection: the error names it, without the password
            (
                ["exposure"],
                {
                    "RISKWATCH_DATABASE_URL": make_url(database_url)
                    .set(port=_free_port())
                    .render_as_string(hide_password=False)
                },
            ),
        ):
            result = run_cli(*args, env={**env, **extra}, check=False)
            streams += [result.stdout, result.stderr]
        assert any(p["text"].startswith("LISTING: ") for p in slack.posts)  # the webhook really was used
        assert result.returncode != 0
    finally:
        slack.close()
    written = _everything_written(streams, var)
    assert "DEBUG" in written  # the logs really were verbose
    assert TOKEN not in written and "T000/B000" not in written
    assert PASSWORD not in written


def test_dashboard_pages_never_show_the_webhook(monkeypatch, isolated_settings):
    monkeypatch.setenv("RISKWATCH_SLACK_WEBHOOK_URL", f"https://hooks.slack.com/services/T000/B000/{TOKEN}")
    get_settings.cache_clear()
    for page in ("alerts.py", "overview.py", "documents.py", "company.py", "screening.py"):
        app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / page), default_timeout=60).run()
        assert not app.exception, page
        shown = json.dumps([str(element) for element in app._tree], default=str)
        assert TOKEN not in shown and "hooks.slack.com" not in shown, page
        if page == "alerts.py":
            assert "a webhook is configured" in app.success[0].value


def test_no_document_content_is_rendered_as_html():
    """Static guard: the dashboard never turns off Streamlit's escaping or injects raw HTML."""
    offenders = []
    for path in (PROJECT_ROOT / "dashboard").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in (r"unsafe_allow_html\s*=\s*True", r"\bst\.html\(", r"components\.html\(", r"components\.v1"):
            offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, source)]
    assert offenders == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_a_redirect_off_the_allowed_domains_is_not_followed(snapshot_copy, monkeypatch):
    port = _free_port()
    article = "/_host/www.compliance-wire.example/2025/11/cw-2025-11-20-pentagon-letter.html"
    # "localhost" is the same server but not an allowed domain: following it would fetch and store the page
    target = f"http://localhost:{port}/_host/www.compliance-wire.example/2025/11/cw-2025-11-20-pentagon-letter.html"
    settings, runs = _crawl_with(
        snapshot_copy,
        monkeypatch,
        [
            {"path": article, "status": 302, "headers": {"Location": target}, "body": "moved", "times": 1},
        ],
        RISKWATCH_REPLAY_PORT=str(port),
    )
    assert runs and all(run.status == "finished" for run in runs)
    docs, _ = _docs(settings)
    assert not any("localhost" in (d.url or "") for d in docs)
    (letter,) = [d for d in docs if d.external_id.endswith("cw-2025-11-20-pentagon-letter.html")]
    assert letter.status == "failed" and not letter.raw
    assert "redirected off the allowed domains to 'localhost'" in letter.failure_reason
    # the next run, with the redirect gone, fetches it in place
    (snapshot_copy / "faults.json").write_text("[]")
    crawl(settings)
    docs, _ = _docs(settings)
    (letter,) = [d for d in docs if d.external_id.endswith("cw-2025-11-20-pentagon-letter.html")]
    assert letter.status == "pending" and b"Pentagon" in letter.raw


def test_spider_settings_cap_size_time_and_load():
    from scrapy.settings import Settings

    from crawler import settings as crawler_settings

    # what Scrapy reads, built the way the crawl builds it (project settings from crawler.settings)
    scrapy_settings = Settings()
    scrapy_settings.setmodule(crawler_settings, priority="project")
    assert scrapy_settings.getint("DOWNLOAD_MAXSIZE") <= 50 * 1024 * 1024
    assert 0 < scrapy_settings.getint("DOWNLOAD_TIMEOUT") <= 60
    # robots.txt is deliberately not consulted: the Federal Register's /api/v1 is an API its robots.txt
    # does not govern (crawler/settings.py). Politeness comes from low concurrency instead, so a change
    # to either is a decision to make here, not a drift.
    assert scrapy_settings.getbool("ROBOTSTXT_OBEY") is False
    assert scrapy_settings.getint("CONCURRENT_REQUESTS") <= 8
    assert scrapy_settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4


def _accepts(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((address, port)) == 0


# Another address than the server's: 127.0.0.2 is on the loopback interface of every Linux machine
# (127.0.0.0/8), so this check needs no network. A socket bound to 127.0.0.1 refuses it; one bound to
# every interface (0.0.0.0, which is what "reachable from outside" takes) accepts it.
OTHER_ADDRESS = "127.0.0.2"


def test_replay_server_listens_on_loopback_only(snapshot_copy):
    with pytest.raises(ValueError):
        ReplayServer(snapshot_copy, host="0.0.0.0")
    # the probe can tell the difference here: a wildcard listener is reachable on the other address
    with socket.socket() as wildcard:
        wildcard.bind(("0.0.0.0", 0))
        wildcard.listen()
        if not _accepts(OTHER_ADDRESS, wildcard.getsockname()[1]):
            reason = (
                f"bind address NOT tested: a listener on 0.0.0.0 is not reachable on {OTHER_ADDRESS} here (not Linux?)"
            )
            pytest.fail(reason, pytrace=False) if in_ci() else pytest.skip(reason)
    server = ReplayServer(snapshot_copy).start()
    try:
        host, port = server.httpd.socket.getsockname()[:2]  # what the socket is bound to, from the kernel
        assert host == "127.0.0.1"
        assert _accepts("127.0.0.1", port)
        assert not _accepts(OTHER_ADDRESS, port), f"replay server reachable on {OTHER_ADDRESS}: not bound to loopback"
    finally:
        server.stop()


def test_audit_summary_fails_on_a_finding_and_never_reports_unaudited_as_clean(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("audit", PROJECT_ROOT / "scripts" / "audit.py")
    audit = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "audit", audit)  # dataclasses look their module up there
    spec.loader.exec_module(audit)
    monkeypatch.delenv("RISKWATCH_AUDIT_STRICT", raising=False)
    finding = audit.summarise(
        {
            "dependencies": [
                {
                    "name": "scrapy",
                    "version": "2.11.0",
                    "vulns": [{"id": "GHSA-cw9j-q3vf-hrrv", "fix_versions": ["2.11.1"]}],
                },
                {"name": "rich", "version": "13.0", "vulns": []},
            ]
        }
    )
    assert (
        finding.exit_code == 1 and "VULNERABLE scrapy 2.11.0: GHSA-cw9j-q3vf-hrrv (fixed in 2.11.1)" in finding.lines()
    )
    unreachable = audit.summarise({"dependencies": [{"name": "rich", "skip_reason": "Dependency not found on PyPI"}]})
    assert unreachable.exit_code == 0 and unreachable.lines()[0].startswith("WARNING: no vulnerability service")
    assert not any("no known vulnerabilities" in line for line in unreachable.lines())
    monkeypatch.setenv("RISKWATCH_AUDIT_STRICT", "1")
    assert unreachable.exit_code == 1
    clean = audit.summarise({"dependencies": [{"name": "rich", "version": "13.0", "vulns": []}]})
    assert clean.lines() == ["audit: 1 packages audited, no known vulnerabilities"]


def test_log_records_are_masked_also_through_handlers_created_later(tmp_path, monkeypatch):
    from core import redact

    webhook = f"https://hooks.slack.com/services/T000/B000/{TOKEN}"
    monkeypatch.setenv("RISKWATCH_SLACK_WEBHOOK_URL", webhook)
    monkeypatch.setenv("RISKWATCH_DATABASE_URL", "postgresql+psycopg://rw:p%40ss%3Aw%2Frd@db.example/rw")
    get_settings.cache_clear()
    saved = logging.getLogRecordFactory()
    try:
        secrets = redact.install(get_settings())
        redact.install(get_settings())  # twice: replaces, never stacks
        assert {"p@ss:w/rd", "p%40ss%3Aw%2Frd"} <= set(secrets)
        handler = logging.FileHandler(tmp_path / "later.log")  # like the handler Scrapy adds per crawler
        logger = logging.getLogger("riskwatch.test.redact")
        logger.addHandler(handler)
        logger.propagate = False
        logger.error("posting to %s", webhook)
        logger.error("connecting to postgresql+psycopg://rw:p%40ss%3Aw%2Frd@db.example/rw (password p@ss:w/rd)")
        try:
            raise RuntimeError(f"token {TOKEN} rejected")
        except RuntimeError:
            logger.exception("failed")
        handler.close()
        logger.removeHandler(handler)
    finally:
        logging.setLogRecordFactory(saved)
    written = (tmp_path / "later.log").read_text()
    assert written.count(redact.MASK) >= 4 and "RuntimeError" in written
    assert TOKEN not in written and "p@ss:w/rd" not in written and "p%40ss" not in written


def test_crawler_process_logs_are_masked(tmp_path):
    """Scrapy replaces the root handler for each crawler; the crawl log is masked all the same."""
    script = f"""
import logging, os, sys
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from core import redact
from core.settings import get_settings
redact.install(get_settings())
settings = Settings(); settings.setmodule("crawler.settings", priority="project")
settings.set("LOG_FILE", {str(tmp_path / "crawl.log")!r})
process = CrawlerProcess(settings)
from crawler.spiders.news import NewsSpider
process.create_crawler(NewsSpider)
logging.getLogger("scrapy.core.engine").error("webhook %s", os.environ["RISKWATCH_SLACK_WEBHOOK_URL"])
"""
    env = {**os.environ, "RISKWATCH_SLACK_WEBHOOK_URL": f"https://hooks.slack.com/services/T000/B000/{TOKEN}"}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    written = (tmp_path / "crawl.log").read_text()
    assert "webhook ***" in written and TOKEN not in written

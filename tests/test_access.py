"""Who may see and change what: roles from the settings, the loopback default, refusing an open
dashboard, and the append-only audit trail (SQLite and PostgreSQL), through the CLI as a user runs it."""

import json
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from core.access import EDITOR, VIEWER, auth_configured, is_loopback, local_identity, role_of, serving_problem
from core.settings import PROJECT_ROOT, Settings
from db import queries
from db.models import AuditEntry, Entity
from tests.conftest import run_cli


def settings(**values) -> Settings:
    return Settings(**values)


def test_roles_come_from_addresses_domains_and_groups():
    team = settings(
        dashboard_editors="ann@bank.example, @compliance.bank.example",
        dashboard_editor_groups="riskwatch-editors",
        dashboard_viewers="@bank.example, @compliance.bank.example",
    )
    assert role_of(team, email="Ann@Bank.example") == EDITOR
    assert role_of(team, email="bob@compliance.bank.example") == EDITOR
    assert role_of(team, email="carl@bank.example", groups=["riskwatch-editors"]) == EDITOR
    assert role_of(team, email="dora@bank.example", groups=["other"]) == VIEWER
    assert role_of(team, email="eve@elsewhere.example") is None  # not among the viewers
    assert role_of(team, email=None) is None
    assert role_of(settings(), email="anyone@example.org") == VIEWER  # no viewer list: anyone signed in views


def test_without_sign_in_the_local_user_edits_only_on_loopback(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("")
    local = local_identity(settings())
    assert local.role == EDITOR and local.actor.startswith("os:") and local.how == "local"
    assert local_identity(settings(dashboard_address="0.0.0.0")).role == VIEWER
    none = tmp_path / "secrets.toml"
    assert serving_problem(settings(dashboard_secrets=none)) is None
    problem = serving_problem(settings(dashboard_address="0.0.0.0", dashboard_secrets=none))
    assert problem.startswith("refusing to serve the dashboard on 0.0.0.0") and "[auth]" in problem
    assert (
        serving_problem(
            settings(dashboard_address="0.0.0.0", dashboard_secrets=none, dashboard_allow_unauthenticated=True)
        )
        is None
    )
    none.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "x"\n')
    assert auth_configured(settings(dashboard_secrets=none))
    assert serving_problem(settings(dashboard_address="0.0.0.0", dashboard_secrets=none)) is None


def test_the_audit_trail_is_append_only(session):
    queries.record_change(
        session,
        actor="os:ann",
        how="cli",
        action="watchlist.set",
        target="X",
        before={"watched": False},
        after={"watched": True},
    )
    session.commit()
    for statement in ("UPDATE auditentry SET actor = 'someone else'", "DELETE FROM auditentry"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.exec(text(statement))
        session.rollback()
    assert [(e.actor, e.target) for e in session.exec(select(AuditEntry))] == [("os:ann", "X")]


def test_watch_from_the_cli_is_audited_as_the_os_user(isolated_settings):
    engine_url = isolated_settings.resolved_database_url
    from db.engine import make_engine, init_db

    engine = make_engine(engine_url)
    init_db(engine)
    with Session(engine) as session:
        queries.upsert_entity(session, name="BYD Company Limited", aliases=[("BYD", "short")])
        session.commit()
    engine.dispose()
    assert "now on the watchlist" in run_cli("watch", "BYD", "--note", "new supplier").stdout.decode()
    assert "already on the watchlist" in run_cli("watch", "BYD").stdout.decode()
    assert "now off the watchlist" in run_cli("watch", "BYD", "--off").stdout.decode()
    trail = json.loads(run_cli("audit", "--json").stdout)
    assert [(r["action"], r["target"], r["after"], r["how"]) for r in trail] == [
        ("watchlist.set", "BYD Company Limited", {"watched": False}, "cli"),
        ("note", "BYD Company Limited", {}, "cli"),
        ("watchlist.set", "BYD Company Limited", {"watched": True}, "cli"),
    ]
    assert all(r["actor"].startswith("os:") for r in trail) and trail[1]["note"] == "new supplier"
    with Session(make_engine(engine_url)) as session:
        assert session.exec(select(Entity)).one().watched is False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> set[str]:
    """The local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.slow
def test_the_dashboard_listens_on_loopback_by_default_and_refuses_an_open_address(isolated_settings, tmp_path):
    refused = run_cli(
        "dashboard",
        env={"RISKWATCH_DASHBOARD_ADDRESS": "0.0.0.0", "RISKWATCH_DASHBOARD_SECRETS": str(tmp_path / "none.toml")},
        check=False,
    )
    assert refused.returncode == 2 and b"refusing to serve the dashboard on 0.0.0.0" in refused.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs.cli", "dashboard", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not _listening(port):
            time.sleep(0.3)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1 only, no 0.0.0.0 / :: socket
    finally:
        process.terminate()
        process.wait(timeout=20)

"""Shared fixtures: isolated settings, a tmp SQLite file or PostgreSQL database, a replayed database.

Runs under pytest-xdist (``-n auto --dist loadfile``, see pyproject.toml). Session fixtures run once
per worker, so the expensive ones (a full replay) are built once per test run with :func:`built_once`
(a directory shared by the workers, guarded by a file lock) and copied per test. Each worker starts its
own PostgreSQL cluster on a free port; database names carry the worker's pid. ``loadfile`` keeps a
module on one worker, so module fixtures (the PostgreSQL replay, the Streamlit server and its browser,
the alerts' uncrashed reference) are built once; ``--dist loadgroup`` would be finer, but with pytest
9.2 it silently ignores the ``xdist_group`` marks (pytest-dev/pytest-xdist#1386).
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlmodel import Session

from db.engine import init_db, make_engine
from core.settings import DATA_DIR, PROJECT_ROOT, get_settings
from tests import postgres

RISKWATCH = [sys.executable, "-m", "jobs.cli"]

# Tests are deterministic: Hypothesis explores the same examples on every run.
hypothesis_settings.register_profile("riskwatch", derandomize=True, print_blob=True)
hypothesis_settings.load_profile("riskwatch")


def in_ci() -> bool:
    """CI=true (GitHub Actions, GitLab, most others set it): missing test dependencies fail, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_dependency(what: str, reason: str) -> None:
    """A test cannot get Chromium or PostgreSQL: a loud skip on a developer's machine, a failure in CI
    (so CI can never go green with the browser or PostgreSQL untested)."""
    if in_ci():
        pytest.fail(
            f"CI=true and {what} is NOT available: {reason}. In CI this is a failure, not a skip "
            f"(`make test` installs it as root with apt-get; see the Makefile's browser/postgres targets)",
            pytrace=False,
        )
    pytest.skip(f"{what} NOT tested: {reason}")


def pytest_collection_modifyitems(session, config, items):
    # A suite that silently collected nothing must never pass (also see pytest_sessionfinish).
    if not items:
        raise pytest.UsageError("no tests collected")


def pytest_sessionfinish(session, exitstatus):
    # Exit status 5 (no tests ran, e.g. everything deselected) is non-zero, but some CI wrappers accept it:
    # say so loudly, and in CI turn it into an ordinary failure. Under xdist the controller decides.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and not os.environ.get("PYTEST_XDIST_WORKER"):
        sys.stderr.write("\nERROR: pytest ran no tests (exit status 5); that is a failure, never a pass\n")
        if in_ci():
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own var/ dir and database; no .env or real webhook leaks in."""
    for key in list(os.environ):
        if key.startswith("RISKWATCH_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("RISKWATCH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster for the whole session (see tests/postgres.py)."""
    reason = postgres.unavailable_reason()
    if reason:
        missing_dependency("PostgreSQL", reason)
    server = postgres.cluster()
    server.start()
    yield server
    server.stop()


_databases = itertools.count()


def new_postgres_database(server, template: str | None = None) -> str:
    """A fresh database (with TEMPLATE: a copy of that database), named for this process: unique per
    xdist worker also on a shared RISKWATCH_TEST_POSTGRES_URL server."""
    return server.create_database(f"riskwatch_{os.getpid()}_{next(_databases)}", template=template)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, isolated_settings, monkeypatch) -> str:
    """Database-facing tests run twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return isolated_settings.resolved_database_url
    url = new_postgres_database(request.getfixturevalue("postgres_server"))
    monkeypatch.setenv("RISKWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def snapshot_copy(tmp_path) -> Path:
    """A writable copy of the bundled snapshot (tests add faults to it)."""
    target = tmp_path / "snapshot"
    shutil.copytree(DATA_DIR / "snapshot", target)
    return target


def run_cli(*args: str, env: dict[str, str] | None = None, check: bool = True, input: bytes | None = None):
    """Run `riskwatch ARGS` in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    completed = subprocess.run(
        [*RISKWATCH, *args], cwd=PROJECT_ROOT, env=full_env, capture_output=True, input=input, timeout=600
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"riskwatch {' '.join(args)} exited {completed.returncode}:\n"
            f"{completed.stdout.decode(errors='replace')}\n{completed.stderr.decode(errors='replace')}"
        )
    return completed


def shared_tmp(tmp_path_factory) -> Path:
    """This test run's temporary directory, the same for every xdist worker (each worker's own base
    temp dir is a child of it); without xdist the session's base temp dir."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A directory filled by ``build(directory)`` once per test run, whichever xdist worker asks first;
    the others wait on the lock and reuse it. A build that failed is retried by the next caller."""
    root = shared_tmp(tmp_path_factory)
    target = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build(target)
            (target / ".complete").touch()
    return target


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (the backup API: committed pages, the WAL's included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def copy_var(source: Path, target: Path) -> Path:
    """A private copy of a var/ directory (the SQLite file with its WAL, the logs); never the lock."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("riskwatch.lock"))
    return target


def replay_into(var: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """`riskwatch run ARGS` into VAR with nothing from the caller's RISKWATCH_* environment but ENV."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RISKWATCH_")}
    full_env.update(env or {}, RISKWATCH_VAR_DIR=str(var))
    completed = subprocess.run(
        [*RISKWATCH, "run", *args], cwd=PROJECT_ROOT, env=full_env, capture_output=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")


@pytest.fixture(scope="session")
def replayed_db(tmp_path_factory) -> Path:
    """A database filled by one full `riskwatch run` over the bundled snapshot (read-only for tests:
    it is shared by every test and xdist worker of the run; write to ``replayed_copy``)."""
    built = built_once(tmp_path_factory, "replayed", lambda d: replay_into(d / "var"))
    return built / "var" / "riskwatch.db"


@pytest.fixture
def replayed_copy(replayed_db, tmp_path, monkeypatch) -> str:
    """A private copy of the replayed database; settings point at it."""
    target = tmp_path / "replayed.db"
    copy_sqlite(replayed_db, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("RISKWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    return url

"""Shared fixtures: isolated settings, a tmp SQLite file or PostgreSQL database, a replayed database."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
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


def pytest_collection_modifyitems(session, config, items):
    # A suite that silently collected nothing must never pass.
    if not items:
        raise pytest.UsageError("no tests collected")


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
        pytest.skip(f"PostgreSQL backend NOT tested: {reason}")
    server = postgres.cluster()
    server.start()
    yield server
    server.stop()


_databases = itertools.count()


def new_postgres_database(server) -> str:
    return server.create_database(f"riskwatch_{os.getpid()}_{next(_databases)}")


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
    completed = subprocess.run([*RISKWATCH, *args], cwd=PROJECT_ROOT, env=full_env, capture_output=True,
                               input=input, timeout=600)
    if check and completed.returncode != 0:
        raise AssertionError(f"riskwatch {' '.join(args)} exited {completed.returncode}:\n"
                             f"{completed.stdout.decode(errors='replace')}\n{completed.stderr.decode(errors='replace')}")
    return completed


@pytest.fixture(scope="session")
def replayed_db(tmp_path_factory) -> Path:
    """A database filled by one full `riskwatch run` over the bundled snapshot (read-only for tests)."""
    var = tmp_path_factory.mktemp("replayed") / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKWATCH_")}
    env["RISKWATCH_VAR_DIR"] = str(var)
    completed = subprocess.run([*RISKWATCH, "run"], cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=600)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return var / "riskwatch.db"


@pytest.fixture
def replayed_copy(replayed_db, tmp_path, monkeypatch) -> str:
    """A private copy of the replayed database; settings point at it."""
    target = tmp_path / "replayed.db"
    shutil.copy(replayed_db, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("RISKWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    return url

"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary directory, a free
local port, trust authentication on 127.0.0.1 only, stopped and deleted afterwards.

Uses Debian's `postgresql` package (``make test`` installs it when missing and possible).
initdb refuses to run as root, so as root the server runs as the unprivileged ``postgres``
user (created by the Debian package). ``RISKWATCH_TEST_POSTGRES_URL`` points the tests at
an existing server instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_USER = "postgres"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """Why no throwaway cluster can be started here, or None when one can."""
    if os.environ.get("RISKWATCH_TEST_POSTGRES_URL"):
        return None
    if _bin_dir() is None:
        return "PostgreSQL is not installed (Debian package `postgresql`; `make test` installs it as root)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no unprivileged '{SERVER_USER}' user to run the server"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (`pip install -e .[postgres]`)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.tmp = Path(tempfile.mkdtemp(prefix="riskwatch-pg-"))
        self.data = self.tmp / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        try:
            return self._start()
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise

    def _start(self) -> str:
        if self.as_root:
            entry = pwd.getpwnam(SERVER_USER)
            os.chmod(self.tmp, 0o700)
            os.chown(self.tmp, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "riskwatch", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        for attempt in range(3):
            # the free port can be taken between _free_port() and the server's bind (another xdist
            # worker's cluster, say): then the start fails and another port is tried
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.tmp / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off -c synchronous_commit=off "
                    f"-c full_page_writes=off -c max_connections=100",
                    "start",
                )
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
                self.port = _free_port()
        self.create_database("riskwatch")
        return self.url("riskwatch")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://riskwatch@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database; with TEMPLATE, a copy of that one (which nobody may be connected to)."""
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    host="127.0.0.1", port=self.port, user="riskwatch", dbname="postgres", autocommit=True
                ) as conn:
                    # names from the tests, never user input
                    conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                return self.url(name)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


class ExistingServer:
    """RISKWATCH_TEST_POSTGRES_URL: a server someone else runs, for tests only. Each test database
    (``riskwatch_test``, ``riskwatch_<pid>_<n>``) is dropped and created on it: never point this at
    a server holding data you want to keep."""

    def __init__(self, url: str) -> None:
        self.base = url

    def start(self) -> str:
        return self.create_database("riskwatch_test")

    def create_database(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(make_url(self.base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        admin.dispose()
        return make_url(self.base).set(database=name).render_as_string(hide_password=False)

    def stop(self) -> None:
        pass


def cluster():
    url = os.environ.get("RISKWATCH_TEST_POSTGRES_URL")
    return ExistingServer(url) if url else ThrowawayCluster()

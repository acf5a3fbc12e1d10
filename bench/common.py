"""Shared set-up for the benchmarks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.settings import Settings, get_settings


@contextmanager
def scratch_settings(database_url: str | None = None) -> Iterator[Settings]:
    """Settings whose var/ (and default SQLite database) live in a temporary directory.

    With ``database_url`` (e.g. a PostgreSQL database kept for benchmarks) that database is used
    instead, after dropping and recreating every riskwatch table in it."""
    saved = {key: os.environ.get(key) for key in ("RISKWATCH_VAR_DIR", "RISKWATCH_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="riskwatch-bench-") as tmp:
        os.environ["RISKWATCH_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ.pop("RISKWATCH_DATABASE_URL", None)
        if database_url:
            from db.engine import make_engine, reset_db

            os.environ["RISKWATCH_DATABASE_URL"] = database_url
            engine = make_engine(database_url)
            reset_db(engine)
            engine.dispose()
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            get_settings.cache_clear()

"""Shared set-up for the benchmarks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.settings import Settings, get_settings


@contextmanager
def scratch_settings() -> Iterator[Settings]:
    """Settings whose var/ (and default SQLite database) live in a temporary directory."""
    saved = {key: os.environ.get(key) for key in ("RISKWATCH_VAR_DIR", "RISKWATCH_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="riskwatch-bench-") as tmp:
        os.environ["RISKWATCH_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ.pop("RISKWATCH_DATABASE_URL", None)
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

"""Engine factory: SQLite (WAL, foreign keys, busy timeout) or any SQLAlchemy URL."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine, select

from db import models
from db.settings import get_settings

log = logging.getLogger(__name__)


class SchemaVersionError(RuntimeError):
    """The database was written by a newer riskwatch, or needs a migration we do not have."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` (default: the settings' database URL)."""
    url = url or get_settings().resolved_database_url
    parsed = make_url(url)
    kwargs: dict = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_db(engine: Engine) -> None:
    """Create missing tables and record/check the schema version."""
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        info = session.exec(select(models.SchemaInfo)).first()
        if info is None:
            session.add(models.SchemaInfo(version=models.SCHEMA_VERSION))
            session.commit()
        elif info.version > models.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {info.version} is newer than this riskwatch "
                f"({models.SCHEMA_VERSION}); upgrade riskwatch"
            )
        elif info.version < models.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {info.version} needs a migration to {models.SCHEMA_VERSION}; "
                "no migration is registered (see README, 'Schema versions')"
            )


def reset_db(engine: Engine) -> None:
    """Drop and recreate every table (used by `riskwatch demo`)."""
    SQLModel.metadata.drop_all(engine)
    init_db(engine)


def redact_url(url: str) -> str:
    """The URL with any password hidden, for logs and errors."""
    return make_url(url).render_as_string(hide_password=True)

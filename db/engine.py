"""Engine factory: SQLite (WAL, foreign keys, busy timeout) or any SQLAlchemy URL."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine, select

from db import migrations, models
from core.settings import Settings, get_settings

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


# Arbitrary constant naming riskwatch's schema advisory lock on PostgreSQL.
SCHEMA_LOCK_KEY = 0x726973_6B77


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema creation between processes (the job and the dashboard may start together)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK_KEY})
            conn.commit()


def _create_tables(engine: Engine, attempts: int = 20) -> None:
    for attempt in range(attempts):
        try:
            SQLModel.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError) as exc:
            # SQLite: another process created a table between our check and our CREATE; the next
            # pass finds it there. Anything else is a real error.
            if "already exists" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def init_db(engine: Engine) -> None:
    """Create missing tables, record the schema version, upgrade an older database in place when a step
    is registered (db/migrations.py), and check the version."""
    with _schema_lock(engine):
        _create_tables(engine)
        with Session(engine) as session:
            info = session.exec(select(models.SchemaInfo)).first()
            if info is None:
                # id 1: a second process racing to record the version hits the primary key.
                session.add(models.SchemaInfo(id=1, version=models.SCHEMA_VERSION))
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
        migrations.upgrade(engine)
    _check_version(engine)
    _initialised.add(_schema_key(engine.url))


def _check_version(engine: Engine) -> None:
    with Session(engine) as session:
        info = session.exec(select(models.SchemaInfo).order_by(models.SchemaInfo.id)).first()
        if info.version > models.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {info.version} is newer than this riskwatch "
                f"({models.SCHEMA_VERSION}); upgrade riskwatch"
            )
        elif info.version < models.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {info.version} needs a migration to {models.SCHEMA_VERSION}; "
                "no migration is registered (see README, 'Schema versions')"
            )


# Databases whose schema this process has created and checked (init_db records them; ready_engine reads).
_initialised: set[str | None] = set()


def _schema_key(url) -> str | None:
    """The database behind ``url``; None for an in-memory SQLite database (new with every engine)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:") or not Path(parsed.database).exists():
            return None  # in memory, or a file that has gone: its schema must be made again
    return parsed.render_as_string(hide_password=False)


def ready_engine(url: str | None = None) -> Engine:
    """An engine on ``url`` (default: the settings' database) whose schema init_db has created and
    checked, once per database in this process (each daily run checks again: see jobs.daily.run)."""
    engine = make_engine(url or get_settings().resolved_database_url)
    key = _schema_key(engine.url)
    if key is None or key not in _initialised:
        init_db(engine)
    return engine


@contextmanager
def session_scope(
    settings: Settings | None = None, *, url: str | None = None, expire_on_commit: bool = True
) -> Iterator[Session]:
    """A session on the database of ``settings`` (or ``url``); its engine is disposed on exit, so no
    connection outlives the block (objects read in it stay usable with ``expire_on_commit=False``)."""
    engine = ready_engine(url or (settings or get_settings()).resolved_database_url)
    try:
        with Session(engine, expire_on_commit=expire_on_commit) as session:
            yield session
    finally:
        engine.dispose()


def reset_db(engine: Engine) -> None:
    """Drop and recreate every table (used by `riskwatch demo`)."""
    SQLModel.metadata.drop_all(engine)
    init_db(engine)


def redact_url(url: str) -> str:
    """The URL with any password hidden, for logs and errors."""
    return make_url(url).render_as_string(hide_password=True)

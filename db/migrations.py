"""In-place schema upgrades, one small step per version (run by ``db.engine.init_db``).

New tables need no step (``create_all`` makes them); a step changes existing tables. A database whose
version has no step here is refused by ``init_db`` with the version message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import AddConstraint, CreateColumn, CreateIndex, CreateTable, DropConstraint

from db import models

log = logging.getLogger(__name__)


def _listing_list_check():
    table = models.ListingEvent.__table__
    return next(c for c in table.constraints if c.name == "ck_listingevent_list_name")


def _v2_to_v3_postgresql(conn: Connection) -> None:
    """The list CHECK constraint's new lists, ListingEvent.evidence (CandidateEvent: create_all).
    Also the step from 3 to 4 (the CSL's lists; ListRecord and ListChange come from create_all)."""
    table = models.ListingEvent.__table__
    check = _listing_list_check()
    conn.execute(DropConstraint(check, if_exists=True))
    conn.execute(AddConstraint(check))
    if "evidence" not in {c["name"] for c in inspect(conn).get_columns("listingevent")}:
        column = CreateColumn(table.c.evidence).compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE listingevent ADD COLUMN {column}"))


def _v2_to_v3_sqlite(conn: Connection) -> None:
    """Also the step from 3 to 4 (the CHECK constraint's new lists). SQLite cannot alter a CHECK constraint: ListingEvent is rebuilt (new table, copy, drop, rename),
    as https://www.sqlite.org/lang_altertable.html#otheralter describes; foreign keys are off meanwhile
    (the caller) and checked before the commit."""
    table = models.ListingEvent.__table__
    old_columns = [c["name"] for c in inspect(conn).get_columns("listingevent")]
    copied = ", ".join(name for name in old_columns if name in table.c)
    for index in inspect(conn).get_indexes("listingevent"):
        conn.execute(text(f'DROP INDEX "{index["name"]}"'))
    create = str(CreateTable(table).compile(dialect=conn.dialect))
    create, found = re.subn(r"CREATE TABLE listingevent \(", "CREATE TABLE listingevent_rebuilt (", create, count=1)
    assert found == 1, create
    conn.execute(text(create))
    conn.execute(text(f"INSERT INTO listingevent_rebuilt ({copied}) SELECT {copied} FROM listingevent"))
    conn.execute(text("DROP TABLE listingevent"))
    conn.execute(text("ALTER TABLE listingevent_rebuilt RENAME TO listingevent"))
    for index in table.indexes:
        conn.execute(CreateIndex(index))
    broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise RuntimeError(f"schema upgrade: foreign keys broken by the rebuild: {broken[:5]}")


# version -> (what the step does, per backend)
STEPS: dict[int, tuple[str, dict[str, Callable[[Connection], None]]]] = {
    2: (
        "lists Section 1237, UFLPA Entity List, Unreliable Entity List (China); ListingEvent.evidence",
        {"sqlite": _v2_to_v3_sqlite, "postgresql": _v2_to_v3_postgresql},
    ),
    3: (
        "the Consolidated Screening List's lists in ListingEvent's CHECK constraint",
        {"sqlite": _v2_to_v3_sqlite, "postgresql": _v2_to_v3_postgresql},
    ),
}


def _version(conn: Connection) -> int:
    return conn.execute(text("SELECT version FROM schemainfo ORDER BY id LIMIT 1")).scalar_one()


def upgrade(engine: Engine) -> None:
    """Apply the registered steps from the database's version up to ``models.SCHEMA_VERSION``, each in
    one transaction that also records the new version. Callers hold the schema lock (PostgreSQL); on
    SQLite each step takes the write lock first and re-reads the version, so two processes starting
    together upgrade once."""
    backend = engine.dialect.name
    while True:
        with engine.connect() as conn:
            version = _version(conn)
        if version >= models.SCHEMA_VERSION or version not in STEPS or backend not in STEPS[version][1]:
            return  # current, newer, or no step: init_db's version check says which
        what, per_backend = STEPS[version]
        if backend == "sqlite":
            _run_sqlite_step(engine, version, per_backend[backend])
        else:
            with engine.begin() as conn:
                if _version(conn) == version:
                    per_backend[backend](conn)
                    _record(conn, version + 1)
        log.warning("database schema upgraded from version %d to %d (%s)", version, version + 1, what)


def _record(conn: Connection, version: int) -> None:
    conn.execute(text("UPDATE schemainfo SET version = :version, applied_at = CURRENT_TIMESTAMP"), {"version": version})


def _run_sqlite_step(engine: Engine, version: int, step: Callable[[Connection], None]) -> None:
    # Foreign keys must be switched off outside a transaction, and pysqlite must not open transactions
    # of its own: the step runs on a connection of its own in autocommit mode with an explicit
    # BEGIN IMMEDIATE (the write lock, before the version is re-read).
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                if _version(conn) == version:
                    step(conn)
                    _record(conn, version + 1)
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")

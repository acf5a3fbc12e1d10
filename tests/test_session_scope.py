"""db.engine.session_scope: one session on the settings' database, schema created once, nothing left open."""

from sqlmodel import select

from db import engine as db_engine
from db.engine import ready_engine, session_scope
from db.models import Entity, SchemaInfo


def test_session_scope_creates_the_schema_once_and_disposes_its_engine(isolated_settings, monkeypatch):
    calls = []
    real_init = db_engine.init_db
    monkeypatch.setattr(db_engine, "init_db", lambda engine: (calls.append(engine.url), real_init(engine)))
    with session_scope(isolated_settings) as session:
        assert session.exec(select(SchemaInfo)).one().version >= 1
        session.add(Entity(name="Example Co"))
        session.commit()
        engine = session.get_bind()
    assert engine.pool.checkedout() == 0
    with session_scope(url=isolated_settings.resolved_database_url, expire_on_commit=False) as session:
        entity = session.exec(select(Entity)).one()
    assert entity.name == "Example Co"  # usable after the block
    assert len(calls) == 1  # the second scope found the schema already checked in this process


def test_a_vanished_sqlite_file_or_an_in_memory_database_gets_its_schema_again(isolated_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    ready_engine(url).dispose()
    (tmp_path / "again.db").unlink()
    with session_scope(url=url) as session:
        assert session.exec(select(Entity)).all() == []
    for _ in range(2):
        with session_scope(url="sqlite://") as session:
            assert session.exec(select(SchemaInfo)).one()

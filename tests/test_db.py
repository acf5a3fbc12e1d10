"""db/: engine pragmas, schema version, idempotent document storage."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db import queries
from db.engine import SchemaVersionError, init_db, make_engine, redact_url
from db.models import Document, Entity, ListingEvent, SchemaInfo


def test_engine_settings_per_backend(engine):
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            assert conn.execute(text("SHOW server_encoding")).scalar() == "UTF8"
            assert engine.pool._pre_ping
            return
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_foreign_keys_are_enforced(session):
    session.add(ListingEvent(entity_id=999, status="designated", evidence_document_id=999))
    with pytest.raises(IntegrityError):
        session.commit()


def test_schema_version_recorded_and_newer_database_refused(engine):
    with Session(engine) as session:
        info = session.exec(select(SchemaInfo)).one()
        info.version = 999
        session.add(info)
        session.commit()
    with pytest.raises(SchemaVersionError, match="newer"):
        init_db(engine)


def test_redact_url_hides_password():
    assert "s3cret" not in redact_url("postgresql+psycopg://user:s3cret@db.example/riskwatch")


def _store(session, body: bytes, **kwargs):
    source = queries.get_or_create_source(session, name="federal_register", kind="federal_register")
    return queries.store_document(
        session, source=source, external_id="2025-00070", raw=body, publication_date=date(2025, 1, 7), **kwargs
    )


def test_store_document_dedups_by_hash_and_versions_changes(session):
    first, outcome = _store(session, b"<p>v1</p>")
    assert outcome == "new" and first.version == 1
    again, outcome = _store(session, b"<p>v1</p>")
    assert outcome == "unchanged" and again.id == first.id
    changed, outcome = _store(session, b"<p>v2</p>")
    assert outcome == "changed" and changed.version == 2 and changed.previous_id == first.id
    assert len(session.exec(select(Document)).all()) == 2


def test_failed_fetch_is_kept_and_filled_in_by_the_next_success(session):
    source = queries.get_or_create_source(session, name="federal_register", kind="federal_register")
    failed = queries.record_failed_document(
        session, source=source, external_id="2025-00070", reason="full text not fetched: HTTP 500", url="https://x"
    )
    assert failed.status == "failed" and "HTTP 500" in failed.failure_reason
    again = queries.record_failed_document(session, source=source, external_id="2025-00070", reason="HTTP 500 again")
    assert again.id == failed.id and again.attempts == 2
    document, outcome = _store(session, b"<p>the notice</p>")
    assert outcome == "new" and document.id == failed.id and document.status == "pending"
    assert document.failure_reason is None


def test_upsert_entity_is_idempotent_and_links_parent(session):
    queries.upsert_entity(session, name="Alibaba Group Holding Limited", aliases=[("Alibaba", "short")])
    child = queries.upsert_entity(
        session,
        name="Alibaba Cloud",
        aliases=[("Aliyun", "brand")],
        parent="Alibaba Group Holding Limited",
        relation="subsidiary",
    )
    queries.upsert_entity(session, name="Alibaba Group Holding Limited", aliases=[("Alibaba", "short")])
    session.commit()
    assert len(session.exec(select(Entity)).all()) == 2
    parent = queries.get_entity(session, name="Alibaba Group Holding Limited")
    assert child.parent_id == parent.id and child.relation == "subsidiary"


def test_any_sqlalchemy_url_works_in_memory():
    engine = make_engine("sqlite://")
    init_db(engine)
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version >= 1


def test_an_older_version_seen_again_is_unchanged(session):
    first, _ = _store(session, b"<p>v1</p>")
    _store(session, b"<p>v2</p>")
    again, outcome = _store(session, b"<p>v1</p>")
    assert outcome == "unchanged" and again.id == first.id
    assert len(session.exec(select(Document)).all()) == 2


def test_parent_printed_under_an_alias_is_linked_and_shared_aliases_name_nobody(session):
    queries.upsert_entity(session, name="China SpaceSat Co.", aliases=[("China SpaceSat Co., Ltd.", "list")])
    child = queries.upsert_entity(
        session,
        name="Oriental Blue Sky Titanium Technology Co., Ltd.",
        parent="China SpaceSat Co., Ltd.",
        relation="subsidiary",
    )
    assert child.parent_id == queries.get_entity(session, name="China SpaceSat Co.").id
    queries.upsert_entity(session, name="Alpha Ltd", aliases=[("Shared", "brand")])
    queries.upsert_entity(session, name="Beta Ltd", aliases=[("Shared", "brand")])
    assert queries.entity_named(session, name="Shared") is None
    assert queries.entity_named(session, name="Alpha Ltd").name == "Alpha Ltd"

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


# --- schema version 2 -> 3 ------------------------------------------------------------------------

V2_LISTS = "list_name IS NULL OR list_name IN ('1260H', 'Entity List', 'NS-CMIC', 'FCC Covered List')"


def _create_v2_schema(engine) -> None:
    """The tables as riskwatch 2 created them: every table of today but CandidateEvent, and ListingEvent
    without ``evidence`` and with the four lists of version 2 in its CHECK constraint."""
    from sqlalchemy import Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, MetaData, String
    from sqlalchemy import Table, Text, UniqueConstraint
    from sqlmodel import SQLModel

    v2 = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in ("listingevent", "candidateevent"):
            table.to_metadata(v2)
    Table(
        "listingevent",
        v2,
        Column("id", Integer, primary_key=True),
        Column("entity_id", Integer, ForeignKey("entity.id"), nullable=False, index=True),
        Column("list_name", String, nullable=False),
        Column("status", String, nullable=False),
        Column("effective_date", Date, index=True),
        Column("date_kind", String, nullable=False),
        Column("publication_date", Date),
        Column("official", Boolean, nullable=False),
        Column("evidence_document_id", Integer, ForeignKey("document.id"), nullable=False, index=True),
        Column("sentence", Text),
        Column("created_at", DateTime, nullable=False),
        UniqueConstraint(
            "entity_id", "list_name", "status", "effective_date", "evidence_document_id", name="uq_listing_event"
        ),
        CheckConstraint(
            "status IS NULL OR status IN ('designated', 'removed', 'proposed', 'withdrawn')",
            name="ck_listingevent_status",
        ),
        CheckConstraint(V2_LISTS, name="ck_listingevent_list_name"),
    )
    v2.create_all(engine)


def _fill_v2(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schemainfo (id, version, applied_at) VALUES (1, 2, '2026-11-01 00:00:00')"))
        conn.execute(text("INSERT INTO source (id, name, kind) VALUES (1, 'federal_register', 'federal_register')"))
        conn.execute(
            text(
                "INSERT INTO document (id, source_id, external_id, meta, content_hash, version, status, attempts,"
                " fetched_at) VALUES (1, 1, '2026-11571', '{}', 'h', 1, 'processed', 0, '2026-06-10 00:00:00')"
            )
        )
        conn.execute(text("INSERT INTO entity (id, name, kind, watched) VALUES (1, 'BYD Company Limited', 'c', true)"))
        conn.execute(
            text(
                "INSERT INTO listingevent (id, entity_id, list_name, status, effective_date, date_kind, official,"
                " evidence_document_id, sentence, created_at) VALUES (7, 1, '1260H', 'designated', '2026-06-08',"
                " 'list_date', true, 1, 'BYD is listed.', '2026-06-10 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alert (idempotency_key, listing_event_id, kind, status, entity_name, attempts, payload,"
                " created_at) VALUES ('k', 7, 'listing', 'sent', 'BYD Company Limited', 1, '{}', '2026-06-10 00:00:00')"
            )
        )


def test_a_version_2_database_is_upgraded_in_place(database_url):
    from db.models import SCHEMA_VERSION, Alert, CandidateEvent
    from core.vocabulary import ListName

    engine = make_engine(database_url)
    _create_v2_schema(engine)
    _fill_v2(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:  # what version 2 refuses
        conn.execute(
            text(
                "INSERT INTO listingevent (entity_id, list_name, status, date_kind, official, evidence_document_id,"
                " created_at) VALUES (1, 'Section 1237', 'designated', 'list_date', true, 1, '2026-06-10 00:00:00')"
            )
        )

    init_db(engine)
    init_db(engine)  # the next start finds it current
    with Session(engine) as session:
        assert session.exec(select(SchemaInfo)).one().version == SCHEMA_VERSION == 4
        kept = session.get(ListingEvent, 7)
        assert (kept.list_name, kept.status, kept.effective_date, kept.sentence) == (
            "1260H",
            "designated",
            date(2026, 6, 8),
            "BYD is listed.",
        )
        assert kept.evidence == []
        assert session.exec(select(Alert)).one().listing_event_id == 7
        for list_name in (ListName.SECTION_1237, ListName.UFLPA_ENTITY_LIST, ListName.CHINA_UNRELIABLE_ENTITY_LIST):
            session.add(
                ListingEvent(
                    entity_id=1, list_name=list_name, status="designated", evidence_document_id=1, evidence=["s"]
                )
            )
        session.add(CandidateEvent(document_id=1, name="Acme", list_name="1260H", status="proposed", sentence="s"))
        session.commit()
        assert len(session.exec(select(ListingEvent)).all()) == 4
        session.add(ListingEvent(entity_id=1, list_name="Some Other List", status="designated", evidence_document_id=1))
        with pytest.raises(IntegrityError):  # the CHECK constraint is still there, with the new lists
            session.commit()
        session.rollback()
        session.add(
            ListingEvent(
                entity_id=1,
                list_name="1260H",
                status="designated",
                effective_date=date(2026, 6, 8),
                evidence_document_id=1,
            )
        )
        with pytest.raises(IntegrityError):  # and the natural key
            session.commit()
        session.rollback()
        session.add(ListingEvent(entity_id=99, list_name="1260H", status="designated", evidence_document_id=1))
        with pytest.raises(IntegrityError):  # and the foreign keys
            session.commit()
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            indexes = {row[1] for row in conn.execute(text("PRAGMA index_list(listingevent)"))}
            assert {"ix_listingevent_entity_id", "ix_listingevent_evidence_document_id"} <= indexes
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    engine.dispose()


def test_a_database_older_than_version_2_is_refused(engine):
    with Session(engine) as session:
        info = session.exec(select(SchemaInfo)).one()
        info.version = 1
        session.add(info)
        session.commit()
    with pytest.raises(SchemaVersionError, match="needs a migration"):
        init_db(engine)

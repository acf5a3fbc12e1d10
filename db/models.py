"""SQLModel tables. Natural keys + unique constraints make every step idempotent."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import DDL, JSON, CheckConstraint, Column, Index, LargeBinary, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from core.vocabulary import (
    DEGRADED_RUN_STATUSES,
    AlertKind,
    AlertStatus,
    CrawlRunStatus,
    DateKind,
    DocumentStatus,
    ListingStatus,
    ListName,
    sql_in,
)

# 2: statuses, alert kinds and list names enforced by CHECK constraints; alert keys as columns;
#    Document.text (never written) dropped.
# 3: the lists Section 1237, UFLPA Entity List and Unreliable Entity List (China) (ListingEvent's CHECK
#    constraint); ListingEvent.evidence; CandidateEvent. db/migrations.py upgrades a version 2 database.
# 4: the Consolidated Screening List's lists (ListingEvent's CHECK constraint); ListRecord, ListChange;
#    AuditEntry (append-only: triggers refuse UPDATE and DELETE).
SCHEMA_VERSION = 4


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SchemaInfo(SQLModel, table=True):
    """One row: the schema version this database was created or migrated to."""

    id: int | None = Field(default=None, primary_key=True)
    version: int
    applied_at: datetime = Field(default_factory=utcnow)


class Source(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    kind: str  # federal_register | public_inspection | dod_release | news
    url: str | None = None


class Document(SQLModel, table=True):
    """A fetched document, raw bytes kept. A changed body becomes a new version."""

    __table_args__ = (
        UniqueConstraint("source_id", "external_id", "content_hash", name="uq_document_version"),
        Index("ix_document_source_external", "source_id", "external_id", "version"),
        CheckConstraint(sql_in("status", DocumentStatus), name="ck_document_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    external_id: str  # e.g. FR document number
    url: str | None = None
    title: str | None = None
    doc_type: str | None = None  # e.g. "Notice", "Public Inspection", "Article"
    publication_date: date | None = Field(default=None, index=True)
    fetched_at: datetime = Field(default_factory=utcnow)
    content_type: str | None = None
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary))  # the text is re-read from it
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    content_hash: str
    version: int = 1
    previous_id: int | None = Field(default=None, foreign_key="document.id")
    language: str | None = None
    status: str = Field(default=DocumentStatus.PENDING, index=True)  # a DocumentStatus
    failure_reason: str | None = None
    attempts: int = 0
    processed_at: datetime | None = None


class Entity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)  # canonical name as the official list prints it
    country: str | None = None
    kind: str = "company"
    parent_id: int | None = Field(default=None, foreign_key="entity.id")
    relation: str | None = None  # how this entity relates to its parent (e.g. "subsidiary", "brand")
    watched: bool = False  # on the curated watchlist (data/watchlist/watchlist.jsonl)


class Alias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("entity_id", "alias"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    alias: str
    kind: str = "name"  # name | short | legal | chinese | brand | former
    source: str | None = None  # where the alias came from (curated, list edition, ...)


class Mention(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("document_id", "entity_id", "start"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    start: int
    end: int
    text: str
    label: str = "ORG"
    sentence: str = Field(sa_column=Column(Text))
    method: str  # ruler | exact | fuzzy | official_list
    score: float = 1.0
    day: date | None = Field(default=None, index=True)  # the document's date, for scoring


class ListingEvent(SQLModel, table=True):
    """Entity X is designated/removed/proposed/withdrawn on list L on a date, per one document."""

    __table_args__ = (
        UniqueConstraint(
            "entity_id",
            "list_name",
            "status",
            "effective_date",
            "evidence_document_id",
            name="uq_listing_event",
        ),
        CheckConstraint(sql_in("status", ListingStatus), name="ck_listingevent_status"),
        CheckConstraint(sql_in("list_name", ListName), name="ck_listingevent_list_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    list_name: str = ListName.SECTION_1260H  # a ListName
    status: str  # a ListingStatus
    effective_date: date | None = Field(default=None, index=True)
    date_kind: str = DateKind.LIST_DATE  # a DateKind
    publication_date: date | None = None  # when the evidence document was published
    official: bool = False
    evidence_document_id: int = Field(foreign_key="document.id", index=True)
    sentence: str | None = Field(default=None, sa_column=Column(Text))
    # every sentence that justifies the event (the event, its list reference, a withdrawal), as a JSON list
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    created_at: datetime = Field(default_factory=utcnow)


class CandidateEvent(SQLModel, table=True):
    """An organisation not in the database that a document reports with a listing event: shown to the
    analyst as a candidate (for the watchlist or a list edition), never scored, never alerted.

    Replaced with its document's analysis, like mentions. ``list_name`` is a ListName value or another
    list's name as the text gives it (not enforced: a candidate is an observation, not a listing)."""

    __table_args__ = (CheckConstraint(sql_in("status", ListingStatus), name="ck_candidateevent_status"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    name: str  # the organisation as printed
    list_name: str
    status: str  # a ListingStatus
    effective_date: date | None = Field(default=None, index=True)  # the stated date, else the publication date
    date_kind: str = DateKind.REPORTED  # a DateKind
    publication_date: date | None = None
    sentence: str = Field(sa_column=Column(Text, nullable=False))
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    cue: str = ""  # the words that triggered the event
    created_at: datetime = Field(default_factory=utcnow)


class ListRecord(SQLModel, table=True):
    """One record of a downloaded screening list (the Consolidated Screening List): a listed party as the
    publisher prints it, while present in the downloads and after it left them (``removed_on``).

    Linked to an Entity when its names identify one (``link_method`` and ``link_score`` say how, and
    ``candidates`` lists the near matches left for review); a linked company's listing is a ListingEvent
    on the download that first held it. Individuals, vessels and aircraft are kept and screened, never
    scored. ``list_name`` is a ListName when the list is described in data/lists.toml, else the record's
    own label (kept, audited, not scored)."""

    __table_args__ = (
        UniqueConstraint("source", "list_name", "record_id", name="uq_list_record"),
        Index("ix_listrecord_present", "source", "present"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str  # the source's name (data/sources.toml), e.g. "csl"
    list_name: str = Field(index=True)
    record_id: str  # the publisher's id of the record
    entity_number: str | None = None  # OFAC's entity number (Treasury lists)
    party_type: str = "entity"  # entity | individual | vessel | aircraft | unknown
    name: str
    alt_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    federal_register_notice: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    listed_on: date | None = Field(default=None, index=True)  # the day riskwatch dates the listing
    date_kind: str = DateKind.FIRST_SEEN  # where listed_on comes from (a DateKind)
    dates: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # typed dates (CMIC: listing, ...)
    remarks: str | None = Field(default=None, sa_column=Column(Text))
    source_list_url: str | None = None
    source_information_url: str | None = None
    record_hash: str  # of the record as downloaded: a change of any field is a new hash
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))  # the record as downloaded
    first_seen_document_id: int = Field(foreign_key="document.id")
    last_seen_document_id: int = Field(foreign_key="document.id")
    present: bool = True
    removed_on: date | None = None
    removed_document_id: int | None = Field(default=None, foreign_key="document.id")
    entity_id: int | None = Field(default=None, foreign_key="entity.id", index=True)
    link_method: str | None = None  # printed name | alias | normalised name | manual
    link_score: float | None = None
    link_note: str | None = None  # how the link was made, in words
    candidates: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    linked_against: str = ""  # fingerprint of the entity names the record was last resolved against


class ListChange(SQLModel, table=True):
    """An addition, removal or change of one ListRecord, found by comparing a download with the last
    applied one: the per-list change log (the publisher offers no deltas)."""

    __table_args__ = (UniqueConstraint("list_record_id", "document_id", "change", name="uq_list_change"),)

    id: int | None = Field(default=None, primary_key=True)
    list_record_id: int = Field(foreign_key="listrecord.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)  # the download that showed the change
    list_name: str = Field(index=True)
    change: str  # added | removed | changed
    day: date | None = Field(default=None, index=True)
    date_kind: str = DateKind.FIRST_SEEN
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))


class ExposureScore(SQLModel, table=True):
    """One entity's score on one day; the components (one column each, after ``score``) sum to the score."""

    # (entity_id, day) serves per-entity series; (day, score) the leaderboard of a day.
    # No other index: every one costs time on the bulk inserts of a recompute.
    __table_args__ = (UniqueConstraint("entity_id", "day"), Index("ix_exposurescore_day_score", "day", "score"))

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id")
    day: date
    score: float
    listing: float = 0.0
    tenure: float = 0.0
    removed: float = 0.0
    signals: float = 0.0
    news: float = 0.0
    consequences: float = 0.0
    inherited: float = 0.0

    @property
    def components(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SCORE_COMPONENTS}


# The score's components, in order: ExposureScore's columns after ``score`` (their one home; the model in
# scoring/model.py computes exactly these, README "Scoring model" explains each).
_EXPOSURE_COLUMNS = tuple(ExposureScore.model_fields)
SCORE_COMPONENTS: tuple[str, ...] = _EXPOSURE_COLUMNS[_EXPOSURE_COLUMNS.index("score") + 1 :]


class ScoreState(SQLModel, table=True):
    """Bookkeeping for incremental scoring: evidence already folded into the series."""

    entity_id: int = Field(foreign_key="entity.id", primary_key=True)
    max_event_id: int = 0
    max_mention_id: int = 0
    scored_through: date | None = None
    model_version: str = ""


class Alert(SQLModel, table=True):
    """Outbox row: written first, sent second, never twice (idempotency_key)."""

    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        CheckConstraint(sql_in("kind", AlertKind), name="ck_alert_kind"),
        CheckConstraint(sql_in("status", AlertStatus), name="ck_alert_status"),
        CheckConstraint(sql_in("event_status", ListingStatus), name="ck_alert_event_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str  # derived from the key columns below (jobs.alerts.alert_key)
    listing_event_id: int | None = Field(default=None, foreign_key="listingevent.id")
    kind: str = AlertKind.LISTING  # an AlertKind
    status: str = AlertStatus.PENDING  # an AlertStatus
    # what the alert is about: the entity, and for listing/watch alerts the list, status and date
    entity_name: str
    list_name: str | None = None
    event_status: str | None = None  # a ListingStatus
    effective_date: date | None = None
    attempts: int = 0
    last_error: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class JobState(SQLModel, table=True):
    """Small named facts the jobs keep between runs (e.g. when the alert baseline was recorded)."""

    key: str = Field(primary_key=True)
    value: str
    updated_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    __table_args__ = (CheckConstraint(sql_in("status", CrawlRunStatus), name="ck_crawlrun_status"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    mode: str = "offline"
    as_of: date | None = None
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = CrawlRunStatus.RUNNING  # a CrawlRunStatus; error holds the reason when not "finished"
    requests: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str | None = None

    @property
    def is_failure(self) -> bool:
        """The run failed (or never finished); a blocked or unreachable best-effort source is not a failure."""
        # a best-effort source the CDN refused or that did not answer ended normally and says why
        return self.status != CrawlRunStatus.FINISHED and self.status not in DEGRADED_RUN_STATUSES


class AuditEntry(SQLModel, table=True):
    """One change made by a person through the dashboard or the CLI: who, when, what, before and after.
    Append-only: the application only inserts, and the database refuses UPDATE and DELETE (triggers)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)  # a signed-in e-mail address, or "os:<user>" (the CLI, the local dashboard)
    how: str  # oidc | local | cli
    action: str  # e.g. "watchlist.set"
    target: str  # what was changed, e.g. the entity's name
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    note: str | None = None


for _operation in ("UPDATE", "DELETE"):
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER IF NOT EXISTS auditentry_no_{_operation.lower()} BEFORE {_operation} ON auditentry "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    AuditEntry.__table__,
    "after_create",
    DDL(
        "CREATE OR REPLACE FUNCTION auditentry_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER auditentry_append_only BEFORE UPDATE OR DELETE ON auditentry "
        "FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()"
    ).execute_if(dialect="postgresql"),
)

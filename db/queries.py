"""Query and write functions. A session is passed in; arguments are keyword-only."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func
from sqlalchemy.orm import load_only
from sqlmodel import Session, select

from db.models import (
    Alias,
    CandidateEvent,
    CrawlRun,
    Document,
    Entity,
    ListingEvent,
    Mention,
    ScoreState,
    Source,
    utcnow,
)


def content_hash(raw: bytes | None, meta: dict[str, Any] | None = None) -> str:
    """sha256 over the raw body and the canonical JSON of the source's metadata."""
    digest = hashlib.sha256()
    digest.update(raw or b"")
    digest.update(b"\0")
    # HTTP validators (ETag, Last-Modified) change without the content changing: not hashed.
    hashed = {k: v for k, v in (meta or {}).items() if k != "http"}
    digest.update(json.dumps(hashed, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# --- sources and documents -------------------------------------------------------------


def get_or_create_source(session: Session, *, name: str, kind: str, url: str | None = None) -> Source:
    source = session.exec(select(Source).where(Source.name == name)).first()
    if source is None:
        source = Source(name=name, kind=kind, url=url)
        session.add(source)
        session.commit()
        session.refresh(source)
    return source


def latest_version(session: Session, *, source_id: int, external_id: str) -> Document | None:
    return session.exec(
        select(Document)
        .where(Document.source_id == source_id, Document.external_id == external_id)
        .order_by(Document.version.desc())
    ).first()


def store_document(
    session: Session,
    *,
    source: Source,
    external_id: str,
    raw: bytes | None,
    url: str | None = None,
    title: str | None = None,
    doc_type: str | None = None,
    publication_date: date | None = None,
    content_type: str | None = None,
    meta: dict[str, Any] | None = None,
    language: str | None = None,
) -> tuple[Document, str]:
    """Store a fetched document. Returns (document, outcome) with outcome new|changed|unchanged.

    Unchanged content (same hash) is not stored again; changed content becomes a
    new version linked to the previous one; a document whose earlier fetch failed
    is filled in place.
    """
    digest = content_hash(raw, meta)
    latest = latest_version(session, source_id=source.id, external_id=external_id)
    fields = dict(
        url=url,
        title=title,
        doc_type=doc_type,
        publication_date=publication_date,
        content_type=content_type,
        raw=raw,
        meta=meta or {},
        language=language,
        content_hash=digest,
        fetched_at=utcnow(),
    )
    if latest is not None and latest.content_hash != digest:
        known = session.exec(
            select(Document).where(
                Document.source_id == source.id, Document.external_id == external_id, Document.content_hash == digest
            )
        ).first()
        if known is not None:  # an older version seen again (e.g. a re-read overlap day): nothing new
            return known, "unchanged"
    if latest is not None and latest.content_hash == digest:
        if (meta or {}).get("http") and (latest.meta or {}).get("http") != meta["http"]:
            latest.meta = {**(latest.meta or {}), "http": meta["http"]}  # keep validators fresh
            session.add(latest)
            session.commit()
        return latest, "unchanged"
    if latest is not None and latest.status == "failed":
        for key, value in fields.items():
            setattr(latest, key, value)
        latest.status, latest.failure_reason = "pending", None
        session.add(latest)
        session.commit()
        session.refresh(latest)
        return latest, "new"
    document = Document(
        source_id=source.id,
        external_id=external_id,
        version=(latest.version + 1) if latest else 1,
        previous_id=latest.id if latest else None,
        status="pending",
        **fields,
    )
    session.add(document)
    session.commit()
    session.refresh(document)
    return document, ("changed" if latest else "new")


def record_failed_document(
    session: Session,
    *,
    source: Source,
    external_id: str,
    reason: str,
    url: str | None = None,
    raw: bytes | None = None,
    meta: dict[str, Any] | None = None,
    publication_date: date | None = None,
    status: str = "failed",
) -> Document:
    """Keep what could be fetched, marked with the reason. A good earlier version is left alone."""
    latest = latest_version(session, source_id=source.id, external_id=external_id)
    if latest is not None and latest.status not in ("failed", "quarantined"):
        return latest
    if latest is not None:
        latest.failure_reason = reason
        latest.attempts += 1
        latest.fetched_at = utcnow()
        if raw is not None:
            latest.raw = raw
        session.add(latest)
        session.commit()
        return latest
    document = Document(
        source_id=source.id,
        external_id=external_id,
        url=url,
        raw=raw,
        meta=meta or {},
        publication_date=publication_date,
        content_hash=content_hash(raw, {"failed": reason, **(meta or {})}),
        status=status,
        failure_reason=reason,
        attempts=1,
    )
    session.add(document)
    session.commit()
    session.refresh(document)
    return document


def record_desk_status(
    session: Session,
    *,
    source: Source,
    external_id: str,
    status: str,
    last_seen_on: str | None,
    resolved_on: str,
    evidence: str | None = None,
) -> str:
    """A public-inspection document left the desk: store that as a new version (outcome 'changed').

    The raw text is unchanged; the version's meta says ``published`` or ``withdrawn``
    with the last day it was seen and the day it was found gone.
    """
    latest = latest_version(session, source_id=source.id, external_id=external_id)
    if latest is None or latest.status == "failed":
        return "unchanged"
    if (latest.meta or {}).get("desk"):
        return "unchanged"
    desk = {"status": status, "last_seen_on": last_seen_on, "resolved_on": resolved_on}
    if evidence:
        desk["evidence"] = evidence
    meta = {**(latest.meta or {}), "desk": desk}
    _, outcome = store_document(
        session,
        source=source,
        external_id=external_id,
        raw=latest.raw,
        url=latest.url,
        title=latest.title,
        doc_type=latest.doc_type,
        publication_date=latest.publication_date,
        content_type=latest.content_type,
        meta=meta,
        language=latest.language,
    )
    return outcome


def http_validators(session: Session, *, source_name: str) -> dict[str, dict]:
    """Live URL -> {etag, last_modified} of the stored documents of a source (for conditional requests)."""
    validators = {}
    rows = session.exec(
        select(Document)
        .join(Source)
        .where(Source.name == source_name, Document.status != "failed")
        .options(load_only(Document.url, Document.meta, Document.version))  # never the raw bytes (35 MB a CSL)
        .order_by(Document.version)
    )
    for document in rows:
        http = (document.meta or {}).get("http") or {}
        if document.url and (http.get("etag") or http.get("last_modified")):
            validators[document.url] = http
    return validators


def crawl_window_start(session: Session, *, source_name: str, first_date: date, overlap_days: int) -> date:
    """Newest stored publication date minus the overlap, reaching back to the oldest document whose
    fetch failed (so the next run retries it); on a first crawl, the source's first date."""
    newest = session.exec(
        select(func.max(Document.publication_date))
        .join(Source)
        .where(Source.name == source_name, Document.status != "failed")
    ).one()
    oldest_failed = session.exec(
        select(func.min(Document.publication_date))
        .join(Source)
        .where(Source.name == source_name, Document.status == "failed")
    ).one()
    if newest is None:
        return first_date
    start = newest - timedelta(days=overlap_days)
    if oldest_failed is not None:
        start = min(start, oldest_failed)
    return max(first_date, start)


def last_crawled_day(session: Session, *, source_name: str) -> date | None:
    """The day up to which the last finished crawl of a source read (its as-of day or run day)."""
    run = session.exec(
        select(CrawlRun)
        .where(CrawlRun.source == source_name, CrawlRun.status == "finished")
        .order_by(CrawlRun.id.desc())
    ).first()
    if run is None:
        return None
    return run.as_of or run.started_at.date()


def open_public_inspection_documents(session: Session, *, source_name: str) -> dict[str, dict]:
    """Public-inspection documents seen on the desk whose fate (published/withdrawn) is not known yet,
    with their scheduled publication date."""
    rows = session.exec(
        select(Document)
        .join(Source)
        .where(Source.name == source_name, Document.status != "failed")
        .order_by(Document.external_id, Document.version)
    ).all()
    latest: dict[str, Document] = {}
    for row in rows:
        latest[row.external_id] = row
    return {
        number: {"publication_date": ((d.meta or {}).get("result") or {}).get("publication_date")}
        for number, d in sorted(latest.items())
        if not (d.meta or {}).get("desk")
    }


def pending_documents(session: Session, *, limit: int | None = None) -> Sequence[Document]:
    """Documents stored but not yet processed by NLP, oldest publication first (then by URL and
    external id), so the result never depends on the order a concurrent crawl stored them in."""
    query = (
        select(Document)
        .where(Document.status == "pending")
        .order_by(
            Document.publication_date.asc().nulls_last(),
            Document.url,
            Document.external_id,
            Document.version,
            Document.id,
        )
    )
    if limit:
        query = query.limit(limit)
    return session.exec(query).all()


def source_name_of(session: Session, *, document: Document) -> str:
    return session.get(Source, document.source_id).name


def document_outlet(document: Document) -> str:
    """Who published a document, for an analyst: the news domain the feed gave, else the URL's host
    (without ``www.``), else its external id."""
    domain = (document.meta or {}).get("domain")
    if not domain and document.url:
        domain = urlsplit(document.url).hostname
    return (domain or document.external_id).removeprefix("www.")


# --- entities ---------------------------------------------------------------------------


def get_entity(session: Session, *, name: str) -> Entity | None:
    return session.exec(select(Entity).where(Entity.name == name)).first()


def entity_named(session: Session, *, name: str) -> Entity | None:
    """The entity with this canonical name, else the one entity with this exact alias (an alias
    shared by several entities names none of them)."""
    entity = get_entity(session, name=name)
    if entity is not None:
        return entity
    owners = session.exec(select(Alias.entity_id).where(Alias.alias == name).distinct()).all()
    return session.get(Entity, owners[0]) if len(owners) == 1 else None


def upsert_entity(
    session: Session,
    *,
    name: str,
    aliases: Iterable[tuple[str, str]] = (),
    country: str | None = None,
    kind: str = "company",
    parent: str | None = None,
    relation: str | None = None,
    alias_source: str | None = None,
    watched: bool | None = None,
) -> Entity:
    """Create the entity if new; add missing aliases given as (alias, kind)."""
    entity = get_entity(session, name=name)
    if entity is None:
        entity = Entity(name=name, country=country, kind=kind, relation=relation)
        session.add(entity)
        session.flush()
    if parent and entity.parent_id is None:
        # looked up now, in the database, not in a linker built before this document: the parent
        # may be printed under a name it only got as an alias earlier in this run
        parent_entity = entity_named(session, name=parent)
        if parent_entity is not None and parent_entity.id != entity.id:
            entity.parent_id, entity.relation = parent_entity.id, relation
            # inheritance now reaches both series back to the first listing of either: both are
            # recomputed in full by the next scoring run
            session.exec(delete(ScoreState).where(ScoreState.entity_id.in_([entity.id, parent_entity.id])))
    if country and not entity.country:
        entity.country = country
    if watched is not None:
        entity.watched = watched
    known = {a.alias for a in session.exec(select(Alias).where(Alias.entity_id == entity.id))}
    for alias, alias_kind in aliases:
        alias = alias.strip()
        if alias and alias not in known and alias != name:
            session.add(Alias(entity_id=entity.id, alias=alias, kind=alias_kind, source=alias_source))
            known.add(alias)
    session.flush()
    return entity


def entity_names(session: Session) -> dict[str, list[str]]:
    """Every entity's canonical name with its aliases (what linking matches against)."""
    return {entity.name: [a.alias for a in aliases] for entity, aliases in all_entities_with_aliases(session)}


def all_entities_with_aliases(session: Session) -> list[tuple[Entity, list[Alias]]]:
    entities = session.exec(select(Entity).order_by(Entity.id)).all()
    aliases: dict[int, list[Alias]] = {}
    for alias in session.exec(select(Alias)):
        aliases.setdefault(alias.entity_id, []).append(alias)
    return [(entity, aliases.get(entity.id, [])) for entity in entities]


# --- NLP output -------------------------------------------------------------------------


def replace_document_analysis(
    session: Session,
    *,
    document: Document,
    mentions: Iterable[Mention],
    events: Iterable[ListingEvent],
    candidates: Iterable[CandidateEvent] = (),
) -> None:
    """Store a document's mentions, events and candidates (unlinked organisations reported with a
    listing event) and mark it processed, in one transaction.

    Earlier mentions and candidates of the same document are replaced, so reprocessing is idempotent;
    an earlier event (alerts may point at it) is kept, with the evidence sentences of this reading.
    """
    for old in session.exec(select(Mention).where(Mention.document_id == document.id)):
        session.delete(old)
    for old in session.exec(select(CandidateEvent).where(CandidateEvent.document_id == document.id)):
        session.delete(old)
    session.flush()
    seen_mentions: set[tuple[int, int]] = set()
    for mention in mentions:
        key = (mention.entity_id, mention.start)
        if key not in seen_mentions:
            seen_mentions.add(key)
            session.add(mention)
    existing = {
        (e.entity_id, e.list_name, e.status, e.effective_date): e
        for e in session.exec(select(ListingEvent).where(ListingEvent.evidence_document_id == document.id))
    }
    fresh: dict[tuple, ListingEvent] = {}  # the rows of this reading
    for event in events:
        key = (event.entity_id, event.list_name, event.status, event.effective_date)
        if key in fresh:  # stated again in the same document: one row with every sentence
            fresh[key].evidence = list(dict.fromkeys([*fresh[key].evidence, *event.evidence]))
        elif key in existing:
            existing[key].evidence = list(event.evidence)
            fresh[key] = existing[key]
            session.add(existing[key])
        else:
            fresh[key] = event
            session.add(event)
    seen_candidates: set[tuple] = set()
    for candidate in candidates:
        key = (candidate.name, candidate.list_name, candidate.status, candidate.effective_date)
        if key not in seen_candidates:
            seen_candidates.add(key)
            session.add(candidate)
    document.status, document.failure_reason = "processed", None
    document.processed_at = utcnow()
    session.add(document)
    session.commit()


def mark_document_failed(session: Session, *, document: Document, reason: str) -> None:
    session.rollback()
    document = session.get(Document, document.id)
    document.status, document.failure_reason = "failed", reason[:2000]
    document.attempts += 1
    session.add(document)
    session.commit()


def listing_events_for(session: Session, *, entity_id: int) -> list[tuple[ListingEvent, Document]]:
    rows = session.exec(
        select(ListingEvent, Document)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id == entity_id)
        # Deterministic whatever order the crawl stored documents in: official evidence
        # first, then by publication date and document URL.
        .order_by(
            ListingEvent.effective_date,
            ListingEvent.official.desc(),
            ListingEvent.publication_date,
            Document.url,
            ListingEvent.id,
        )
    ).all()
    return list(rows)


def counts(session: Session) -> dict[str, int]:
    """Row counts per table, for CLI summaries."""
    result = {}
    for model in (Document, Entity, Mention, ListingEvent):
        result[model.__tablename__] = session.exec(select(func.count()).select_from(model)).one()
    return result


# --- crawl runs -------------------------------------------------------------------------


def start_crawl_run(session: Session, *, source: str, mode: str, as_of: date | None) -> CrawlRun:
    run = CrawlRun(source=source, mode=mode, as_of=as_of)
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def finish_crawl_run(
    session: Session, *, run_id: int, status: str, counts: dict[str, int], error: str | None = None
) -> CrawlRun:
    run = session.get(CrawlRun, run_id)
    for key, value in counts.items():
        setattr(run, key, value)
    run.status, run.error, run.finished_at = status, error, utcnow()
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def source_statuses(session: Session, *, names: list[str]) -> list[dict[str, Any]]:
    """Per source (configured ``names`` first, then any other that has runs): its last crawl run
    (when, status, reason), the last run that finished OK and how many runs have not since."""
    known = list(dict.fromkeys([*names, *session.exec(select(CrawlRun.source).distinct()).all()]))
    rows = []
    for name in known:
        runs = select(CrawlRun).where(CrawlRun.source == name).order_by(CrawlRun.id.desc())
        last = session.exec(runs).first()
        last_ok = session.exec(runs.where(CrawlRun.status == "finished")).first()
        since_ok = session.exec(
            select(func.count())
            .select_from(CrawlRun)
            .where(CrawlRun.source == name, CrawlRun.id > (last_ok.id if last_ok else 0))
        ).one()
        rows.append(
            {
                "source": name,
                "last_run": last.started_at if last else None,
                "as_of": last.as_of if last else None,
                "status": last.status if last else "never run",
                "reason": (last.error or "") if last else "",
                "last_ok": last_ok.started_at if last_ok else None,
                "runs_since_ok": since_ok,
            }
        )
    return rows


def record_change(
    session: Session,
    *,
    actor: str,
    how: str,
    action: str,
    target: str,
    before: dict,
    after: dict,
    note: str | None = None,
) -> None:
    """Append one audit row (committed with the change it records, by the caller)."""
    from db.models import AuditEntry

    session.add(AuditEntry(actor=actor, how=how, action=action, target=target, before=before, after=after, note=note))


def set_watched(session: Session, *, watched: dict[int, bool], actor: str, how: str) -> int:
    """Put entities (id -> watched) on or off the watchlist, each change with its audit row, in one
    transaction; returns how many changed (setting what is already set records nothing)."""
    changed = 0
    for entity_id, flag in watched.items():
        entity = session.get(Entity, entity_id)
        if entity is None or entity.watched == flag:
            continue
        record_change(
            session,
            actor=actor,
            how=how,
            action="watchlist.set",
            target=entity.name,
            before={"watched": entity.watched},
            after={"watched": flag},
        )
        entity.watched = flag
        session.add(entity)
        changed += 1
    session.commit()
    return changed


def audit_entries(session: Session, *, limit: int | None = None) -> list:
    """The audit trail, newest first."""
    from db.models import AuditEntry

    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return list(session.exec(query.limit(limit) if limit else query))

"""`riskwatch process`: route every unprocessed document to its reader, idempotent, failures isolated.

A DoD list PDF and an official Federal Register notice (any format, on the public-inspection desk too)
go to the official-list readers (``nlp.official``) and what they change is decided in
``nlp.apply_official``; everything else is prose, read by the spaCy pipeline (``nlp.prose``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from db import queries
from db.models import Document, Source
from core.settings import Settings, get_settings
from core.linking import EntityLinker
from core.vocabulary import OFFICIAL_NOTICE_TYPES, DocType, DocumentStatus
from db.models import utcnow
from nlp.apply_lists import Quarantine, apply_csl_download, link_records
from nlp.apply_official import apply_official_notice
from nlp.official import (
    ListPdfError,
    NoticeFormatError,
    NoticeKind,
    OfficialNotice,
    is_official_notice,
    notice_from_list_rows,
    parse_list_pdf,
    parse_notice,
)
from nlp.prose import process_prose
from core.text import TextExtractionError, article_text, document_text
from nlp.watchlist import seed_watchlist

log = logging.getLogger(__name__)


@dataclass
class ProcessStats:
    processed: int = 0
    failed: int = 0
    quarantined: int = 0
    mentions: int = 0
    events: int = 0
    by_language: Counter = field(default_factory=Counter)


def _effective_date(document: Document, notice: OfficialNotice | None) -> tuple[date | None, str]:
    """The day an official document's change takes effect, and which kind of date that is.

    In order: the list PDF's own date; the API's ``effective_on``; the day the notice was filed
    (the day it became public, printed as "Filed ..."; for a document on the public-inspection desk,
    its ``filed_at``); the API's ``signing_date``; the printed "Dated:"; the publication date.
    """
    meta = document.meta or {}
    result = meta.get("result", {})
    if document.doc_type == DocType.PUBLIC_INSPECTION:
        return document.publication_date, "filed_at"
    if document.doc_type == DocType.LIST_PDF and meta.get("list_date"):
        return date.fromisoformat(meta["list_date"]), "list_date"
    printed = notice.dates if notice else {}
    candidates = [
        (result.get("effective_on"), "list_date"),
        (printed.get("filed"), "filed"),
        (result.get("signing_date"), "signing_date"),
        (printed.get("signed"), "signing_date"),
    ]
    for value, kind in candidates:
        if value:
            try:
                return date.fromisoformat(str(value)[:10]), kind
            except ValueError:
                log.warning("document %s: unparseable %s %r", document.external_id, kind, value)
    return document.publication_date, "publication_date"


def process_documents(
    session: Session, settings: Settings | None = None, progress: Callable[[int], None] | None = None
) -> ProcessStats:
    """Process every pending document; a failing document is marked and the rest go on."""
    settings = settings or get_settings()
    stats = ProcessStats()
    seed_watchlist(session, settings.watchlist_path)
    pending = list(queries.pending_documents(session))
    prose: list[tuple[Document, str]] = []
    linker = EntityLinker(queries.entity_names(session))

    officials, screening_lists = [], []
    for document in pending:
        if document.doc_type == DocType.SCREENING_LIST:
            screening_lists.append(document)
            continue
        if document.doc_type == DocType.LIST_PDF:
            effective, date_kind = _effective_date(document, None)
            try:
                rows = parse_list_pdf(document.raw or b"")
            except ListPdfError as exc:
                queries.mark_document_failed(session, document=document, reason=f"list PDF unreadable: {exc}")
                log.error("document %s: list PDF unreadable: %s", document.external_id, exc)
                stats.failed += 1
                continue
            notice = notice_from_list_rows(rows, list_date=effective)
            officials.append((document, notice, "\n".join(r.printed for r in rows), effective, date_kind))
            continue
        try:
            text = (
                article_text(document.raw, document.content_type)
                if document.doc_type == DocType.ARTICLE
                else document_text(document.raw, document.content_type)
            )
        except TextExtractionError as exc:
            queries.mark_document_failed(session, document=document, reason=str(exc))
            stats.failed += 1
            continue
        notice = None
        if document.raw and document.doc_type in OFFICIAL_NOTICE_TYPES and is_official_notice(document.title, text):
            try:
                notice = parse_notice(document.raw, content_type=document.content_type, title=document.title)
            except (
                NoticeFormatError,
                ValueError,
                RecursionError,
            ) as exc:  # a malformed official document must not stop the run
                queries.mark_document_failed(session, document=document, reason=f"official list not parsed: {exc}")
                stats.failed += 1
                continue
            if notice.kind == NoticeKind.UNKNOWN:
                notice = None  # about 1260H but no list notice (e.g. a related rule): read as prose
        if notice is not None:
            effective, date_kind = _effective_date(document, notice)
            notice.list_date = effective
            officials.append((document, notice, text, effective, date_kind))
        else:
            prose.append((document, text))

    # By effective day; on one day the DoD's list PDF (its notes carry former names and parents) before a
    # notice of the same change, then by URL: the result never depends on the order documents were crawled in.
    officials.sort(
        key=lambda item: (
            item[3] or date.max,
            item[0].doc_type != DocType.LIST_PDF,
            item[0].url or "",
            item[0].external_id,
            item[0].version,
        )
    )
    for document, notice, text, effective, date_kind in officials:
        if effective is None:
            queries.mark_document_failed(session, document=document, reason="official notice without any date")
            stats.failed += 1
            continue
        mentions, events, quarantine = apply_official_notice(
            session, document, notice, text, linker, effective, date_kind
        )
        if quarantine:
            session.rollback()
            document = session.get(Document, document.id)
            document.status, document.failure_reason = "quarantined", quarantine
            session.add(document)
            session.commit()
            log.error("document %s quarantined: %s", document.external_id, quarantine)
            stats.quarantined += 1
        else:
            queries.replace_document_analysis(session, document=document, mentions=mentions, events=events)
            linker = EntityLinker(queries.entity_names(session))
            stats.processed += 1
            stats.mentions += len(mentions)
            stats.events += len(events)
        if progress:
            progress(1)

    _apply_screening_lists(session, screening_lists, stats, progress)
    if prose:
        process_prose(session, settings, prose, stats, progress)
    return stats


def _apply_screening_lists(session: Session, documents: list[Document], stats: ProcessStats, progress) -> None:
    """Each pending download of a screening list, oldest first, compared with the last applied one; then
    every source's records resolved against the entities known now (new entities link older records)."""
    sources = {s.id: s.name for s in session.exec(select(Source).where(Source.kind == "screening_list"))}
    for document in documents:
        source = sources.get(document.source_id, "csl")
        try:
            applied = apply_csl_download(session, document, source=source)
        except Quarantine as exc:
            session.rollback()
            document = session.get(Document, document.id)
            document.status, document.failure_reason = DocumentStatus.QUARANTINED, str(exc)[:2000]
            session.add(document)
            session.commit()
            log.error("document %s quarantined: %s", document.external_id, exc)
            stats.quarantined += 1
            continue
        document.status, document.failure_reason = DocumentStatus.PROCESSED, None
        document.processed_at = utcnow()
        session.add(document)
        session.commit()
        log.info(
            "CSL download %s v%d: %d added, %d removed, %d changed",
            document.external_id,
            document.version,
            applied.added,
            applied.removed,
            applied.changed,
        )
        stats.processed += 1
        if progress:
            progress(1)
    for source in sources.values():
        linked = link_records(session, source=source)
        session.commit()
        if linked:
            log.info("%s: %d records linked to entities", source, linked)

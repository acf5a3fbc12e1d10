"""`riskwatch process`: NLP over unprocessed documents, idempotent, failures isolated."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from db import queries
from db.models import Document, Entity, ListingEvent, Mention
from db.settings import Settings, get_settings
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from nlp.linking import EntityLinker
from crawler.parsers.list_pdf import ListPdfError, parse_list_pdf
from nlp.official import OfficialNotice, notice_from_list_rows, parse_official_notice
from nlp.pipeline import build_pipeline
from nlp.text import TextExtractionError, article_text, decode, document_text
from nlp.watchlist import names_from_db, seed_watchlist

log = logging.getLogger(__name__)

MAX_NLP_CHARS = 1_000_000
PUBLIC_INSPECTION = "Public Inspection"
LIST_PDF = "List PDF"
ARTICLE = "Article"
# Federal Register document types whose body may be an official list (the DoD release
# pages only announce a list; the list itself is the PDF).
OFFICIAL_NOTICE_TYPES = {"Notice", "Rule", PUBLIC_INSPECTION}


@dataclass
class ProcessStats:
    processed: int = 0
    failed: int = 0
    quarantined: int = 0
    mentions: int = 0
    events: int = 0
    by_language: Counter = field(default_factory=Counter)


def _list_date(document: Document) -> tuple[date | None, str]:
    result = (document.meta or {}).get("result", {})
    if document.doc_type == PUBLIC_INSPECTION:
        return document.publication_date, "filed_at"
    if document.doc_type == LIST_PDF and (document.meta or {}).get("list_date"):
        return date.fromisoformat(document.meta["list_date"]), "list_date"
    for key, kind in (("effective_on", "list_date"), ("signing_date", "signing_date")):
        if result.get(key):
            try:
                return date.fromisoformat(result[key]), kind
            except ValueError:
                log.warning("document %s: unparseable %s %r", document.external_id, key, result[key])
    return document.publication_date, "publication_date"


def currently_listed(session: Session, *, list_name: str, on: date) -> set[int]:
    """Entity ids whose latest official designation/removal before ``on`` is a designation.

    Strictly before: two official documents of the same day (the DoD list PDF and the
    Federal Register notice) each record the same change, as corroborating evidence.
    """
    rows = session.exec(
        select(ListingEvent)
        .where(ListingEvent.official == True,  # noqa: E712 (SQL expression)
               ListingEvent.list_name == list_name,
               ListingEvent.status.in_(("designated", "removed")),
               ListingEvent.effective_date < on)
        .order_by(ListingEvent.effective_date, ListingEvent.id)
    ).all()
    state: dict[int, str] = {}
    for row in rows:
        state[row.entity_id] = row.status
    return {entity_id for entity_id, status in state.items() if status == "designated"}


def _resolve_entity(session: Session, linker: EntityLinker, name: str, aliases: list[str], source: str,
                    parent: str | None = None) -> Entity:
    """The entity an official list row names. Official names are matched exactly (the
    printed name, or a printed former name/alias that is unambiguous), never normalised
    or fuzzily: "China Telecom Group" and "China Telecom Corporation Limited" are two
    listed companies."""
    canonical = name
    for surface in [name, *aliases]:
        link = linker.link_exact(surface)
        if link is not None:
            canonical = link.entity
            break
        # the linker was built before this document; a name or alias stored since counts too
        known = queries.entity_named(session, name=surface)
        if known is not None:
            canonical = known.name
            break
    entity = queries.upsert_entity(session, name=canonical, aliases=[(a, "list") for a in aliases]
                                   + ([(name, "list")] if canonical != name else []), alias_source=source,
                                   parent=parent, relation="subsidiary" if parent else None)
    return entity


def apply_official_notice(session: Session, document: Document, notice: OfficialNotice, text: str,
                          linker: EntityLinker, effective: date, date_kind: str) -> tuple[list[Mention], list[ListingEvent], str | None]:
    """Mentions and events for an official notice; returns a quarantine reason when implausible."""
    source = f"{notice.list_name} list {effective.isoformat()} ({document.external_id})"
    before = currently_listed(session, list_name=notice.list_name, on=effective)
    if notice.kind == "edition":
        if not notice.listed:
            return [], [], "official edition with zero entity rows (a scanned PDF without a text layer, or a changed layout?)"
        explicit_removals = len(notice.removed)
        if before and len(notice.listed) < (2 / 3) * len(before) and explicit_removals < len(before) - len(notice.listed):
            return [], [], (f"implausible edition: {len(notice.listed)} rows against {len(before)} listed before, "
                            f"with only {explicit_removals} removals stated")
    mentions: list[Mention] = []
    events: list[ListingEvent] = []

    def evidence(entry):
        parent = None
        if entry.parent:
            link = linker.link_exact(entry.parent)
            parent = link.entity if link else entry.parent
        entity = _resolve_entity(session, linker, entry.name, entry.aliases, source, parent)
        start = max(text.find(entry.name), 0)
        mentions.append(Mention(document_id=document.id, entity_id=entity.id, start=start, end=start + len(entry.name),
                                text=entry.name, label="ORG", sentence=entry.printed or entry.name,
                                method="official_list", score=1.0, day=document.publication_date))
        return entity

    # Parents first: a subsidiary printed above its parent's own row still gets its parent link,
    # whatever order the documents were crawled and processed in.
    for entry in [*notice.listed, *notice.removed]:
        if not entry.parent:
            _resolve_entity(session, linker, entry.name, entry.aliases, source)

    if document.doc_type == PUBLIC_INSPECTION:
        return mentions, _public_inspection_events(document, notice, before, evidence, effective), None

    listed_ids = set()
    for entry in notice.listed:
        entity = evidence(entry)
        listed_ids.add(entity.id)
        if entity.id not in before:
            events.append(ListingEvent(entity_id=entity.id, list_name=notice.list_name, status="designated",
                                       effective_date=effective, date_kind=date_kind,
                                       publication_date=document.publication_date, official=True,
                                       evidence_document_id=document.id, sentence=entry.printed or entry.name))
    removed_ids = set()
    for entry in notice.removed:
        entity = evidence(entry)
        removed_ids.add(entity.id)
        if entity.id in before and entity.id not in listed_ids:
            events.append(ListingEvent(entity_id=entity.id, list_name=notice.list_name, status="removed",
                                       effective_date=effective, date_kind=date_kind,
                                       publication_date=document.publication_date, official=True,
                                       evidence_document_id=document.id, sentence=entry.printed or entry.name))
    if notice.kind == "edition":
        for entity_id in sorted(before - listed_ids - removed_ids):
            entity = session.get(Entity, entity_id)
            events.append(ListingEvent(entity_id=entity_id, list_name=notice.list_name, status="removed",
                                       effective_date=effective, date_kind=date_kind,
                                       publication_date=document.publication_date, official=True,
                                       evidence_document_id=document.id,
                                       sentence=f"{entity.name} is not in the {effective.isoformat()} edition"))
    return mentions, events, None


def _public_inspection_events(document: Document, notice: OfficialNotice, before: set[int], evidence,
                              filed: date) -> list[ListingEvent]:
    """A notice on public inspection is not a listing. While on the desk, the companies it
    would add are *proposed*; once it has left the desk without being published, *withdrawn*
    (dated the last day it was seen; the filing date is kept as the publication date)."""
    desk = (document.meta or {}).get("desk") or {}
    if desk.get("status") == "published":
        for entry in notice.listed:
            evidence(entry)
        return []
    withdrawn = desk.get("status") == "withdrawn"
    last_seen = date.fromisoformat(desk["last_seen_on"]) if desk.get("last_seen_on") else filed
    events = []
    for entry in notice.listed:
        entity = evidence(entry)
        if entity.id in before:
            continue
        if withdrawn:
            sentence = (f"{entry.printed or entry.name}: named in notice {document.external_id}, filed for public "
                        f"inspection on {filed.isoformat()}, last seen there on {last_seen.isoformat()}, found "
                        f"withdrawn on {desk.get('resolved_on')} and never published")
        else:
            sentence = (f"{entry.printed or entry.name}: named in notice {document.external_id} on public inspection "
                        f"since {filed.isoformat()} (not yet published; not a listing)")
        events.append(ListingEvent(entity_id=entity.id, list_name=notice.list_name,
                                   status="withdrawn" if withdrawn else "proposed",
                                   effective_date=last_seen if withdrawn else filed,
                                   date_kind="withdrawn_by" if withdrawn else "filed_at",
                                   publication_date=filed, official=True, evidence_document_id=document.id,
                                   sentence=sentence))
    return events


def process_documents(session: Session, settings: Settings | None = None,
                      progress: Callable[[int], None] | None = None) -> ProcessStats:
    """Process every pending document; a failing document is marked and the rest go on."""
    settings = settings or get_settings()
    stats = ProcessStats()
    seed_watchlist(session, settings.watchlist_path)
    pending = list(queries.pending_documents(session))
    prose: list[tuple[Document, str]] = []
    linker = EntityLinker(names_from_db(session))

    officials = []
    for document in pending:
        effective, date_kind = _list_date(document)
        if document.doc_type == LIST_PDF:
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
            raw_text = decode(document.raw or b"", document.content_type)
            text = (article_text(document.raw, document.content_type) if document.doc_type == ARTICLE
                    else document_text(document.raw, document.content_type))
        except TextExtractionError as exc:
            queries.mark_document_failed(session, document=document, reason=str(exc))
            stats.failed += 1
            continue
        notice = None
        if document.raw and document.doc_type in OFFICIAL_NOTICE_TYPES:
            try:
                notice = parse_official_notice(title=document.title, html=raw_text, text=text, list_date=effective)
            except Exception as exc:  # a malformed official document must not stop the run
                queries.mark_document_failed(session, document=document, reason=f"official list not parsed: {exc}")
                stats.failed += 1
                continue
        if notice is not None:
            officials.append((document, notice, text, effective, date_kind))
        else:
            prose.append((document, text))

    officials.sort(key=lambda item: (item[3] or date.max, item[0].id))
    for document, notice, text, effective, date_kind in officials:
        if effective is None:
            queries.mark_document_failed(session, document=document, reason="official notice without any date")
            stats.failed += 1
            continue
        mentions, events, quarantine = apply_official_notice(session, document, notice, text, linker, effective, date_kind)
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
            linker = EntityLinker(names_from_db(session))
            stats.processed += 1
            stats.mentions += len(mentions)
            stats.events += len(events)
        if progress:
            progress(1)

    if prose:
        _process_prose(session, settings, prose, stats, progress)
    return stats


def _process_prose(session: Session, settings: Settings, prose: list[tuple[Document, str]],
                   stats: ProcessStats, progress) -> None:
    names = names_from_db(session)
    linker = EntityLinker(names)
    entity_ids = {entity.name: entity.id for entity in session.exec(select(Entity))}
    by_lang: dict[str, list[tuple[Document, str]]] = {}
    for document, text in prose:
        lang = document.language or detect_language(text)
        if len(text) > MAX_NLP_CHARS:
            log.warning("document %s: %d characters, analysing the first %d", document.external_id, len(text), MAX_NLP_CHARS)
            text = text[:MAX_NLP_CHARS]
        by_lang.setdefault(lang, []).append((document, text))
    for lang, items in by_lang.items():
        nlp = build_pipeline(lang, names, settings,
                             patterns_path=settings.var_dir / "watchlist" / f"patterns-{lang}.jsonl")
        texts = [text for _, text in items]
        docs = nlp.pipe(texts, batch_size=settings.nlp_batch_size)
        for (document, _), spacy_doc in zip(items, docs):
            try:
                hits, sentence_events = analyze_doc(spacy_doc, linker, lang)
                mentions = [
                    Mention(document_id=document.id, entity_id=entity_ids[h.entity], start=h.start, end=h.end,
                            text=h.text, label=h.label, sentence=h.sentence, method=h.method, score=h.score,
                            day=document.publication_date)
                    for h in hits if h.entity in entity_ids
                ]
                events = [
                    ListingEvent(entity_id=entity_ids[e.entity], list_name=e.list_name, status=e.status,
                                 effective_date=e.date or document.publication_date,
                                 date_kind="stated" if e.date else "reported",
                                 publication_date=document.publication_date, official=False,
                                 evidence_document_id=document.id, sentence=e.sentence)
                    for e in sentence_events if e.entity in entity_ids
                ]
                if document.language is None:
                    document.language = lang
                queries.replace_document_analysis(session, document=document, mentions=mentions, events=events)
                stats.processed += 1
                stats.mentions += len(mentions)
                stats.events += len(events)
                stats.by_language[lang] += 1
            except Exception as exc:  # isolate one bad document; the rest of the batch goes on
                log.exception("document %s failed in NLP", document.external_id)
                queries.mark_document_failed(session, document=document, reason=f"NLP failed: {exc}")
                stats.failed += 1
            if progress:
                progress(1)

"""Prose documents (news articles, releases, related rules): the spaCy pipeline per language, in
batches, with mentions, listing events and candidates stored per document; one failing document is
marked and the rest of the batch goes on.

An event of a linked entity becomes a ListingEvent (never official: news is a signal); an event of an
organisation not in the database (``SentenceEvent.linked`` False) becomes a CandidateEvent, shown to the
analyst and never scored or alerted. A news event without a stated date is dated by the document's
publication (``DateKind.REPORTED``): scoring and alerts group such reports into facts."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from core.linking import EntityLinker
from core.settings import Settings
from core.vocabulary import DateKind, DocType, ListName
from db import queries
from db.models import CandidateEvent, Document, Entity, ListingEvent, Mention
from nlp.analysis import analyze_doc
from nlp.events import SentenceEvent
from nlp.language import detect_language
from nlp.pipeline import build_pipeline

log = logging.getLogger(__name__)


def topic_list(document: Document) -> str | None:
    """The list a prose document is about when its text names none: news articles and DoD releases
    come from sources watched for the 1260H list; a Federal Register rule read as prose (an Entity
    List rule, say) names its own list or agency, so it gets no default."""
    if document.doc_type in (DocType.ARTICLE, DocType.DOD_RELEASE):
        return ListName.SECTION_1260H
    return None


def process_prose(
    session: Session, settings: Settings, prose: list[tuple[Document, str]], stats, progress=None
) -> None:
    """Read ``prose`` (document, extracted text) pairs; ``stats`` (a ProcessStats) counts what happened."""
    names = queries.entity_names(session)
    linker = EntityLinker(names)
    entity_ids = {entity.name: entity.id for entity in session.exec(select(Entity))}
    by_lang: dict[str, list[tuple[Document, str]]] = {}
    for document, text in prose:
        lang = document.language or detect_language(text)
        if len(text) > settings.nlp_max_chars:
            log.warning(
                "document %s: %d characters, analysing the first %d",
                document.external_id,
                len(text),
                settings.nlp_max_chars,
            )
            text = text[: settings.nlp_max_chars]
        by_lang.setdefault(lang, []).append((document, text))
    for lang, items in by_lang.items():
        nlp = build_pipeline(
            lang, names, settings, patterns_path=settings.var_dir / "watchlist" / f"patterns-{lang}.jsonl"
        )
        texts = [text for _, text in items]
        docs = nlp.pipe(texts, batch_size=settings.nlp_batch_size)
        for (document, _), spacy_doc in zip(items, docs):
            try:
                hits, sentence_events = analyze_doc(spacy_doc, linker, lang, default_list=topic_list(document))
                mentions = [
                    Mention(
                        document_id=document.id,
                        entity_id=entity_ids[h.entity],
                        start=h.start,
                        end=h.end,
                        text=h.text,
                        label=h.label,
                        sentence=h.sentence,
                        method=h.method,
                        score=h.score,
                        day=document.publication_date,
                    )
                    for h in hits
                    if h.entity in entity_ids
                ]
                events, candidates = _stored_events(document, sentence_events, entity_ids)
                if document.language is None:
                    document.language = lang
                queries.replace_document_analysis(
                    session, document=document, mentions=mentions, events=events, candidates=candidates
                )
                if candidates:
                    log.info(
                        "document %s: %d candidate events (unlinked organisations)",
                        document.external_id,
                        len(candidates),
                    )
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


KNOWN_LISTS = frozenset(ListName)


def _stored_events(
    document: Document, sentence_events: list[SentenceEvent], entity_ids: dict[str, int]
) -> tuple[list[ListingEvent], list[CandidateEvent]]:
    """The rows a document's sentence events become: listing events of linked entities, candidates of
    unlinked organisations."""
    events, candidates = [], []
    for e in sentence_events:
        effective = e.date or document.publication_date
        date_kind = DateKind.STATED if e.date else DateKind.REPORTED
        evidence = list(dict.fromkeys(e.evidence or (e.sentence,)))
        if not e.linked:
            candidates.append(
                CandidateEvent(
                    document_id=document.id,
                    name=e.entity,
                    list_name=e.list_name,
                    status=e.status,
                    effective_date=effective,
                    date_kind=date_kind,
                    publication_date=document.publication_date,
                    sentence=e.sentence,
                    evidence=evidence,
                    cue=e.cue,
                )
            )
        elif e.entity not in entity_ids:
            continue  # linked to a name the database does not hold (a stale linker): nothing to attach it to
        elif e.list_name not in KNOWN_LISTS:
            # the schema holds the lists of core.vocabulary.ListName only; another list is named in the
            # log, never stored as (or counted towards) one of them
            log.warning(
                "document %s: %s %s on %r, a list riskwatch does not know: not stored",
                document.external_id,
                e.entity,
                e.status,
                e.list_name,
            )
        else:
            events.append(
                ListingEvent(
                    entity_id=entity_ids[e.entity],
                    list_name=e.list_name,
                    status=e.status,
                    effective_date=effective,
                    date_kind=date_kind,
                    publication_date=document.publication_date,
                    official=False,
                    evidence_document_id=document.id,
                    sentence=e.sentence,
                    evidence=evidence,
                )
            )
    return events, candidates

"""Prose documents (news articles, releases, related rules): the spaCy pipeline per language, in
batches, with mentions and listing events stored per document; one failing document is marked and
the rest of the batch goes on."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from core.linking import EntityLinker
from core.settings import Settings
from db import queries
from db.models import Document, Entity, ListingEvent, Mention
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from nlp.pipeline import build_pipeline

log = logging.getLogger(__name__)


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
                hits, sentence_events = analyze_doc(spacy_doc, linker, lang)
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
                events = [
                    ListingEvent(
                        entity_id=entity_ids[e.entity],
                        list_name=e.list_name,
                        status=e.status,
                        effective_date=e.date or document.publication_date,
                        date_kind="stated" if e.date else "reported",
                        publication_date=document.publication_date,
                        official=False,
                        evidence_document_id=document.id,
                        sentence=e.sentence,
                    )
                    for e in sentence_events
                    if e.entity in entity_ids
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

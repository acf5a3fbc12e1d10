"""What one processed spaCy Doc says: linked entity mentions, unlinked organisations, and listing events."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc

from core.linking import EntityLinker
from nlp.events import LIST_1260H, CompanyMention, SentenceEvent, extract_events
from nlp.orgs import candidate_spans, is_company_name, known_as

LINKABLE_LABELS = {"ORG", "PRODUCT", "GPE", "NORP", "FAC"}


@dataclass(frozen=True)
class EntityHit:
    text: str
    label: str
    start: int
    end: int
    entity: str | None  # canonical name, None when unlinked
    method: str | None  # ruler | alias | normalized | fuzzy | candidate
    score: float
    sentence: str


def analyze_doc(
    doc: Doc, linker: EntityLinker, lang: str, *, default_list: str | None = LIST_1260H
) -> tuple[list[EntityHit], list[SentenceEvent]]:
    """Entity hits (linked and unlinked) and the document's listing events; events of unlinked
    organisations carry ``linked=False``. ``default_list`` is the list the source is about."""
    hits, companies = company_mentions(doc, linker)
    return hits, extract_events(doc, companies, lang, default_list=default_list)


def _place_after(doc: Doc, ent, places: dict) -> object | None:
    """A place name written right after a company name, as part of it ("SMIC Hong Kong")."""
    if ent.end >= len(doc) or doc[ent.end - 1].whitespace_ == "":
        return None
    return places.get(ent.end)


def company_mentions(doc: Doc, linker: EntityLinker) -> tuple[list[EntityHit], list[CompanyMention]]:
    """Every entity hit, and the companies among them (linked, or unlinked candidates)."""
    hits: list[EntityHit] = []
    companies: list[CompanyMention] = []
    sentences = [(sent.start, sent.end, sent) for sent in doc.sents]
    texts: dict[int, str] = {}

    def sentence_of(start: int) -> str:
        index = bisect.bisect_right(sentences, start, key=lambda s: s[0]) - 1
        if index not in texts:
            texts[index] = sentences[index][2].text.strip()
        return texts[index]

    places = {e.start: e for e in doc.ents if e.label_ in ("GPE", "LOC") and not e.ent_id_}
    for ent in doc.ents:
        if ent.ent_id_:
            entity, method, score = ent.ent_id_, "ruler", 1.0
        elif ent.label_ in LINKABLE_LABELS:
            link = linker.link(ent.text)
            entity, method, score = (link.entity, link.method, link.score) if link else (None, None, 0.0)
        else:
            entity, method, score = None, None, 0.0
        hits.append(
            EntityHit(ent.text, ent.label_, ent.start_char, ent.end_char, entity, method, score, sentence_of(ent.start))
        )
        if entity and (ent.ent_id_ or is_company_name(ent.text)):
            place = _place_after(doc, ent, places)
            if place is not None:  # "SMIC Hong Kong": a subsidiary named by its parent's short name
                longer = doc[ent.start : place.end]
                link = linker.link(longer.text)
                if link is None or link.entity != entity:
                    name = link.entity if link else longer.text
                    companies.append(CompanyMention(ent.start, place.end, name, link is not None, longer.text))
                    continue
            companies.append(CompanyMention(ent.start, ent.end, entity, text=ent.text))
    for span in candidate_spans(doc, [(m.start, m.end) for m in companies]):
        link = linker.link(span.text)
        if link is not None:
            companies.append(CompanyMention(span.start, span.end, link.entity, text=span.text))
            continue
        alias = known_as(span)
        if alias is not None and linker.link(alias) is not None:
            companies.append(CompanyMention(span.start, span.end, linker.link(alias).entity, text=span.text))
            continue
        name = f"{span.text} ({alias})" if alias else span.text
        companies.append(CompanyMention(span.start, span.end, name, linked=False, text=name))
        if not any(h.start == span.start_char and h.end == span.end_char for h in hits):
            hits.append(
                EntityHit(
                    span.text, "ORG", span.start_char, span.end_char, None, "candidate", 0.0, sentence_of(span.start)
                )
            )
    return hits, companies

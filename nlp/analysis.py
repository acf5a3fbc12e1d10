"""What one processed spaCy Doc says: linked entity mentions and listing events."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.events import SentenceEvent, extract_events
from core.linking import EntityLinker

LINKABLE_LABELS = {"ORG", "PRODUCT", "GPE", "NORP", "FAC"}


@dataclass(frozen=True)
class EntityHit:
    text: str
    label: str
    start: int
    end: int
    entity: str | None  # canonical name, None when unlinked
    method: str | None  # ruler | alias | normalized | fuzzy
    score: float
    sentence: str


def analyze_doc(doc: Doc, linker: EntityLinker, lang: str) -> tuple[list[EntityHit], list[SentenceEvent]]:
    hits: list[EntityHit] = []
    per_sentence: dict[int, list[str]] = {}
    for ent in doc.ents:
        if ent.ent_id_:
            entity, method, score = ent.ent_id_, "ruler", 1.0
        elif ent.label_ in LINKABLE_LABELS:
            link = linker.link(ent.text)
            entity, method, score = (link.entity, link.method, link.score) if link else (None, None, 0.0)
        else:
            entity, method, score = None, None, 0.0
        sentence = ent.sent
        hits.append(
            EntityHit(ent.text, ent.label_, ent.start_char, ent.end_char, entity, method, score, sentence.text.strip())
        )
        if entity:
            # the entity with its offset in the sentence, so it takes its own clause's status
            per_sentence.setdefault(sentence.start, []).append((entity, ent.start_char - sentence.start_char))
    sentences = [(sent.text, per_sentence.get(sent.start, [])) for sent in doc.sents]
    return hits, extract_events(sentences, lang)

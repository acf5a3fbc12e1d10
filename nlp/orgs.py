"""Organisations the database does not know: candidates for a listing event, never scored.

English: the statistical NER's ORG and PRODUCT spans, and PERSON/GPE spans enumerated together
with companies ("DeepSeek, Xiaomi and BOE" where the model reads "Xiaomi" as a person). Every
language: capitalised word runs that end in a company word ("Shennan Circuit", "Tiandy
Technologies", "General Atomics Aeronautical Systems") or are written in camel case
("DeepSeek", "LeiShen"). Governments, agencies, courts, parliaments, armed forces, news outlets,
exchanges and laws are never candidates (data/nlp/cues.json, not_companies).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from nlp.events import has_parse
from nlp.lexicon import lexicon, not_company_words

COMPANY_WORDS = {
    "technology", "technologies", "tech", "robotics", "semiconductor", "semiconductors", "group", "holdings",
    "holding", "co", "co.", "ltd", "ltd.", "limited", "inc", "inc.", "corp", "corp.", "corporation", "company",
    "electronics", "microelectronics", "circuit", "circuits", "capital", "motors", "automotive", "pharma",
    "pharmaceutical", "pharmaceuticals", "ag", "gmbh", "se", "plc", "llc", "systems", "networks",
    "communications", "telecom", "aerospace", "industries", "industry", "intelligent", "innovation",
    "innovations", "instruments", "energy", "battery", "biotech", "apptec", "genomics", "shipping",
    "wireless", "software", "materials", "equipment", "microsystems", "optoelectronics", "aviation",
}  # fmt: skip
_CAMEL = re.compile(r"^[A-Z][a-z]+[A-Z][A-Za-z]*$")
_NAME_TOKEN = re.compile(r"^[A-Z0-9][\w&.\-]*$")
_ENUMERATION_DEPS = {"conj", "appos"}


_CONNECTORS = {"of", "and", "&", "de", "für", "und", "the", "for"}


def is_company_name(name: str) -> bool:
    """False for names of governments, agencies, courts, outlets, laws and places, and for text
    that is not a name at all ("Limited", "HK:0700)—previously")."""
    words, exact = not_company_words()
    cleaned = name.strip().strip("'\"“”„‘’").lower()
    if len(cleaned) < 3 or cleaned in exact or cleaned.startswith("the ") and cleaned[4:] in exact:
        return False
    alphabetic = [w for w in re.findall(r"[^\W\d_]+", name) if w.lower() not in _CONNECTORS]
    if not alphabetic or any(w[0].islower() for w in alphabetic):
        return False
    if all(w.lower() in COMPANY_WORDS or w.lower() + "." in COMPANY_WORDS for w in alphabetic):
        return False  # a legal form or a company word alone
    return words.search(cleaned) is None


def _clean(span: Span) -> Span | None:
    doc = span.doc
    start, end = span.start, span.end
    while start < end and (doc[start].lower_ in {"the", "der", "die", "das", "den", "dem"} or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in {"'s", "’s"}):
        end -= 1
    return doc[start:end] if end > start else None


def rule_spans(doc: Doc) -> list[Span]:
    """Capitalised runs ending in a company word, and camel-case names."""
    spans = []
    tokens = list(doc)
    position = 0
    capitalised = [t.text[:1].isupper() or t.text[:1].isdigit() for t in tokens]
    while position < len(tokens):
        token = tokens[position]
        if not capitalised[position] or not _NAME_TOKEN.match(token.text) or token.lower_ in {"the", "die", "der"}:
            position += 1
            continue
        end = position
        while end < len(tokens) and capitalised[end] and _NAME_TOKEN.match(tokens[end].text):
            end += 1
        run = tokens[position:end]
        words = [t.text.lower().rstrip(".") for t in run]
        company_end = max(
            (k for k, w in enumerate(words) if w in COMPANY_WORDS or w + "." in COMPANY_WORDS), default=-1
        )
        if company_end > 0:
            spans.append(doc[run[0].i : run[company_end].i + 1])
        else:
            spans += [doc[t.i : t.i + 1] for t in run if _CAMEL.match(t.text)]
        position = end
    return spans


DESCRIPTORS = (
    "hersteller", "herstellers", "konzern", "konzerns", "riese", "riesen", "unternehmen", "unternehmens",
    "anbieter", "anbieters", "ausrüster", "ausrüsters", "gigant", "giganten", "firma", "industrie",
    "entwickler", "entwicklers", "betreiber", "betreibers", "zulieferer", "zulieferers",
)  # fmt: skip


def described_spans(doc: Doc) -> list[Span]:
    """German: the name after a company descriptor ("der Flugzeughersteller Comac", "den
    Technologiekonzern Tencent"); there is no German NER here."""
    spans = []
    for token in doc[:-1]:
        if not token.lower_.endswith(DESCRIPTORS) or not token.text[:1].isupper():
            continue
        start = end = token.i + 1
        while end < len(doc) and _NAME_TOKEN.match(doc[end].text) and doc[end].text[:1].isupper():
            end += 1
        if end < len(doc) and doc[end].text == "-":
            continue  # "Automobil-Lidar-Hersteller": part of a compound noun
        if end > start and end - start <= 4:
            spans.append(doc[start:end])
    return spans


def candidate_spans(doc: Doc, taken: list[tuple[int, int]]) -> list[Span]:
    """Unlinked organisation spans of ``doc`` not overlapping ``taken`` token ranges (the companies
    the database knows)."""
    found: list[Span] = []
    occupied = {i for a, b in taken for i in range(a, b)}

    def free(span: Span) -> bool:
        return not any(i in occupied for i in range(span.start, span.end))

    company_tokens = {i for a, b in taken for i in range(a, b)}
    for ent in doc.ents:
        if ent.ent_id_:
            continue
        keep = ent.label_ in ("ORG", "PRODUCT")
        if not keep and ent.label_ in ("PERSON", "GPE", "NORP") and has_parse(doc):
            # a name enumerated with companies is a company ("DeepSeek, Xiaomi and BOE")
            root = ent.root
            neighbours = {root.head.i, *(c.i for c in root.children if c.dep_ in _ENUMERATION_DEPS)}
            keep = root.dep_ in _ENUMERATION_DEPS and bool(neighbours & company_tokens)
            keep = keep or any(c.dep_ in _ENUMERATION_DEPS and c.i in company_tokens for c in root.children)
        if keep:
            span = _clean(ent)
            if span is not None and free(span) and is_company_name(span.text):
                found.append(span)
                company_tokens.update(range(span.start, span.end))
                occupied.update(range(span.start, span.end))
    german = doc.lang_ == "de"
    # a statistical NER (English) labels organisations itself; the rules stand in where there is none
    statistical = any(not ent.ent_id_ for ent in doc.ents)
    ruled = [] if statistical else rule_spans(doc)
    for span in ruled + enumerated_spans(doc, company_tokens) + (described_spans(doc) if german else []):
        span = _clean(span)
        if span is not None and free(span) and is_company_name(span.text):
            found.append(span)
            company_tokens.update(range(span.start, span.end))
            occupied.update(range(span.start, span.end))
    return sorted((s for s in found if not _ticker_or_list(s)), key=lambda s: s.start)


def _ticker_or_list(span: Span) -> bool:
    """A stock ticker ("Nasdaq: HSAI", "HK:0700") or a list's own name ("CMC") is no company."""
    doc = span.doc
    before = doc[max(0, span.start - 3) : span.start].text.lower()
    if (
        span.start > 0
        and doc[span.start - 1].text == ":"
        or any(x in before for x in ("nasdaq", "nyse", "hkex", "otc"))
    ):
        return True
    return any(True for _ in lexicon(doc.lang_ if doc.lang_ in ("en", "de") else "en").lists.finditer(span.text))


def enumerated_spans(doc: Doc, company_tokens: set[int]) -> list[Span]:
    """English: proper nouns enumerated together with companies ("list Deepseek, Gotion, Unitree")."""
    if not has_parse(doc) or not company_tokens:
        return []
    spans = []
    frontier = [doc[i] for i in company_tokens]
    seen = set(company_tokens)
    while frontier:
        token = frontier.pop()
        neighbours = [c for c in token.children if c.dep_ == "conj"]
        if token.dep_ == "conj":
            neighbours.append(token.head)
        for other in neighbours:
            if other.i in seen:
                continue
            seen.add(other.i)
            frontier.append(other)
            if other.pos_ == "PROPN" and other.text[:1].isupper():
                left = min([other.i] + [c.i for c in other.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"])
                spans.append(doc[left : other.i + 1])
    return spans


def known_as(span: Span) -> str | None:
    """The alias the text gives right after a name: "China Overseas Shipping, known as COSCO", "... (COSCO)"."""
    doc = span.doc
    i = span.end
    words = [t.lower_ for t in doc[i : i + 4]]
    if words[:1] == ["("] and i + 2 < len(doc) and doc[i + 2].text == ")" and doc[i + 1].text[:1].isupper():
        return doc[i + 1].text
    for skip in (["known", "as"], [",", "known", "as"], [",", "also", "known", "as"]):
        if words[: len(skip)] == skip:
            j = i + len(skip)
            end = j
            while end < len(doc) and doc[end].text[:1].isupper():
                end += 1
            return doc[j:end].text if end > j else None
    return None

"""The status line: "is my counterparty listed, since when, and on whose word?" in one sentence.

One wording for every place an analyst or a message reads it (the Company header, the leaderboard,
screening, ``riskwatch history``, Slack), built from ``core.listing_state`` (the one listing-state
function) and the parent/subsidiary links. The day is always an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import load_only
from sqlmodel import Session, select

from core.listing_state import ListState, listing_states
from core.vocabulary import DocType, ListingStatus
from db.models import Document, Entity, ListingEvent
from db.queries import document_outlet


_FR_CITATION = re.compile(r"\b(\d{1,3}) FR (\d{1,6})\b")


class Tone:
    """How a status reads (and which colour the dashboard gives it); one per kind of status."""

    LISTED = "listed"  # red
    RELATED = "related"  # amber: not listed itself, a parent or subsidiary is
    PROPOSED = "proposed"  # orange
    WITHDRAWN = "withdrawn"  # grey: named in a notice that was withdrawn, never published
    REMOVED = "removed"  # blue: was listed, officially removed
    CLEAR = "clear"  # green: nothing on any list


# Most severe first: the headline of an entity with several lists is its most severe state.
SEVERITY = (Tone.LISTED, Tone.RELATED, Tone.PROPOSED, Tone.WITHDRAWN, Tone.REMOVED, Tone.CLEAR)
_TONE_OF = {
    ListingStatus.DESIGNATED: Tone.LISTED,
    ListingStatus.PROPOSED: Tone.PROPOSED,
    ListingStatus.WITHDRAWN: Tone.WITHDRAWN,
    ListingStatus.REMOVED: Tone.REMOVED,
}


@dataclass(frozen=True)
class Evidence:
    """One document behind a status: a readable label and its link."""

    label: str
    url: str | None


@dataclass(frozen=True)
class StatusLine:
    entity: str
    tone: str  # a Tone
    text: str  # the one sentence, plain text (escape it before rendering as markdown)
    since: date | None
    list_name: str | None
    evidence: tuple[Evidence, ...] = ()
    states: dict = field(default_factory=dict, compare=False)  # list name -> ListState (own lists)

    @property
    def listed(self) -> bool:
        return self.tone == Tone.LISTED

    def as_dict(self) -> dict:
        return {
            "status": self.tone,
            "text": self.text,
            "since": self.since.isoformat() if self.since else None,
            "list": self.list_name,
            "evidence": [{"label": e.label, "url": e.url} for e in self.evidence],
            "lists": {
                name: {"status": s.status, "since": s.since.isoformat(), "official": s.official}
                for name, s in sorted(self.states.items())
            },
        }


def evidence_label(document: Document, event: ListingEvent) -> str:
    """'DoD list of 2026-06-08', 'Federal Register 2026-06-10', 'public inspection 2026-02-13', 'Reuters 2025-11-20'."""
    published = document.publication_date or event.publication_date
    day = published.isoformat() if published else "undated"
    if document.doc_type == DocType.LIST_PDF:
        listed = event.effective_date or published
        return f"DoD list of {listed.isoformat() if listed else 'unknown date'}"
    if document.doc_type == DocType.PUBLIC_INSPECTION:
        return f"Federal Register public inspection {day}"
    if document.doc_type == DocType.DOD_RELEASE:
        return f"DoD release {day}"
    if document.doc_type == DocType.ARTICLE:
        return f"{document_outlet(document) or 'news'} {day}"
    if document.doc_type == DocType.SCREENING_LIST:
        citations = _FR_CITATION.findall(event.sentence or "")
        cited = f" ({', '.join(f'{v} FR {p}' for v, p in citations)})" if citations else ""
        return f"Consolidated Screening List download of {day}{cited}"
    return f"Federal Register {day}"


def _events_by_entity(session: Session, entity_ids: list[int]) -> dict[int, list[tuple[ListingEvent, Document]]]:
    rows = session.exec(
        select(ListingEvent, Document)
        .join(Document, Document.id == ListingEvent.evidence_document_id)
        .where(ListingEvent.entity_id.in_(entity_ids))
        .options(
            load_only(
                Document.id,
                Document.doc_type,
                Document.url,
                Document.publication_date,
                Document.title,
                Document.external_id,
                Document.meta,
            )
        )
        .order_by(ListingEvent.effective_date, ListingEvent.official.desc(), ListingEvent.id)
    ).all()
    grouped: dict[int, list[tuple[ListingEvent, Document]]] = {}
    for event, document in rows:
        grouped.setdefault(event.entity_id, []).append((event, document))
    return grouped


def _states(rows: list[tuple[ListingEvent, Document]], on: date) -> dict[str, ListState]:
    return listing_states([event for event, _ in rows], on=on)


def _evidence(state: ListState, documents: dict[int, Document]) -> tuple[Evidence, ...]:
    seen, out = set(), []
    for event in state.evidence:
        document = documents[event.evidence_document_id]
        label = evidence_label(document, event)
        if label not in seen:
            seen.add(label)
            out.append(Evidence(label, document.url))
    return tuple(out)


def _own_sentence(state: ListState, evidence: tuple[Evidence, ...]) -> str:
    since = state.since.isoformat()
    sources = "; ".join(e.label for e in evidence)
    if state.status == ListingStatus.DESIGNATED:
        return f"LISTED on {state.list_name} since {since}" + (f" — {sources}" if sources else "")
    if state.status == ListingStatus.REMOVED:
        return f"REMOVED from {state.list_name} on {since}, not listed now" + (f" — {sources}" if sources else "")
    if state.status == ListingStatus.WITHDRAWN:
        return f"Not listed — named for {state.list_name} in a notice withdrawn on {since}, never published" + (
            f" — {sources}" if sources else ""
        )
    basis = "official" if state.official else "news reports only"
    return f"PROPOSED for {state.list_name} since {since} ({basis}), not listed" + (f" — {sources}" if sources else "")


def status_lines(session: Session, entities: list[Entity], *, on: date) -> dict[int, StatusLine]:
    """The status line of each entity on ``on`` (one query for them, their parents and subsidiaries)."""
    if not entities:
        return {}
    ids = [e.id for e in entities]
    parents = {e.parent_id for e in entities if e.parent_id}
    children = session.exec(select(Entity).where(Entity.parent_id.in_(ids))).all()
    related = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_(parents)))} if parents else {}
    related.update({c.id: c for c in children})
    rows = _events_by_entity(session, list({*ids, *related}))
    documents = {d.id: d for group in rows.values() for _, d in group}
    children_of: dict[int, list[Entity]] = {}
    for child in children:
        children_of.setdefault(child.parent_id, []).append(child)
    lines = {}
    for entity in entities:
        states = _states(rows.get(entity.id, []), on)
        lines[entity.id] = _line(entity, states, documents, on, rows, related, children_of.get(entity.id, []))
    return lines


def _line(entity, states, documents, on, rows, related, children) -> StatusLine:
    own = sorted(states.values(), key=lambda s: (SEVERITY.index(_TONE_OF[s.status]), s.list_name))
    listed = [s for s in own if s.listed]
    if listed:
        parts = [(s, _evidence(s, documents)) for s in listed]
        text = " · ".join(_own_sentence(s, ev) for s, ev in parts)
        first = parts[0]
        return StatusLine(entity.name, Tone.LISTED, text, first[0].since, first[0].list_name, first[1], states)
    # not listed itself: a listed parent, else a listed subsidiary, says more than an old proposal
    kin = ([("parent", related[entity.parent_id])] if entity.parent_id in related else []) + [
        ("subsidiary", child) for child in sorted(children, key=lambda c: c.name)
    ]
    for relation, other in kin:
        other_states = [s for s in _states(rows.get(other.id, []), on).values() if s.listed]
        if other_states:
            state = sorted(other_states, key=lambda s: (s.since, s.list_name))[0]
            text = (
                f"Not listed itself — {relation} {other.name} listed on {state.list_name} "
                f"since {state.since.isoformat()}"
            )
            if own:
                text += " · own status: " + _own_sentence(own[0], _evidence(own[0], documents))
            return StatusLine(
                entity.name, Tone.RELATED, text, state.since, state.list_name, _evidence(state, documents), states
            )
    if own:
        state = own[0]
        evidence = _evidence(state, documents)
        text = " · ".join(_own_sentence(s, _evidence(s, documents)) for s in own)
        return StatusLine(entity.name, _TONE_OF[state.status], text, state.since, state.list_name, evidence, states)
    return StatusLine(
        entity.name, Tone.CLEAR, f"Not listed on any list riskwatch follows, as of {on.isoformat()}", None, None
    )


def status_line(session: Session, entity: Entity, *, on: date) -> StatusLine:
    """One entity's status line on ``on``."""
    return status_lines(session, [entity], on=on)[entity.id]


def list_implication(list_name: str, state: ListState, dates: dict | None = None) -> tuple[str, str]:
    """What the entity's state on a list means for a US person or exporter, with the dates that apply,
    and the legal basis (data/lists.toml). ``dates``: a list record's own dates (NS-CMIC: effective,
    divestment), which take precedence over the rule's days after the listing."""
    from datetime import timedelta

    from core.lists import all_list_rules

    rules = all_list_rules().get(list_name)
    if rules is None:
        return "not described in data/lists.toml", ""
    if not state.listed:
        return f"no listing in force ({state.status} on {state.since.isoformat()})", rules.implies_source
    text = rules.implies or "listed"
    dates = dates or {}
    if rules.prohibited_after_days is not None:
        start = dates.get("effective") or (state.since + timedelta(days=rules.prohibited_after_days)).isoformat()
        text += f"; in force from {start}"
        if rules.divestment_until_days is not None:
            until = dates.get("divestment") or (state.since + timedelta(days=rules.divestment_until_days)).isoformat()
            text += f", selling to divest allowed until {until}"
    else:
        text += f"; since {state.since.isoformat()}"
    return text, rules.implies_source


def alert_headline(kind: str, payload: dict) -> str:
    """An alert's one-line text, as Slack's header and the Alerts page show it."""
    severity = {"watch": "WATCH", "score_jump": "SCORE"}.get(kind, "LISTING")
    return (
        f"{severity}: {payload['entity']} {payload.get('status')} on {payload.get('list', 'exposure')}"
        f" ({payload.get('effective_date')})"
    )

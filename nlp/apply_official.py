"""What an official notice changes: listing events from an edition, an interim notice, a removal
notice, a list PDF, or a notice waiting on the public-inspection desk.

An edition is the whole list: what it no longer names is removed. An interim notice adds (or a
removal notice removes) only the companies it names. A notice on public inspection is not a
listing: the companies it would add are *proposed* while it waits, *withdrawn* when it leaves
the desk unpublished or the Federal Register's note says the agency asked to withdraw it.
"""

from __future__ import annotations

import re

from datetime import date, timedelta

from rapidfuzz.distance import Levenshtein
from sqlmodel import Session, select

from db import queries
from db.models import Document, Entity, ListingEvent, Mention
from core.vocabulary import DocType
from core.linking import EntityLinker
from core.listing_state import listed_lists
from core.normalize import printed_key
from nlp.official import ListedName, NoticeKind, OfficialNotice
from core.lists import list_rules
from nlp.public_inspection import MAX_EVIDENCE_CHARS, public_inspection_events


def currently_listed(session: Session, *, list_name: str, on: date) -> set[int]:
    """Entity ids whose latest official designation/removal before ``on`` is a designation.

    Strictly before: two official documents of the same day (the DoD list PDF and the
    Federal Register notice) each record the same change, as corroborating evidence.
    """
    rows = session.exec(
        select(ListingEvent)
        .where(
            ListingEvent.official == True,  # noqa: E712 (SQL expression)
            ListingEvent.list_name == list_name,
            ListingEvent.status.in_(("designated", "removed")),
            ListingEvent.effective_date < on,
        )
        .order_by(ListingEvent.effective_date, ListingEvent.id)
    ).all()
    by_entity: dict[int, list[ListingEvent]] = {}
    for row in rows:
        by_entity.setdefault(row.entity_id, []).append(row)
    day_before = on - timedelta(days=1)
    return {entity_id for entity_id, events in by_entity.items() if list_name in listed_lists(events, on=day_before)}


def resolve_entity(
    session: Session, linker: EntityLinker, name: str, aliases: list[str], source: str, parent: str | None = None
) -> Entity:
    """The entity an official list row names. Official names are matched as printed (or as another
    printing of the same words: punctuation, case and legal-form spelling aside), or by a printed
    former name/short name that is unambiguous, never by meaning: "China Telecom Group" and
    "China Telecom Corporation Limited" are two listed companies. A subsidiary also matches a
    sibling under the same parent whose printed name differs by a letter (a misprint)."""
    canonical = name
    for surface in [name, *aliases]:
        link = linker.link_printed(surface)
        if link is not None:
            canonical = link.entity
            break
        # the linker was built before this document; a name or alias stored since counts too
        known = queries.entity_named(session, name=surface)
        if known is not None:
            canonical = known.name
            break
    else:
        if parent and (sibling := _misprinted_sibling(session, name, parent)) is not None:
            canonical = sibling.name
    return queries.upsert_entity(
        session,
        name=canonical,
        aliases=[(a, "list") for a in aliases] + ([(name, "list")] if canonical != name else []),
        alias_source=source,
        parent=parent,
        relation="subsidiary" if parent else None,
    )


def _misprinted_sibling(session: Session, name: str, parent: str) -> Entity | None:
    """The one subsidiary of the same parent whose printed name differs from ``name`` by a single letter
    ("Addisino" / "Addsino"); numbers must agree ("Institute 32" is not "Institute 33")."""
    parent_entity = queries.entity_named(session, name=parent)
    if parent_entity is None:
        return None
    key = printed_key(name)
    if len(key) < 8:
        return None
    digits = re.sub(r"\D", "", key)
    siblings = session.exec(select(Entity).where(Entity.parent_id == parent_entity.id)).all()
    close = [
        s
        for s in siblings
        if Levenshtein.distance(key, other := printed_key(s.name)) <= 1 and re.sub(r"\D", "", other) == digits
    ]
    return close[0] if len(close) == 1 else None


def implausible(notice: OfficialNotice, listed_before: int) -> str | None:
    """Why this notice must not be applied (its shape, or counts outside the list's bounds), or None."""
    if notice.problem:
        return notice.problem
    rules = list_rules(notice.list_name)
    count = len(notice.listed)
    if notice.kind == NoticeKind.EDITION:
        if not count:
            return "official edition with zero entity rows (a scanned PDF without a text layer, or a changed layout?)"
        if not rules.edition_min_entities <= count <= rules.edition_max_entities:
            return (
                f"implausible edition: {count} entities, outside the {rules.edition_min_entities}–"
                f"{rules.edition_max_entities} expected for the {notice.list_name} list (data/lists.toml)"
            )
        shrink = listed_before - count
        if (
            listed_before
            and count < rules.edition_min_share_of_previous * listed_before
            and len(notice.removed) < shrink
        ):
            return (
                f"implausible edition: {count} rows against {listed_before} listed before, "
                f"with only {len(notice.removed)} removals stated"
            )
    if notice.kind == NoticeKind.INTERIM and count > rules.interim_max_entities:
        return (
            f"implausible interim notice: {count} entities named, more than the "
            f"{rules.interim_max_entities} an interim notice names (data/lists.toml); an edition titled in the singular?"
        )
    return None


def _evidence(entry: ListedName) -> str:
    """The printed heading with the basis printed under it: what an auditor reads as 'why'."""
    text = entry.printed or entry.name
    if entry.parent:
        text += f" (named as a subsidiary of {entry.parent})"
    if entry.basis:
        text += " — " + " ".join(entry.basis)
    return text[:MAX_EVIDENCE_CHARS]


def apply_official_notice(
    session: Session,
    document: Document,
    notice: OfficialNotice,
    text: str,
    linker: EntityLinker,
    effective: date,
    date_kind: str,
) -> tuple[list[Mention], list[ListingEvent], str | None]:
    """Mentions and events for an official notice; returns a quarantine reason when implausible."""
    source = f"{notice.list_name} list {effective.isoformat()} ({document.external_id})"
    before = currently_listed(session, list_name=notice.list_name, on=effective)
    on_desk = document.doc_type == DocType.PUBLIC_INSPECTION
    reason = implausible(notice, len(before))
    if reason:
        return [], [], reason
    mentions: list[Mention] = []
    events: list[ListingEvent] = []

    def mention(entry: ListedName) -> Entity:
        parent = None
        if entry.parent:
            link = linker.link_exact(entry.parent)
            parent = link.entity if link else entry.parent
        entity = resolve_entity(session, linker, entry.name, entry.aliases, source, parent)
        start = max(text.find(entry.name), 0)
        mentions.append(
            Mention(
                document_id=document.id,
                entity_id=entity.id,
                start=start,
                end=start + len(entry.name),
                text=entry.name,
                label="ORG",
                sentence=entry.printed or entry.name,
                method="official_list",
                score=1.0,
                day=document.publication_date,
            )
        )
        return entity

    def event(entity_id: int, status: str, sentence: str) -> ListingEvent:
        return ListingEvent(
            entity_id=entity_id,
            list_name=notice.list_name,
            status=status,
            effective_date=effective,
            date_kind=date_kind,
            publication_date=document.publication_date,
            official=True,
            evidence_document_id=document.id,
            sentence=sentence,
        )

    # Parents first: a subsidiary printed above its parent's own row still gets its parent link,
    # whatever order the documents were crawled and processed in.
    for entry in [*notice.listed, *notice.removed]:
        if not entry.parent:
            resolve_entity(session, linker, entry.name, entry.aliases, source)

    if on_desk:
        return mentions, public_inspection_events(document, notice, before, mention, effective), None

    listed_ids = set()
    for entry in notice.listed:
        entity = mention(entry)
        listed_ids.add(entity.id)
        if entity.id not in before:
            events.append(event(entity.id, "designated", _evidence(entry)))
    removed_ids = set()
    for entry in notice.removed:
        entity = mention(entry)
        removed_ids.add(entity.id)
        if entity.id in before and entity.id not in listed_ids:
            events.append(event(entity.id, "removed", _evidence(entry)))
    if notice.kind == NoticeKind.EDITION:
        for entity_id in sorted(before - listed_ids - removed_ids):
            entity = session.get(Entity, entity_id)
            events.append(event(entity_id, "removed", f"{entity.name} is not in the {effective.isoformat()} edition"))
    return mentions, events, None

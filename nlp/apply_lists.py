"""What a download of the Consolidated Screening List changes: its records, the per-list change log,
and the listing events of the companies it names.

A download is compared with the last applied one of its source (the present ``ListRecord`` rows): new
records are additions, missing ones removals, others changes. A download that cannot be trusted (not
readable, changed shape, a list outside its bounds or shrunk implausibly, data/lists.toml) is
quarantined with the reason and changes nothing: no record is removed because a file was cut short.

Records are then resolved against the entities riskwatch knows (``resolve``): a link is made only on a
printed name or alias that identifies one entity, explained by its method and score; near matches are
kept as candidates for review, never merged. A linked company's listing becomes official ListingEvents
(designated on the record's own date, removed on the day it left the list), on the download as
evidence, so the one listing-state function, scoring, alerts and every page see every list.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import fuzz, process
from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from core.dates import find_dates
from core.lists import all_list_rules
from core.normalize import normalize_name, printed_key
from core.vocabulary import DateKind, ListingStatus, ListName
from db import queries
from db.models import Document, Entity, ListChange, ListingEvent, ListRecord
from nlp.official.csl import CslDiff, CslFormatError, CslRecord, CslSnapshot, diff, parse_csl

log = logging.getLogger(__name__)

SCORED_PARTY = "entity"  # individuals, vessels and aircraft are kept and screened, never linked or scored
FUZZY_REVIEW = 88.0  # a near match at or above this (0-100) is a candidate for review, never a link
CANDIDATES_KEPT = 3


class Quarantine(Exception):
    """The download must not be applied; the message is the reason."""


@dataclass
class ApplyStats:
    added: int = 0
    removed: int = 0
    changed: int = 0
    linked: int = 0
    events: int = 0
    counts: dict = field(default_factory=dict)


def listing_day(record: CslRecord, downloaded: date) -> tuple[date, str]:
    """The day a record's listing is dated by, and the kind of that date: the record's own start date,
    else the NS-CMIC listing date, else the date printed in its Federal Register citation, else the day
    riskwatch first saw it."""
    if record.start_date:
        return record.start_date, DateKind.START_DATE
    if record.dates.get("listing"):
        return date.fromisoformat(record.dates["listing"]), DateKind.LISTING_DATE
    printed = [d for d in find_dates(_us_dates(record.federal_register_notice or "")) if d <= downloaded]
    if printed:
        return printed[0], DateKind.PUBLICATION_DATE
    return downloaded, DateKind.FIRST_SEEN


def _us_dates(text: str) -> str:
    """'82 F.R. 48792 10/01/2017' -> '... 2017-10-01' (the citations print US month/day/year)."""
    import re

    def iso(match: re.Match) -> str:
        month, day, year = int(match[1]), int(match[2]), int(match[3])
        year += 2000 if year < 50 else 1900 if year < 100 else 0
        return f"{year:04d}-{month:02d}-{day:02d}"

    return re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b", iso, text)


def implausible(snapshot: CslSnapshot, before: dict[str, int], rules_by_list: dict | None = None) -> str | None:
    """Why the download must not be applied, by the count bounds of data/lists.toml, or None."""
    problems = []
    for name, rules in (rules_by_list or all_list_rules()).items():
        if not rules.csl_source:
            continue
        count, previous = snapshot.counts.get(name, 0), before.get(name, 0)
        if not count and not previous:
            continue  # a list this source never held (the NS-CMIC list before 2021)
        if not rules.csl_min_records <= count <= rules.csl_max_records:
            problems.append(
                f"{name}: {count:,} records, outside the {rules.csl_min_records:,}–{rules.csl_max_records:,} expected"
            )
        elif previous and count < rules.csl_min_share_of_previous * previous:
            problems.append(
                f"{name}: {count:,} records against {previous:,} in the last applied download "
                f"(below {rules.csl_min_share_of_previous:.0%} of it)"
            )
    if problems:
        return "implausible download (data/lists.toml): " + "; ".join(problems)
    return None


def _present(session: Session, source: str) -> list[ListRecord]:
    return list(session.exec(select(ListRecord).where(ListRecord.source == source, ListRecord.present == True)))  # noqa: E712


def _record_values(record: CslRecord) -> dict:
    """The ListRecord columns a downloaded record sets (the rest is riskwatch's bookkeeping)."""
    return {
        "list_name": record.list_name,
        "record_id": record.record_id,
        "entity_number": record.entity_number,
        "party_type": record.party_type,
        "name": record.name,
        "alt_names": record.alt_names,
        "countries": record.countries,
        "programs": record.programs,
        "federal_register_notice": record.federal_register_notice,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "dates": record.dates,
        "remarks": record.remarks,
        "source_list_url": record.source_list_url,
        "source_information_url": record.source_information_url,
        "record_hash": record.record_hash,
        "record": record.raw,
    }


def _fill(row: ListRecord, record: CslRecord) -> None:
    for name, value in _record_values(record).items():
        setattr(row, name, value)


def _change(row: ListRecord, document: Document, change: str, day: date | None, kind: str, fields=()) -> ListChange:
    return ListChange(
        list_record_id=row.id,
        document_id=document.id,
        list_name=row.list_name,
        change=change,
        day=day,
        date_kind=kind,
        fields=list(fields),
    )


def apply_csl_download(
    session: Session, document: Document, *, source: str, rules_by_list: dict | None = None
) -> ApplyStats:
    """Apply one download (not committed: the caller commits, or rolls back on Quarantine).
    ``rules_by_list``: the lists' bounds (default: data/lists.toml)."""
    downloaded = document.publication_date or document.fetched_at.date()
    try:
        snapshot = parse_csl(document.raw or b"", downloaded=downloaded)
    except CslFormatError as exc:
        raise Quarantine(f"Consolidated Screening List not applied: {exc}") from None
    present = _present(session, source)
    before: dict[str, int] = {}
    for row in present:
        before[row.list_name] = before.get(row.list_name, 0) + 1
    reason = implausible(snapshot, before, rules_by_list)
    if reason:
        raise Quarantine(reason)
    rows = {(r.list_name, r.record_id): r for r in present}
    changes: CslDiff = diff({k: (r.record_hash, printed_key(r.name)) for k, r in rows.items()}, snapshot)
    stats = ApplyStats(counts=dict(snapshot.counts))
    known = {
        (r.list_name, r.record_id): r
        for r in session.exec(select(ListRecord).where(ListRecord.source == source, ListRecord.present == False))  # noqa: E712
    }  # records that left the list: one that comes back is listed again
    fresh, changes_added = [], []
    for record in changes.added:
        day, kind = listing_day(record, downloaded)
        row = known.get(record.key)
        if row is not None:
            _fill(row, record)
            row.removed_on, row.removed_document_id = None, None
            row.first_seen_document_id = row.last_seen_document_id = document.id
            row.present, row.listed_on, row.date_kind, row.linked_against = True, day, kind, ""
            session.add(row)
        else:  # thousands on a first download: Core inserts (ORM objects cost milliseconds each)
            fresh.append(_row_values(record, source=source, document_id=document.id, day=day, kind=kind))
        changes_added.append((record.key, day, kind))
    if fresh:
        session.connection().execute(ListRecord.__table__.insert(), fresh)
    session.flush()
    ids = {
        (list_name, record_id): rid
        for rid, list_name, record_id in session.exec(
            select(ListRecord.id, ListRecord.list_name, ListRecord.record_id).where(
                ListRecord.source == source, ListRecord.first_seen_document_id == document.id
            )
        )
    }
    if changes_added:
        session.connection().execute(
            ListChange.__table__.insert(),
            [
                {
                    "list_record_id": ids[key],
                    "document_id": document.id,
                    "list_name": key[0],
                    "change": "added",
                    "day": day,
                    "date_kind": kind,
                    "fields": [],
                }
                for key, day, kind in changes_added
            ],
        )
    stats.added = len(changes_added)
    for record, old_key in changes.changed:
        row = rows[old_key]
        fields = sorted(k for k in set(row.record) | set(record.raw) if row.record.get(k) != record.raw.get(k))
        _fill(row, record)
        row.last_seen_document_id = document.id
        if set(fields) & {"name", "alt_names"}:
            row.linked_against = ""
        session.add(row)
        session.add(_change(row, document, "changed", downloaded, DateKind.FIRST_SEEN, fields))
        stats.changed += 1
    for key in changes.removed:
        row = rows[key]
        day, kind = (
            (row.end_date, DateKind.END_DATE)
            if row.end_date and row.end_date <= downloaded
            else (downloaded, DateKind.FIRST_SEEN)
        )
        row.present, row.removed_on, row.removed_document_id = False, day, document.id
        session.add(row)
        session.add(_change(row, document, "removed", day, kind))
        stats.removed += 1
    session.flush()
    session.exec(
        update(ListRecord)
        .where(ListRecord.source == source, ListRecord.present == True)  # noqa: E712
        .values(last_seen_document_id=document.id)
    )
    document.meta = {
        **(document.meta or {}),
        "csl": {**snapshot.audit(), "added": stats.added, "removed": stats.removed, "changed": stats.changed},
    }
    if snapshot.unknown_fields or snapshot.unknown_lists:
        log.warning(
            "CSL download %s: unknown fields %s, unknown lists %s (audited, kept)",
            document.external_id,
            dict(snapshot.unknown_fields),
            dict(snapshot.unknown_lists),
        )
    return stats


def _row_values(record: CslRecord, *, source: str, document_id: int, day: date, kind: str) -> dict:
    """A new ListRecord's column values (for a Core insert)."""
    return {
        **_record_values(record),
        "source": source,
        "listed_on": day,
        "date_kind": kind,
        "first_seen_document_id": document_id,
        "last_seen_document_id": document_id,
        "present": True,
        "removed_on": None,
        "removed_document_id": None,
        "entity_id": None,
        "link_method": None,
        "link_score": None,
        "link_note": None,
        "candidates": [],
        "linked_against": "",
    }


# --- resolution: records -> entities, explained ---


@dataclass(frozen=True)
class Link:
    entity_id: int | None
    method: str | None
    score: float | None
    note: str
    candidates: list[dict]


class EntityIndex:
    """The known entities' names and aliases, keyed the ways a list record can name them."""

    def __init__(self, entities: list[tuple[Entity, list]]):
        self.names = {e.id: e.name for e, _ in entities}
        self.canonical: dict[str, set[int]] = {}  # printed keys of canonical names only
        self.printed: dict[str, set[int]] = {}
        self.normalised: dict[str, set[int]] = {}
        surfaces = []
        for entity, aliases in entities:
            self.canonical.setdefault(printed_key(entity.name), set()).add(entity.id)
            for surface in [entity.name, *(a.alias for a in aliases)]:
                self.printed.setdefault(printed_key(surface), set()).add(entity.id)
                self.normalised.setdefault(normalize_name(surface), set()).add(entity.id)
                surfaces.append((normalize_name(surface), entity.id))
        self.choices = [s for s, _ in surfaces]
        self.owners = [i for _, i in surfaces]
        digest = hashlib.sha256()
        for surface, entity_id in sorted(surfaces, key=lambda p: (p[1], p[0])):
            digest.update(f"{entity_id}\t{surface}\n".encode())
        self.fingerprint = digest.hexdigest()[:16]

    def near_matches(self, names: list[str], block: int = 2000) -> list[list[tuple[int, float]]]:
        """Per name, the surfaces (position, score 0-100) at or above the review threshold, best first:
        ``rapidfuzz.process.cdist`` in blocks on every core (thousands of records on a first download)."""
        import numpy as np

        keys = [normalize_name(n) for n in names]
        out: list[list[tuple[int, float]]] = [[] for _ in names]
        if not self.choices:
            return out
        for start in range(0, len(keys), block):
            scores = process.cdist(
                keys[start : start + block],
                self.choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=FUZZY_REVIEW,
                dtype=np.uint8,
                workers=-1,
            )
            for row, col in zip(*np.nonzero(scores)):
                out[start + int(row)].append((int(col), float(scores[row, col])))
        return [sorted(found, key=lambda pair: (-pair[1], pair[0]))[:8] for found in out]

    def resolve(self, name: str, alt_names: list[str], linked_to: list[str] = (), near=None) -> Link:
        """The entity a record names, how, and the near matches for review (``near``: this name's
        ``near_matches``, when computed for many records at once)."""
        for method, key, index, score in (
            ("official name", printed_key, self.canonical, 1.0),  # an entity's own name before any alias
            ("printed name", printed_key, self.printed, 1.0),
            ("normalised name", normalize_name, self.normalised, 0.95),
        ):
            for surface, which in [(name, "name")] + [(a, "alternate name") for a in alt_names]:
                owners = index.get(key(surface), set())
                if len(owners) == 1:
                    (owner,) = owners
                    return Link(
                        owner,
                        method if which == "name" else f"{method} (alternate)",
                        score if which == "name" else round(score - 0.02, 2),
                        f"the record's {which} {surface!r} is, as {method}, a name of {self.names[owner]!r}",
                        [],
                    )
                if len(owners) > 1:
                    return Link(
                        None,
                        None,
                        None,
                        f"{which} {surface!r} names several entities: not linked, for review",
                        [{"entity": self.names[o], "score": score, "why": f"same {method}"} for o in sorted(owners)],
                    )
        candidates = []
        if near is None:
            near = self.near_matches([name])[0]
        if self.choices:
            for position, score in near:
                entity = self.names[self.owners[position]]
                if all(c["entity"] != entity for c in candidates):
                    candidates.append({"entity": entity, "score": round(score / 100, 3), "why": "similar name"})
        for parent in linked_to:
            owners = self.printed.get(printed_key(parent)) or self.normalised.get(normalize_name(parent)) or set()
            for owner in sorted(owners):
                candidates.append(
                    {"entity": self.names[owner], "score": None, "why": f"the list says: linked to {parent}"}
                )
        note = "no entity with this name or alias" + (", near matches kept for review" if candidates else "")
        return Link(None, None, None, note, candidates[: CANDIDATES_KEPT + len(linked_to)])


def link_records(session: Session, *, source: str, max_passes: int = 3) -> int:
    """Resolve every record of ``source`` not yet resolved against the current entities, and bring the
    linked companies' listing events up to date. A linked record's names become aliases of its entity
    (source: the list), so the same company's record on another list, printed differently there, links
    on the next pass (the NS-CMIC record "SZ DJI Technology" naming DJI links the Entity List's entry of
    that name). Returns the number of records newly linked."""
    linked = 0
    columns = (
        ListRecord.id,
        ListRecord.list_name,
        ListRecord.record_id,
        ListRecord.party_type,
        ListRecord.name,
        ListRecord.alt_names,
        ListRecord.remarks,
    )
    table = ListRecord.__table__
    for _ in range(max_passes):
        index = EntityIndex(queries.all_entities_with_aliases(session))
        # only the columns resolution reads (not the records as downloaded), written back with Core updates
        todo = session.exec(
            select(*columns).where(
                ListRecord.source == source,
                ListRecord.entity_id == None,  # noqa: E711
                ListRecord.linked_against != index.fingerprint,
            )
        ).all()
        companies = [row for row in todo if row.party_type == SCORED_PARTY]
        near = dict(zip((row.id for row in companies), index.near_matches([row.name for row in companies])))
        updates, now_linked = [], []
        for row in todo:
            values = {"rid": row.id, "linked_against": index.fingerprint}
            if row.party_type != SCORED_PARTY:
                values.update(
                    entity_id=None,
                    link_method=None,
                    link_score=None,
                    link_note=f"a {row.party_type}: kept and screened, not linked to companies",
                    candidates=[],
                )
            else:
                link = index.resolve(row.name, row.alt_names or [], _linked_to(row.remarks), near=near.get(row.id))
                values.update(
                    entity_id=link.entity_id,
                    link_method=link.method,
                    link_score=link.score,
                    link_note=link.note,
                    candidates=link.candidates,
                )
                if link.entity_id is not None:
                    now_linked.append((row, link.entity_id))
            updates.append(values)
        if updates:
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("rid"))
                .values(
                    {
                        name: bindparam(name)
                        for name in (
                            "linked_against",
                            "entity_id",
                            "link_method",
                            "link_score",
                            "link_note",
                            "candidates",
                        )
                    }
                ),
                updates,
            )
        for row, entity_id in now_linked:
            entity = session.get(Entity, entity_id)
            queries.upsert_entity(
                session,
                name=entity.name,
                aliases=[(n, "list") for n in [row.name, *(row.alt_names or [])] if n != entity.name],
                alias_source=f"CSL {row.list_name} record {row.record_id}",
            )
        session.flush()
        linked += len(now_linked)
        if not now_linked:
            break
    session.expire_all()  # the Core updates are not in the identity map
    sync_listing_events(session, source=source)
    return linked


def _linked_to(remarks: str | None) -> list[str]:
    """OFAC's "(Linked To: X)" remarks: the related parties a record names."""
    import re

    return [m.strip() for m in re.findall(r"Linked To:\s*([^)]+)", remarks or "", flags=re.I)]


def _evidence_line(row: ListRecord, status: str) -> str:
    rules = all_list_rules().get(row.list_name)
    title = rules.title if rules else row.list_name
    citation = f"; {row.federal_register_notice}" if row.federal_register_notice else ""
    if status == ListingStatus.REMOVED:
        return f"{title}: {row.name} (CSL record {row.record_id}) no longer listed from {row.removed_on}"
    return f"{title}: {row.name} (CSL record {row.record_id}); listed {row.listed_on} ({row.date_kind}){citation}"


def sync_listing_events(session: Session, *, source: str) -> int:
    """The official ListingEvents of the linked records of ``source``, made to match the records: a
    designation per record on its listing day (evidence: the download that first held it), and, once no
    record of that company remains on that list, a removal on the day the last one left. Idempotent."""
    rows = session.exec(
        select(ListRecord).where(ListRecord.source == source, ListRecord.entity_id != None)  # noqa: E711
    ).all()
    groups: dict[tuple[int, str], list[ListRecord]] = {}
    for row in rows:
        if row.list_name in set(ListName):
            groups.setdefault((row.entity_id, row.list_name), []).append(row)
    documents = {}
    created = 0
    for (entity_id, list_name), members in groups.items():
        wanted = []
        for row in members:
            wanted.append((ListingStatus.DESIGNATED, row.listed_on, row.date_kind, row.first_seen_document_id, row))
        if not any(r.present for r in members):
            last = max(members, key=lambda r: (r.removed_on or date.min, r.id))
            wanted.append((ListingStatus.REMOVED, last.removed_on, DateKind.FIRST_SEEN, last.removed_document_id, last))
        for status, day, kind, document_id, row in wanted:
            if day is None or document_id is None:
                continue
            existing = session.exec(
                select(ListingEvent).where(
                    ListingEvent.entity_id == entity_id,
                    ListingEvent.list_name == list_name,
                    ListingEvent.status == status,
                    ListingEvent.effective_date == day,
                    ListingEvent.evidence_document_id == document_id,
                )
            ).first()
            if existing is not None:
                continue
            if document_id not in documents:
                documents[document_id] = session.get(Document, document_id)
            line = _evidence_line(row, status)
            session.add(
                ListingEvent(
                    entity_id=entity_id,
                    list_name=list_name,
                    status=status,
                    effective_date=day,
                    date_kind=kind
                    if status == ListingStatus.DESIGNATED
                    else (DateKind.END_DATE if row.end_date and row.end_date == day else DateKind.FIRST_SEEN),
                    publication_date=documents[document_id].publication_date,
                    official=True,
                    evidence_document_id=document_id,
                    sentence=line,
                    evidence=[line],
                    created_at=datetime.now().astimezone(),
                )
            )
            created += 1
    session.flush()
    return created

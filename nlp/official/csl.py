"""The Consolidated Screening List (CSL) of the International Trade Administration, read strictly.

The publisher rebuilds one file every hour (``consolidated.json`` on data.trade.gov): an object whose
``results`` hold one record per listed party and per list, merged from the Commerce (BIS), State and
Treasury lists. Every record names its list in ``source`` (the publisher's label, mapped to riskwatch's
list names in data/lists.toml). There are no deltas: what changed is found by comparing two downloads
(``diff``). What the real file shows, and what is read from it:

* top level: ``results`` (the records), often ``total``, ``sources_used`` (per list, when the publisher
  last imported it) and ``search_performed_at``; a ``total`` that disagrees with the records is a
  partial download;
* a record: ``id`` (OFAC's entity number for Treasury lists, a hex hash for the others), ``source``,
  ``type`` ("Entity", "Individual", "Vessel", "Aircraft", or absent for BIS and State records), ``name``,
  ``alt_names`` (a list, or null), ``addresses`` (objects with ``address``, ``city``, ``state``,
  ``postal_code``, ``country``), ``programs``, ``federal_register_notice`` (the citation as the list
  prints it: "76 FR 71867", "82 F.R. 48792 10/01/2017", "Vol. 59, No. 44, 03/07/1994"), ``start_date``
  and ``end_date`` (ISO dates, or null), ``remarks`` (OFAC's "(Linked To: ...)" names a related party),
  ``ids`` (OFAC's identifiers: objects with ``type`` and ``number``; the NS-CMIC list's dates are
  identifiers such as type "Listing Date (CMIC)", number "03 Jun 2021"), and the URLs of the list.

Unknown fields are audited (counted, reported with the download), never fatal; a record without a name,
a list or an id, or a download that is not the expected JSON, is a ``CslFormatError``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from core.lists import csl_list_names

TOP_LEVEL_FIELDS = frozenset({"results", "total", "offset", "sources_used", "search_performed_at", "sources"})
RECORD_FIELDS = frozenset(
    {
        "id",
        "_id",
        "source",
        "entity_number",
        "type",
        "programs",
        "name",
        "title",
        "addresses",
        "federal_register_notice",
        "start_date",
        "end_date",
        "standard_order",
        "license_requirement",
        "license_policy",
        "call_sign",
        "vessel_type",
        "gross_tonnage",
        "gross_registered_tonnage",
        "vessel_flag",
        "vessel_owner",
        "remarks",
        "source_list_url",
        "source_information_url",
        "alt_names",
        "citizenships",
        "dates_of_birth",
        "nationalities",
        "places_of_birth",
        "ids",
        "country",
    }
)
PARTY_TYPES = {"entity": "entity", "individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
# OFAC identifiers that are dates of a listing (the NS-CMIC list), by the key riskwatch stores them under
ID_DATES = {
    "listing date (cmic)": "listing",
    "effective date (cmic)": "effective",
    "purchase/sales for divestment date (cmic)": "divestment",
}
_LINKED_TO = re.compile(r"Linked To:\s*([^)]+?)\s*(?:\)|$)", re.I)
_FR_CITATION = re.compile(r"\b(\d{1,3})\s*F\.?\s?R\.?\s*(\d{1,6})\b")
_ID_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%Y")
MAX_BAD_SHARE = 0.01  # more records than this without a name, a list or an id: the shape changed


class CslFormatError(ValueError):
    """The download is not a readable Consolidated Screening List (truncated, malformed, changed shape)."""


@dataclass(slots=True)
class CslRecord:
    list_name: str  # riskwatch's list name (data/lists.toml), else the publisher's label
    record_id: str
    name: str
    party_type: str
    alt_names: list[str]
    countries: list[str]
    programs: list[str]
    federal_register_notice: str | None
    start_date: date | None
    end_date: date | None
    dates: dict[str, str]  # typed dates from OFAC's identifiers (ISO), e.g. {"listing": "2021-06-03"}
    remarks: str | None
    linked_to: list[str]
    entity_number: str | None
    source_list_url: str | None
    source_information_url: str | None
    license_requirement: str | None
    license_policy: str | None
    record_hash: str
    raw: dict

    @property
    def key(self) -> tuple[str, str]:
        return (self.list_name, self.record_id)

    @property
    def fr_citations(self) -> list[str]:
        """The Federal Register citations the record prints, normalised ("84 FR 22961")."""
        return [f"{vol} FR {page}" for vol, page in _FR_CITATION.findall(self.federal_register_notice or "")]


@dataclass
class CslSnapshot:
    records: list[CslRecord]
    counts: Counter  # records per list
    unknown_fields: Counter = field(default_factory=Counter)  # audited, not fatal
    unknown_lists: Counter = field(default_factory=Counter)  # labels data/lists.toml does not describe
    notes: list[str] = field(default_factory=list)  # unreadable values, ignored with a note
    sources_used: dict[str, str] = field(default_factory=dict)  # list -> when the publisher last imported it

    def audit(self) -> dict:
        """What the download holds beyond the expected shape (stored with the document)."""
        return {
            "records": len(self.records),
            "counts": dict(sorted(self.counts.items())),
            "unknown_fields": dict(self.unknown_fields.most_common()),
            "unknown_lists": dict(self.unknown_lists.most_common()),
            "notes": self.notes[:50],
            "notes_total": len(self.notes),
        }


def _text(value) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _strings(value) -> list[str]:
    """A list of strings from a list, a "; "-joined string, or null."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, list):
        return [s for s in (_text(v) for v in value) if s]
    return []


def _objects(value) -> list[dict]:
    """The objects of a list field (addresses, ids); anything else is no objects."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _iso_day(value, what: str, notes: list[str], *, latest: date | None) -> date | None:
    text = _text(value)
    if text is None:
        return None
    for fmt in _ID_DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if latest is not None and day > latest:
            notes.append(f"{what}: {text!r} lies after the download ({latest}); ignored")
            return None
        return day
    notes.append(f"{what}: unknown date format {text!r}; ignored")
    return None


def record_hash(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parse_csl(body: bytes, *, downloaded: date | None = None) -> CslSnapshot:
    """Every record of a CSL download. ``downloaded`` (the day of the download) bounds the dates a
    record may carry: a later one is a typo of the publisher (one real record says 3033), ignored.
    Raises CslFormatError with the reason for a download that must not be applied."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CslFormatError(f"not UTF-8 at byte {exc.start}: {exc.reason}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CslFormatError(
            f"malformed or truncated JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}; {len(body):,} bytes)"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        shape = type(data).__name__ if not isinstance(data, dict) else "keys " + ", ".join(sorted(data)[:10])
        raise CslFormatError(f"changed shape: expected an object with a 'results' list, got {shape}")
    results = data["results"]
    total = data.get("total")
    if isinstance(total, int) and total != len(results):
        raise CslFormatError(f"partial download: 'total' says {total:,} records, the file holds {len(results):,}")
    labels = csl_list_names()
    snapshot = CslSnapshot(records=[], counts=Counter())
    snapshot.unknown_fields.update(f"(top level) {k}" for k in data if k not in TOP_LEVEL_FIELDS)
    for used in data.get("sources_used") or []:
        if isinstance(used, dict) and _text(used.get("source")):
            label = used["source"]
            snapshot.sources_used[labels.get(label, label)] = _text(used.get("source_last_updated")) or ""
    bad: Counter = Counter()
    seen: set[tuple[str, str]] = set()
    notes = snapshot.notes
    for index, item in enumerate(results):
        if not isinstance(item, dict):
            bad["not an object"] += 1
            continue
        label, name = _text(item.get("source")), _text(item.get("name"))
        record_id = _text(item.get("id")) or _text(item.get("_id"))
        if label is None or name is None or record_id is None:
            bad[
                "without " + "/".join(k for k, v in (("source", label), ("name", name), ("id", record_id)) if not v)
            ] += 1
            snapshot.unknown_fields.update(k for k in item if k not in RECORD_FIELDS)
            continue
        snapshot.unknown_fields.update(k for k in item if k not in RECORD_FIELDS)
        list_name = labels.get(label)
        if list_name is None:
            list_name = label
            snapshot.unknown_lists[label] += 1
        key = (list_name, record_id)
        if key in seen:
            notes.append(f"record {record_id} of {list_name} appears twice; the second is ignored")
            continue
        seen.add(key)
        what = f"record {record_id} ({list_name})"
        dates = {}
        for ident in _objects(item.get("ids")):
            if kind := ID_DATES.get((_text(ident.get("type")) or "").lower()):
                day = _iso_day(ident.get("number"), f"{what} {ident.get('type')}", notes, latest=None)
                if day:
                    dates[kind] = day.isoformat()
        countries = [c for c in (_text(a.get("country")) for a in _objects(item.get("addresses"))) if c]
        if _text(item.get("country")):
            countries.append(_text(item.get("country")))
        remarks = _text(item.get("remarks"))
        snapshot.records.append(
            CslRecord(
                list_name=list_name,
                record_id=record_id,
                name=name,
                party_type=PARTY_TYPES.get(
                    (_text(item.get("type")) or "").lower(), "entity" if not item.get("type") else "unknown"
                ),
                alt_names=[a for a in _strings(item.get("alt_names")) if a != name],
                countries=list(dict.fromkeys(countries)),
                programs=_strings(item.get("programs")),
                federal_register_notice=_text(item.get("federal_register_notice")),
                start_date=_iso_day(item.get("start_date"), f"{what} start_date", notes, latest=downloaded),
                end_date=_iso_day(item.get("end_date"), f"{what} end_date", notes, latest=None),
                dates=dates,
                remarks=remarks,
                linked_to=[m.strip() for m in _LINKED_TO.findall(remarks or "")],
                entity_number=_text(item.get("entity_number")),
                source_list_url=_text(item.get("source_list_url")),
                source_information_url=_text(item.get("source_information_url")),
                license_requirement=_text(item.get("license_requirement")),
                license_policy=_text(item.get("license_policy")),
                record_hash=record_hash(item),
                raw=item,
            )
        )
        snapshot.counts[list_name] += 1
    rejected = sum(bad.values())
    if results and rejected > MAX_BAD_SHARE * len(results):
        unknown = ", ".join(k for k, _ in snapshot.unknown_fields.most_common(5)) or "none"
        raise CslFormatError(
            f"changed shape: {rejected:,} of {len(results):,} records unreadable ("
            + "; ".join(f"{n:,} {why}" for why, n in bad.most_common())
            + f"); unknown fields: {unknown}"
        )
    if rejected:
        notes.append(f"{rejected} records unreadable and skipped: " + "; ".join(f"{n} {w}" for w, n in bad.items()))
    return snapshot


@dataclass
class CslDiff:
    added: list[CslRecord]
    removed: list[tuple[str, str]]  # keys of records no longer in the download
    changed: list[tuple[CslRecord, tuple[str, str]]]  # (record, the key it had before: an id can change)


def diff(previous: dict[tuple[str, str], tuple[str, str]], snapshot: CslSnapshot) -> CslDiff:
    """What changed since the last applied download. ``previous`` maps each present record's key to
    (its hash, its printed-name key). A record whose id changed but whose list and name did not is a
    change of that record, not a removal and an addition (the BIS ids are hashes of the entry)."""
    from core.normalize import printed_key

    added, changed = [], []
    current = {r.key for r in snapshot.records}
    gone = {key: value for key, value in previous.items() if key not in current}
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, (_, name_key) in gone.items():
        by_name.setdefault((key[0], name_key), []).append(key)
    for record in snapshot.records:
        before = previous.get(record.key)
        if before is None:
            moved = by_name.get((record.list_name, printed_key(record.name)))
            if moved:
                old = moved.pop(0)
                del gone[old]
                changed.append((record, old))
            else:
                added.append(record)
        elif before[0] != record.record_hash:
            changed.append((record, record.key))
    return CslDiff(added=added, removed=sorted(gone), changed=changed)

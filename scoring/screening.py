"""Counterparty screening: match a list of names against the database's entities, with the
same linking as the NLP, and report listing status and exposure."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date

from urllib.parse import quote

from sqlmodel import Session, select

from db.models import Entity, ExposureScore
from scoring.list_screening import ListIndex
from scoring.names import DEFAULT_THRESHOLD, NameResolver
from scoring.status import status_lines

NAME_COLUMNS = ("name", "counterparty", "company", "entity", "legal_name")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ScreeningInputError(ValueError):
    """The uploaded list cannot be screened (no name column, not CSV, ...)."""


@dataclass
class ScreeningResult:
    row: int
    input_name: str
    country: str | None
    matched_entity: str | None
    match_method: str | None
    match_score: float | None  # None when nothing matched (the closest candidate has its own score)
    status: str  # a scoring.status.Tone ("no match" when unmatched)
    status_line: str
    since: str | None
    lists: str
    listed: bool
    exposure: float | None
    exposure_day: str | None
    closest_candidate: str | None
    closest_score: float | None
    company_page: str | None
    list_hit_count: int = 0  # hits on the list records (every list of the Consolidated Screening List)
    list_hits: str = ""  # each hit in one line: "Entity List: NAME (method score, since DAY)"
    hits: list = None  # the hits as objects (JSON); a JSON string in the CSV


def read_counterparties(data: bytes) -> list[dict[str, str]]:
    """Rows of a CSV upload with a name column (name, counterparty, company, entity or legal_name)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ScreeningInputError(f"the file is not readable as CSV (header row: {exc})") from exc
    if not fieldnames:
        raise ScreeningInputError("the file is empty or has no header row")
    columns = {c.strip().lower(): c for c in reader.fieldnames if c}
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    if name_column is None:
        raise ScreeningInputError(
            f"no name column: expected one of {', '.join(NAME_COLUMNS)}; found {', '.join(reader.fieldnames)}"
        )
    rows = []
    try:
        for row in reader:
            name = (row.get(name_column) or "").strip()
            country = next(
                (row[columns[c]] for c in ("country", "country_code") if c in columns and row.get(columns[c])), None
            )
            rows.append({"name": name, "country": (country or "").strip() or None})
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ScreeningInputError(f"the file is not readable as CSV (line {reader.line_num}: {exc})") from exc
    return rows


def screen(
    session: Session,
    rows: list[dict[str, str]],
    *,
    on: date,
    fuzzy_threshold: float = DEFAULT_THRESHOLD,
    dashboard_url: str = "",
) -> list[ScreeningResult]:
    """Best match per row (``scoring.names``: exact alias, legal-form normalisation, the listed parent
    before its subsidiaries, then fuzzy), with the status line on ``on`` and the latest exposure; below
    the threshold the closest candidate and its score, for review."""
    resolver = NameResolver.from_session(session, threshold=fuzzy_threshold)
    resolutions = resolver.resolve_many([row["name"] for row in rows])
    matched_names = {r.entity for r in resolutions if r.entity}
    entities = {e.name: e for e in session.exec(select(Entity).where(Entity.name.in_(matched_names)))}
    lines = status_lines(session, list(entities.values()), on=on)
    list_hits = ListIndex.from_session(session).screen(
        [row["name"] for row in rows],
        entity_ids=[entities[r.entity].id if r.entity in entities else None for r in resolutions],
    )
    results = []
    for number, (row, resolution, found) in enumerate(zip(rows, resolutions, list_hits), 1):
        entity = entities.get(resolution.entity) if resolution.entity else None
        closest = resolution.candidates[0] if resolution.candidates else (None, None)
        common = {
            "row": number,
            "input_name": row["name"],
            "country": row.get("country"),
            "list_hit_count": len(found),
            "list_hits": "; ".join(hit.text for hit in found),
            "hits": [hit.as_dict() for hit in found],
        }
        if entity is None:
            results.append(
                ScreeningResult(
                    **common, matched_entity=None, match_method=None, match_score=None,
                    status="list hit" if found else "no match",
                    status_line=(
                        f"no company riskwatch follows named {row['name']!r}; on "
                        + ", ".join(sorted({h.list_name for h in found}))
                        + " (see the hits)"
                        if found
                        else f"no company named {row['name']!r}"
                    ),
                    since=None, lists=", ".join(sorted({h.list_name for h in found})), listed=bool(found),
                    exposure=None, exposure_day=None, closest_candidate=closest[0], closest_score=closest[1],
                    company_page=None,
                )
            )  # fmt: skip
            continue
        line = lines[entity.id]
        latest = session.exec(
            select(ExposureScore)
            .where(ExposureScore.entity_id == entity.id, ExposureScore.day <= on)
            .order_by(ExposureScore.day.desc())
        ).first()
        lists = ", ".join(
            sorted({name for name, state in line.states.items() if state.listed} | {h.list_name for h in found})
        )
        results.append(
            ScreeningResult(
                **common, matched_entity=entity.name, match_method=resolution.method, match_score=resolution.score,
                status=line.tone, status_line=line.text, since=line.since.isoformat() if line.since else None,
                lists=lists, listed=line.listed, exposure=round(latest.score, 1) if latest else None,
                exposure_day=latest.day.isoformat() if latest else None, closest_candidate=None, closest_score=None,
                company_page=company_link(dashboard_url, entity.name),
            )
        )  # fmt: skip
    return results


def company_link(base_url: str, name: str) -> str:
    """The Company page of an entity (``?entity=`` deep link, shareable)."""
    return f"{base_url.rstrip('/')}/company?entity={quote(name)}"


def safe_cell(value) -> object:
    """A CSV cell that spreadsheet software will not run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def results_csv(results: list[ScreeningResult]) -> str:
    """The results as CSV, protected against formula injection."""
    out = io.StringIO()
    fields = list(ScreeningResult.__dataclass_fields__)
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for result in results:
        row = asdict(result)
        row["hits"] = json.dumps(row["hits"] or [], ensure_ascii=False)
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()

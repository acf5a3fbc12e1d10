"""Counterparty screening: match a list of names against the database's entities, with the
same linking as the NLP, and report listing status and exposure."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date

from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from db.models import Entity, ExposureScore
from db import queries
from core.linking import EntityLinker
from core.normalize import normalize_name
from scoring.timeline import entity_history

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
    match_score: float
    listed: bool
    lists: str
    exposure: float | None
    exposure_day: str | None


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
    session: Session, rows: list[dict[str, str]], *, on: date | None = None, fuzzy_threshold: float = 85.0
) -> list[ScreeningResult]:
    """Best match per row (exact alias, legal-form normalisation, then fuzzy), with status and exposure."""
    on = on or date.today()
    names = queries.entity_names(session)
    linker = EntityLinker(names, fuzzy_threshold=fuzzy_threshold)
    keys = {normalize_name(n): n for n in names}
    entities = {e.name: e for e in session.exec(select(Entity))}
    results = []
    for number, row in enumerate(rows, 1):
        name = row["name"]
        link = linker.link(name) if name else None
        method, score, matched = (link.method, link.score, link.entity) if link else (None, 0.0, None)
        if link is None and name:  # report the closest name below the threshold, unmatched
            best = process.extractOne(normalize_name(name), list(keys), scorer=fuzz.ratio)
            score = round(best[1] / 100, 3) if best else 0.0
        entity = entities.get(matched) if matched else None
        listed, lists, exposure, exposure_day = False, "", None, None
        if entity is not None:
            day = on.isoformat()
            intervals = entity_history(session, entity, on=on)["intervals"]
            lists = ", ".join(
                name
                for name, spans in intervals.items()
                if any(s["start"] <= day and (s["end"] is None or day < s["end"]) for s in spans)
            )
            listed = bool(lists)
            latest = session.exec(
                select(ExposureScore)
                .where(ExposureScore.entity_id == entity.id, ExposureScore.day <= on)
                .order_by(ExposureScore.day.desc())
            ).first()
            if latest is not None:
                exposure, exposure_day = latest.score, latest.day.isoformat()
        results.append(
            ScreeningResult(
                number, name, row.get("country"), matched, method, score, listed, lists, exposure, exposure_day
            )
        )
    return results


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
        writer.writerow({k: safe_cell(v) for k, v in asdict(result).items()})
    return out.getvalue()

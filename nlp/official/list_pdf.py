"""The DoD 1260H list PDF -> rows (entity name, notes/aliases, statutory basis), with pdfplumber."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

_ROW_NUMBER = re.compile(r"^\d{1,4}\.?$")


class ListPdfError(ValueError):
    """The PDF cannot be read as a list (truncated, encrypted, not a PDF)."""


@dataclass
class ListRow:
    number: int | None
    name: str
    notes: str = ""
    statutory_basis: list[str] = field(default_factory=list)

    @property
    def printed(self) -> str:
        return f"{self.name} ({self.notes})" if self.notes else self.name


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _columns(header: list[str]) -> dict[str, int]:
    lowered = [h.lower() for h in header]
    columns = {}
    for index, title in enumerate(lowered):
        if "entity" in title or "name" in title or "company" in title:
            columns.setdefault("name", index)
        elif "note" in title or "alias" in title or "also known" in title:
            columns.setdefault("notes", index)
        elif "basis" in title or "statut" in title:
            columns.setdefault("basis", index)
        elif title in ("no.", "no", "#", "number"):
            columns.setdefault("number", index)
    return columns


def parse_list_pdf(data: bytes) -> list[ListRow]:
    """Every table row of the list, in order. Raises ListPdfError for an unreadable PDF;
    returns [] for a PDF without a table (for example a scan without a text layer)."""
    if not data.startswith(b"%PDF"):
        raise ListPdfError("not a PDF (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        # pdfminer would happily read the pages that survived: a partial list must not pass for a whole one
        raise ListPdfError(f"truncated PDF: no %%EOF marker at the end of {len(data)} bytes")
    rows: list[ListRow] = []
    columns: dict[str, int] | None = None
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                for table in page.extract_tables():
                    for raw in table:
                        cells = [_clean(c) for c in raw]
                        if not any(cells):
                            continue
                        header = _columns(cells)
                        if "name" in header and not any(_ROW_NUMBER.match(c) for c in cells):
                            columns = header  # a (repeated) header row
                            continue
                        cols = columns or {"number": 0, "name": 1, "notes": 2}
                        name = cells[cols["name"]] if cols["name"] < len(cells) else ""
                        if not name:
                            continue
                        number_cell = cells[cols["number"]] if "number" in cols and cols["number"] < len(cells) else ""
                        notes = cells[cols["notes"]] if "notes" in cols and cols["notes"] < len(cells) else ""
                        basis = cells[cols["basis"]] if "basis" in cols and cols["basis"] < len(cells) else ""
                        rows.append(
                            ListRow(
                                number=int(number_cell.rstrip(".")) if _ROW_NUMBER.match(number_cell) else None,
                                name=name,
                                notes=notes,
                                statutory_basis=[b.strip() for b in basis.split(",") if b.strip()],
                            )
                        )
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise ListPdfError(f"PDF could not be read ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pdfminer raises a zoo of exceptions on damaged files
        raise ListPdfError(f"PDF could not be read ({exc.__class__.__name__}: {exc})") from exc
    return rows

"""Dates written in English or German prose, normalised to ISO."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    (
        re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I),
        lambda m: (int(m[3]), MONTHS[m[1].lower()], int(m[2])),
    ),
    (
        re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?\s+(\d{{4}})\b", re.I),
        lambda m: (int(m[3]), MONTHS[m[2].lower()], int(m[1])),
    ),
]


def find_dates(text: str) -> list[date]:
    """Every valid date in ``text``, in order of appearance."""
    found: list[tuple[int, date]] = []
    for pattern, parts in PATTERNS:
        for match in pattern.finditer(text):
            try:
                found.append((match.start(), date(*parts(match))))
            except (ValueError, KeyError):  # KeyError: a month matched only case-insensitively ('Auguſt', 'MAİ')
                continue
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def parse_date(value: str) -> date:
    """Parse one date string (ISO, 'June 8, 2026', '8. Juni 2026'); ValueError names the input."""
    dates = find_dates(value.strip())
    if not dates:
        raise ValueError(f"unknown date format: {value!r}")
    return dates[0]

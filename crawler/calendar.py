"""When the Federal Register works: business days, the public-inspection desk's hours.

One home for the facts about the Federal Register's calendar (see the README's
"Public inspection" section): it publishes and posts the public-inspection desk
on business days only (not on weekends or federal holidays); regular filings are
posted around 08:45 Eastern, special filings can appear until about 16:15. An
empty desk on any other day, or before posting, says nothing about a document.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

EASTERN = ZoneInfo("America/New_York")
DESK_POSTED = time(8, 45)  # regular filings on the desk (Eastern)
SPECIAL_FILINGS_UNTIL = time(16, 15)


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=[year]).keys())


def is_federal_holiday(day: date) -> bool:
    return day in _federal_holidays(day.year)


def is_business_day(day: date) -> bool:
    """A day the Federal Register publishes and posts the public-inspection desk."""
    return day.weekday() < 5 and not is_federal_holiday(day)


def business_days(start: date, end: date) -> list[date]:
    """Business days from ``start`` to ``end``, both included."""
    days, day = [], start
    while day <= end:
        if is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def previous_business_day(day: date) -> date:
    """The last business day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def desk_is_posted(now: datetime) -> bool:
    """Whether the day's regular filings are on the desk at ``now`` (aware or Eastern-naive)."""
    local = now.astimezone(EASTERN) if now.tzinfo else now.replace(tzinfo=EASTERN)
    return is_business_day(local.date()) and local.time() >= DESK_POSTED

"""Listing state: the one answer to "is X listed on list L on day D, since when, and on whose word?".

Every layer asks here (the NLP's comparison of list editions, scoring, screening, ``history``, the
exposure leaderboard, alerts and every dashboard page). The rules:

* only an official designation opens a listing interval, on its day; an official removal closes it; a later
  official designation opens a new one (a withdrawn notice or a news report never opens one);
* on a day outside every interval, the latest proposal, withdrawn notice or removal on that list since the
  last interval changed is the list's state (a proposal that came true is part of the listing);
* the day reasoned about is always an argument: nothing here reads the clock.

Events are duck-typed: stored ``ListingEvent`` rows (``effective_date``, else ``publication_date``) and the
scorer's facts (``day``) both work, with ``list_name``, ``status`` and ``official``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from core.vocabulary import ListingStatus

Interval = tuple[date, "date | None"]  # [start, end): end None = still listed


def event_day(event) -> date | None:
    """The day an event counts on: a fact's day, else its effective date, else its evidence's publication."""
    day = getattr(event, "day", None)
    if day is not None:
        return day
    return getattr(event, "effective_date", None) or getattr(event, "publication_date", None)


def _changes_listing(event) -> bool:
    return bool(event.official) and event.status in (ListingStatus.DESIGNATED, ListingStatus.REMOVED)


def listing_intervals(events: Iterable) -> dict[str, list[Interval]]:
    """Per list, the [start, end) intervals opened by official designations and closed by official
    removals, in date order (events without a day are ignored)."""
    intervals: dict[str, list[Interval]] = {}
    dated = [e for e in events if event_day(e) is not None and _changes_listing(e)]
    for event in sorted(dated, key=event_day):
        spans = intervals.setdefault(event.list_name, [])
        is_open = bool(spans) and spans[-1][1] is None
        if event.status == ListingStatus.DESIGNATED and not is_open:
            spans.append((event_day(event), None))
        elif event.status == ListingStatus.REMOVED and is_open:
            spans[-1] = (spans[-1][0], event_day(event))
    return intervals


def listed_on(intervals: list[Interval], day: date) -> bool:
    """Whether ``day`` falls inside one of the intervals."""
    return any(start <= day and (end is None or day < end) for start, end in intervals)


@dataclass(frozen=True)
class ListState:
    """One list's state for an entity on a day."""

    list_name: str
    status: str  # a ListingStatus: designated (= listed), removed, proposed or withdrawn
    since: date  # the day that status began (the listing interval's start, the removal's day, ...)
    official: bool  # the status rests on an official document (a proposal may rest on news only)
    evidence: tuple = field(default=(), compare=False)  # the events of ``since`` that state it, official first

    @property
    def listed(self) -> bool:
        return self.status == ListingStatus.DESIGNATED


def listing_states(events: Iterable, *, on: date) -> dict[str, ListState]:
    """Per list, the entity's state on ``on`` (lists with no event up to that day are absent)."""
    events = [e for e in events if event_day(e) is not None and event_day(e) <= on]
    states: dict[str, ListState] = {}
    by_list: dict[str, list] = {}
    for event in events:
        by_list.setdefault(event.list_name, []).append(event)
    for list_name, members in by_list.items():
        spans = listing_intervals(members).get(list_name, [])
        last_change = None
        if spans:
            start, end = spans[-1]
            if end is None or on < end:
                states[list_name] = _state(list_name, ListingStatus.DESIGNATED, start, members, official_only=True)
                continue
            last_change = end
        # not listed: the latest removal, proposal or withdrawn notice since the last change of the listing
        later = [
            e
            for e in members
            if e.status != ListingStatus.DESIGNATED
            and (last_change is None or event_day(e) >= last_change)
            and (e.status != ListingStatus.REMOVED or e.official)
        ]
        if later:
            later.sort(key=lambda e: (event_day(e), e.official, _rank(e.status)))
            status = later[-1].status
            # the run of that status since anything else happened: dated by its first report
            other = [event_day(e) for e in later if e.status != status]
            run = [e for e in later if e.status == status and (not other or event_day(e) >= max(other))]
            official = [e for e in run if e.official]
            since = min(event_day(e) for e in (official or run))
            states[list_name] = ListState(list_name, status, since, bool(official), tuple(_ordered(official or run)))
    return states


def _rank(status: str) -> int:
    # on one day a withdrawal outranks the proposal it withdraws, a removal outranks both
    return {ListingStatus.PROPOSED: 0, ListingStatus.WITHDRAWN: 1, ListingStatus.REMOVED: 2}.get(status, 0)


def _state(list_name: str, status: str, since: date, members: list, official_only: bool) -> ListState:
    evidence = [
        e for e in members if e.status == status and event_day(e) == since and (e.official or not official_only)
    ]
    return ListState(list_name, status, since, any(e.official for e in evidence), tuple(_ordered(evidence)))


def _ordered(events: list) -> list:
    """Official evidence first, then by publication."""
    return sorted(events, key=lambda e: (not e.official, getattr(e, "publication_date", None) or date.max))


def listed_lists(events: Iterable, *, on: date) -> set[str]:
    """The lists the entity is officially listed on on ``on``."""
    return {name for name, state in listing_states(events, on=on).items() if state.listed}

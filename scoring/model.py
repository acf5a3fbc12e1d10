"""The exposure model: pure functions from evidence to a 0-100 score per day, with components.

One implementation, vectorised over days: each component of ``db.models.SCORE_COMPONENTS`` is
computed by one function below, and ``series_arrays`` (what ``scoring.series`` stores) puts them
together. Every rule that decides a stored value lives in this module (which day an event counts on,
listing intervals, inheritance, the components, the cap), the weights in data/scoring.toml: the
model version is a hash of both files, so changing either recomputes every series.
Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from core.vocabulary import ListingStatus, ListName
from db.models import SCORE_COMPONENTS

# Its bytes are part of the model version (see model_version).
MODEL_SOURCE = Path(__file__)

# data/scoring.toml [signals] key of each kind of pending signal (by ListingEvent status).
SIGNAL_WEIGHT_KEYS = {
    ListingStatus.PROPOSED: "proposed",
    ListingStatus.WITHDRAWN: "withdrawn",
    ListingStatus.DESIGNATED: "reported_designation",
    ListingStatus.REMOVED: "reported_removal",
}


@dataclass(frozen=True)
class EventFact:
    """What the scorer needs to know of a ListingEvent."""

    day: date
    list_name: str
    status: str  # a ListingStatus
    official: bool


class EventRecord(Protocol):
    """The fields of a stored ListingEvent the model reads."""

    effective_date: date | None
    publication_date: date | None
    list_name: str
    status: str
    official: bool


def event_day(event: EventRecord) -> date | None:
    """The day an event counts on: its effective date, else its evidence's publication date."""
    return event.effective_date or event.publication_date


def event_facts(events: list[EventRecord]) -> list[EventFact]:
    """EventFacts of the stored events that have a day."""
    return [EventFact(event_day(e), e.list_name, e.status, e.official) for e in events if event_day(e)]


def model_version(weights: bytes, code: bytes) -> str:
    """The model version: a hash of the weights file and of this module's source."""
    return hashlib.sha256(hashlib.sha256(weights).digest() + hashlib.sha256(code).digest()).hexdigest()[:16]


@dataclass(frozen=True)
class ScoringConfig:
    raw: dict
    version: str

    @classmethod
    def load(cls, path: Path) -> "ScoringConfig":
        data = Path(path).read_bytes()
        return cls(tomllib.loads(data.decode()), model_version(data, MODEL_SOURCE.read_bytes()))

    def listing_weight(self, list_name: str) -> float:
        weights = self.raw["listing"]
        return float(weights.get(list_name, weights.get("default", 0.0)))

    def signal_weight(self, status: str) -> float:
        return float(self.raw["signals"][SIGNAL_WEIGHT_KEYS[status]])


def listing_intervals(events: list[EventFact]) -> dict[str, list[tuple[date, date | None]]]:
    """Per list, [start, end) intervals from official designations and removals, in date order.

    A withdrawn notice or a news report never opens an interval.
    """
    intervals: dict[str, list[tuple[date, date | None]]] = {}
    for event in sorted(events, key=lambda e: e.day):
        if not event.official or event.status not in (ListingStatus.DESIGNATED, ListingStatus.REMOVED):
            continue
        spans = intervals.setdefault(event.list_name, [])
        is_open = bool(spans) and spans[-1][1] is None
        if event.status == ListingStatus.DESIGNATED and not is_open:
            spans.append((event.day, None))
        elif event.status == ListingStatus.REMOVED and is_open:
            spans[-1] = (spans[-1][0], event.day)
    return intervals


def signal_events(events: list[EventFact]) -> list[EventFact]:
    """Events that count as pending signals: proposals and withdrawals of any origin,
    and news-reported designations/removals (official ones count as listing status)."""
    return [e for e in events if e.status in (ListingStatus.PROPOSED, ListingStatus.WITHDRAWN) or not e.official]


InheritedSpan = tuple[date, date | None, float]


def inherited_spans(
    config: ScoringConfig, *, parent_events: list[EventFact] | None, child_events: list[list[EventFact]]
) -> list[InheritedSpan]:
    """(start, end, points) while the parent, or a subsidiary, is officially listed."""
    shares = config.raw.get("inheritance", {})
    spans = []
    for events, share in [(parent_events or [], shares.get("from_parent", 0.0))] + [
        (child, shares.get("from_subsidiary", 0.0)) for child in child_events
    ]:
        for list_name, intervals in listing_intervals(events).items():
            points = share * config.listing_weight(list_name)
            spans += [(start, end, points) for start, end in intervals]
    return spans


# --- the components, each an array over the days (ordinals) scored ---


@dataclass(frozen=True)
class _ListingStatus:
    listing: np.ndarray  # the highest listing weight of the lists the entity is on
    tenure: np.ndarray
    removed: np.ndarray
    on_1260h: np.ndarray  # bool


def _listing_status(days: np.ndarray, intervals: dict, config: ScoringConfig) -> _ListingStatus:
    """``listing``, ``tenure`` and ``removed``: the official listing intervals, per list."""
    cfg = config.raw
    beyond = days[-1] + 1  # an open interval runs past the last day scored
    listing, tenure, removed = np.zeros(days.shape), np.zeros(days.shape), np.zeros(days.shape)
    on_1260h = np.zeros(days.shape, dtype=bool)
    for list_name, spans in intervals.items():
        listed = np.zeros(days.shape, dtype=bool)
        for span_start, span_end in spans:
            a, b = span_start.toordinal(), (span_end.toordinal() if span_end else beyond)
            inside = (days >= a) & (days < b)
            listed |= inside
            grown = np.minimum(1.0, (days - a) / cfg["tenure"]["full_after_days"])
            tenure = np.where(inside, np.maximum(tenure, cfg["tenure"]["max"] * grown), tenure)
        listing = np.where(listed, np.maximum(listing, config.listing_weight(list_name)), listing)
        if list_name == ListName.SECTION_1260H:
            on_1260h |= listed
        ends = np.array(sorted(e.toordinal() for _, e in spans if e is not None))
        if ends.size:
            # the most recent removal on or before each day, decaying while not listed again
            index = np.searchsorted(ends, days, side="right") - 1
            latest = np.where(index >= 0, ends[np.clip(index, 0, None)], 0)
            decay = cfg["removed"]["weight"] * 0.5 ** ((days - latest) / cfg["removed"]["half_life_days"])
            removed = np.where(~listed & (index >= 0), np.maximum(removed, decay), removed)
    return _ListingStatus(listing, tenure, removed, on_1260h)


def _signals(days: np.ndarray, events: list[EventFact], config: ScoringConfig) -> np.ndarray:
    """Pending signals, each halving with the half-life from its day on; the sum capped."""
    sig = config.raw["signals"]
    total = np.zeros(days.shape)
    for signal in signal_events(events):
        age = days - signal.day.toordinal()
        total += np.where(
            age >= 0, config.signal_weight(signal.status) * 0.5 ** (np.maximum(age, 0) / sig["half_life_days"]), 0.0
        )
    return np.minimum(total, sig["cap"])


def _news(days: np.ndarray, mention_days: list[date], config: ScoringConfig) -> np.ndarray:
    """News intensity: mentions in the window ending on each day, capped."""
    news = config.raw["news"]
    ordinals = np.sort(np.array([d.toordinal() for d in mention_days], dtype=np.int64))
    upper = np.searchsorted(ordinals, days, side="right")
    lower = np.searchsorted(ordinals, days - news["window_days"] + 1, side="left")
    return np.minimum(news["cap"], news["per_mention"] * (upper - lower))


def _consequences(days: np.ndarray, on_1260h: np.ndarray, config: ScoringConfig) -> np.ndarray:
    """FY2024 NDAA section 805: points from each ban's date while listed on 1260H."""
    cons = config.raw["consequences"]
    direct = date.fromisoformat(cons["direct_contracting_ban"]).toordinal()
    indirect = date.fromisoformat(cons["indirect_contracting_ban"]).toordinal()
    return np.where(on_1260h & (days >= direct), cons["direct_points"], 0.0) + np.where(
        on_1260h & (days >= indirect), cons["indirect_points"], 0.0
    )


def _inherited(days: np.ndarray, spans: list[InheritedSpan], listing: np.ndarray) -> np.ndarray:
    """The highest share of a listed parent's or subsidiary's points, only while not listed itself."""
    inherited = np.zeros(days.shape)
    for span_start, span_end, points in spans:
        a, b = span_start.toordinal(), (span_end.toordinal() if span_end else days[-1] + 1)
        inherited = np.where((days >= a) & (days < b), np.maximum(inherited, points), inherited)
    return np.where(listing > 0, 0.0, inherited)


def _capped(parts: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Scale the parts down proportionally where they add up to more than 100; round to cents."""
    raw_total = sum(parts.values())
    factor = np.where(raw_total > 100.0, 100.0 / np.where(raw_total > 0, raw_total, 1.0), 1.0)
    parts = {k: np.round(v * factor, 2) for k, v in parts.items()}
    stacked = np.vstack(list(parts.values()))
    score = np.round(stacked.sum(axis=0), 2)
    over = score > 100.0
    if over.any():  # rounding after scaling can overshoot by a cent: take it off the largest part
        largest = stacked.argmax(axis=0)
        for row, name in enumerate(parts):
            fix = over & (largest == row)
            parts[name] = np.where(fix, np.round(parts[name] - (score - 100.0), 2), parts[name])
        score = np.where(over, 100.0, score)
    return score, parts


def series_arrays(
    events: list[EventFact],
    mention_days: list[date],
    start: date,
    end: date,
    config: ScoringConfig,
    inherited: list[InheritedSpan] | None = None,
) -> dict:
    """Score and components (``{"score": array, "parts": {component: array}}``) over the days
    ``start``..``end`` (``end >= start``). ``inherited``: see ``inherited_spans``."""
    days = np.arange(start.toordinal(), end.toordinal() + 1)
    status = _listing_status(days, listing_intervals(events), config)
    computed = {
        "listing": status.listing,
        "tenure": status.tenure,
        "removed": status.removed,
        "signals": _signals(days, events, config),
        "news": _news(days, mention_days, config),
        "consequences": _consequences(days, status.on_1260h, config),
        "inherited": _inherited(days, inherited or [], status.listing),
    }
    score, parts = _capped({name: computed[name] for name in SCORE_COMPONENTS})
    return {"score": score, "parts": parts}


def daily_series(
    events: list[EventFact],
    mention_days: list[date],
    start: date,
    end: date,
    config: ScoringConfig,
    inherited: list[InheritedSpan] | None = None,
) -> list[tuple[date, float, dict[str, float]]]:
    """(day, score, components) for every day from ``start`` to ``end`` inclusive: ``series_arrays``
    as Python values."""
    if end < start:
        return []
    arrays = series_arrays(events, mention_days, start, end, config, inherited)
    columns = {name: arrays["parts"][name].tolist() for name in SCORE_COMPONENTS}
    first = start.toordinal()
    return [
        (date.fromordinal(first + i), score, {name: columns[name][i] for name in SCORE_COMPONENTS})
        for i, score in enumerate(arrays["score"].tolist())
    ]

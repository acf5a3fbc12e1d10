"""The exposure model: pure functions from evidence to a 0-100 score with components.

Nothing here touches the database; scoring.series feeds it and stores results.
"""

from __future__ import annotations

import hashlib
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from pathlib import Path

COMPONENTS = ("listing", "tenure", "removed", "signals", "news", "consequences")


@dataclass(frozen=True)
class EventFact:
    """What the scorer needs to know of a ListingEvent."""

    day: date
    list_name: str
    status: str  # designated | removed | proposed | withdrawn
    official: bool


@dataclass(frozen=True)
class ScoringConfig:
    raw: dict
    version: str

    @classmethod
    def load(cls, path: Path) -> "ScoringConfig":
        data = Path(path).read_bytes()
        return cls(tomllib.loads(data.decode()), hashlib.sha256(data).hexdigest()[:16])

    def listing_weight(self, list_name: str) -> float:
        weights = self.raw["listing"]
        return float(weights.get(list_name, weights.get("default", 0.0)))


def _half(age_days: int, half_life: float) -> float:
    return 0.5 ** (age_days / half_life) if age_days >= 0 else 0.0


def listing_intervals(events: list[EventFact]) -> dict[str, list[tuple[date, date | None]]]:
    """Per list, [start, end) intervals from official designations and removals, in date order.

    A withdrawn notice or a news report never opens an interval.
    """
    intervals: dict[str, list[tuple[date, date | None]]] = {}
    for event in sorted(events, key=lambda e: e.day):
        if not event.official or event.status not in ("designated", "removed"):
            continue
        spans = intervals.setdefault(event.list_name, [])
        is_open = bool(spans) and spans[-1][1] is None
        if event.status == "designated" and not is_open:
            spans.append((event.day, None))
        elif event.status == "removed" and is_open:
            spans[-1] = (spans[-1][0], event.day)
    return intervals


def _interval_on(spans: list[tuple[date, date | None]], day: date) -> tuple[date, date | None] | None:
    for start, end in spans:
        if start <= day and (end is None or day < end):
            return start, end
    return None


def score_day(day: date, intervals: dict, signals: list[EventFact], mention_days: list[date],
              config: ScoringConfig) -> tuple[float, dict[str, float]]:
    """Score and components for one day. ``mention_days`` must be sorted."""
    cfg = config.raw
    parts = dict.fromkeys(COMPONENTS, 0.0)
    listed_1260h = False
    for list_name, spans in intervals.items():
        current = _interval_on(spans, day)
        if current is not None:
            parts["listing"] = max(parts["listing"], config.listing_weight(list_name))
            tenure = min(1.0, (day - current[0]).days / cfg["tenure"]["full_after_days"])
            parts["tenure"] = max(parts["tenure"], cfg["tenure"]["max"] * tenure)
            listed_1260h = listed_1260h or list_name == "1260H"
        else:
            ended = [end for _, end in spans if end is not None and end <= day]
            if ended:
                age = (day - max(ended)).days
                parts["removed"] = max(parts["removed"],
                                       cfg["removed"]["weight"] * _half(age, cfg["removed"]["half_life_days"]))
    sig = cfg["signals"]
    total = 0.0
    for signal in signals:
        if signal.day > day:
            continue
        weight = {
            "proposed": sig["proposed"], "withdrawn": sig["withdrawn"],
            "designated": sig["reported_designation"], "removed": sig["reported_removal"],
        }[signal.status]
        total += weight * _half((day - signal.day).days, sig["half_life_days"])
    parts["signals"] = min(total, sig["cap"])
    news = cfg["news"]
    lo = bisect_left(mention_days, date.fromordinal(day.toordinal() - news["window_days"] + 1))
    hi = bisect_right(mention_days, day)
    parts["news"] = min(news["cap"], news["per_mention"] * (hi - lo))
    if listed_1260h:
        cons = cfg["consequences"]
        if day >= date.fromisoformat(cons["direct_contracting_ban"]):
            parts["consequences"] += cons["direct_points"]
        if day >= date.fromisoformat(cons["indirect_contracting_ban"]):
            parts["consequences"] += cons["indirect_points"]
    raw_total = sum(parts.values())
    if raw_total > 100.0:
        parts = {k: v * 100.0 / raw_total for k, v in parts.items()}
    parts = {k: round(v, 2) for k, v in parts.items()}
    score = round(sum(parts.values()), 2)
    if score > 100.0:  # rounding after scaling can overshoot by a cent
        largest = max(parts, key=parts.get)
        parts[largest] = round(parts[largest] - (score - 100.0), 2)
        score = 100.0
    return score, parts


def signal_events(events: list[EventFact]) -> list[EventFact]:
    """Events that count as pending signals: proposals and withdrawals of any origin,
    and news-reported designations/removals (official ones count as listing status)."""
    return [e for e in events if e.status in ("proposed", "withdrawn") or not e.official]


def daily_series(events: list[EventFact], mention_days: list[date], start: date, end: date,
                 config: ScoringConfig) -> list[tuple[date, float, dict[str, float]]]:
    """The score for every day from ``start`` to ``end`` inclusive."""
    intervals = listing_intervals(events)
    signals = signal_events(events)
    mention_days = sorted(mention_days)
    series = []
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        day = date.fromordinal(ordinal)
        score, parts = score_day(day, intervals, signals, mention_days, config)
        series.append((day, score, parts))
    return series

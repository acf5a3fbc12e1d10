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

import numpy as np

MODEL_REVISION = "2026-11-25.1"  # bump when a rule in this module changes
COMPONENTS = ("listing", "tenure", "removed", "signals", "news", "consequences", "inherited")


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
        # The version changes with the weights file and with the code's rules (MODEL_REVISION):
        # either change triggers a full recompute.
        return cls(tomllib.loads(data.decode()), hashlib.sha256(data + MODEL_REVISION.encode()).hexdigest()[:16])

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
              config: ScoringConfig, inherited: list[tuple[date, date | None, float]] | None = None,
              ) -> tuple[float, dict[str, float]]:
    """Score and components for one day. ``mention_days`` must be sorted.

    ``inherited``: (start, end, points) spans during which a parent or subsidiary is listed.
    """
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
    for span_start, span_end, points in inherited or []:
        # exposure through a listed parent/subsidiary counts only while not listed itself
        if parts["listing"] == 0 and span_start <= day and (span_end is None or day < span_end):
            parts["inherited"] = max(parts["inherited"], points)
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
                 config: ScoringConfig, inherited: list[tuple[date, date | None, float]] | None = None,
                 ) -> list[tuple[date, float, dict[str, float]]]:
    """The score for every day from ``start`` to ``end`` inclusive (vectorised; the same
    result as ``score_day`` for each day, which stays the readable reference)."""
    if end < start:
        return []
    arrays = series_arrays(events, mention_days, start, end, config, inherited)
    days = [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)]
    names = list(arrays["parts"])
    columns = [arrays["parts"][n].tolist() for n in names]
    scores = arrays["score"].tolist()
    return [(day, scores[i], {n: columns[j][i] for j, n in enumerate(names)}) for i, day in enumerate(days)]


def series_arrays(events: list[EventFact], mention_days: list[date], start: date, end: date,
                  config: ScoringConfig, inherited: list[tuple[date, date | None, float]] | None = None) -> dict:
    """Score components as numpy arrays over the days ``start``..``end``."""
    cfg = config.raw
    first, last = start.toordinal(), end.toordinal()
    days = np.arange(first, last + 1)
    zeros = np.zeros(days.shape)
    listing, tenure, removed = zeros.copy(), zeros.copy(), zeros.copy()
    listed_1260h = np.zeros(days.shape, dtype=bool)
    for list_name, spans in listing_intervals(events).items():
        weight = config.listing_weight(list_name)
        listed = np.zeros(days.shape, dtype=bool)
        for span_start, span_end in spans:
            a, b = span_start.toordinal(), (span_end.toordinal() if span_end else last + 1)
            inside = (days >= a) & (days < b)
            listed |= inside
            grown = np.minimum(1.0, (days - a) / cfg["tenure"]["full_after_days"])
            tenure = np.where(inside, np.maximum(tenure, cfg["tenure"]["max"] * grown), tenure)
        listing = np.where(listed, np.maximum(listing, weight), listing)
        if list_name == "1260H":
            listed_1260h |= listed
        ends = sorted(e.toordinal() for _, e in spans if e is not None)
        if ends:
            # the most recent removal on or before each day
            index = np.searchsorted(np.array(ends), days, side="right") - 1
            latest = np.where(index >= 0, np.array(ends)[np.clip(index, 0, None)], 0)
            decay = cfg["removed"]["weight"] * 0.5 ** ((days - latest) / cfg["removed"]["half_life_days"])
            removed = np.where(~listed & (index >= 0), np.maximum(removed, decay), removed)
    sig = cfg["signals"]
    weights = {"proposed": sig["proposed"], "withdrawn": sig["withdrawn"],
               "designated": sig["reported_designation"], "removed": sig["reported_removal"]}
    signals = zeros.copy()
    for signal in signal_events(events):
        o = signal.day.toordinal()
        age = days - o
        signals += np.where(age >= 0, weights[signal.status] * 0.5 ** (np.maximum(age, 0) / sig["half_life_days"]), 0.0)
    signals = np.minimum(signals, sig["cap"])
    news_cfg = cfg["news"]
    ordinals = np.sort(np.array([d.toordinal() for d in mention_days], dtype=np.int64))
    upper = np.searchsorted(ordinals, days, side="right")
    lower = np.searchsorted(ordinals, days - news_cfg["window_days"] + 1, side="left")
    news = np.minimum(news_cfg["cap"], news_cfg["per_mention"] * (upper - lower))
    cons = cfg["consequences"]
    consequences = (np.where(listed_1260h & (days >= date.fromisoformat(cons["direct_contracting_ban"]).toordinal()),
                             cons["direct_points"], 0.0)
                    + np.where(listed_1260h & (days >= date.fromisoformat(cons["indirect_contracting_ban"]).toordinal()),
                               cons["indirect_points"], 0.0))
    inheritance = zeros.copy()
    for span_start, span_end, points in inherited or []:
        a, b = span_start.toordinal(), (span_end.toordinal() if span_end else last + 1)
        inheritance = np.where((days >= a) & (days < b), np.maximum(inheritance, points), inheritance)
    inheritance = np.where(listing > 0, 0.0, inheritance)  # only while not listed itself
    parts = {"listing": listing, "tenure": tenure, "removed": removed, "signals": signals, "news": news,
             "consequences": consequences, "inherited": inheritance}
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
    return {"score": score, "parts": parts}

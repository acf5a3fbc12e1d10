"""The exposure model: pure functions from evidence to a 0-100 score per day, with components.

One implementation, vectorised over days: each component of ``db.models.SCORE_COMPONENTS`` is
computed by one function below, and ``series_arrays`` (what ``scoring.series`` stores) puts them
together. Every rule that decides a stored value lives in this module (which day an event counts on,
which events are one fact, listing intervals, inheritance, the components, the cap), the weights in
data/scoring.toml: the model version is a hash of both files and of the fact window setting, so changing
any of them recomputes every series. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import numpy as np

from core.settings import DEFAULT_FACT_WINDOW_DAYS, Settings
from core.vocabulary import DateKind, ListingStatus, ListName
from db.models import SCORE_COMPONENTS
from core.listing_state import event_day, listing_intervals  # noqa: F401 (re-exported: the one home of both)

# Their bytes are part of the model version (see model_version): this module, the listing-state rules and
# the lists' facts (data/lists.toml: when the NS-CMIC investment ban starts after a listing).
MODEL_SOURCES = (
    Path(__file__),
    Path(__file__).resolve().parents[1] / "core" / "listing_state.py",
    Path(__file__).resolve().parents[1] / "data" / "lists.toml",
)

# data/scoring.toml [signals] key of each kind of pending signal (by ListingEvent status).
SIGNAL_WEIGHT_KEYS = {
    ListingStatus.PROPOSED: "proposed",
    ListingStatus.WITHDRAWN: "withdrawn",
    ListingStatus.DESIGNATED: "reported_designation",
    ListingStatus.REMOVED: "reported_removal",
}


@dataclass(frozen=True)
class EventFact:
    """What the scorer needs to know of a fact (``event_facts``)."""

    day: date
    list_name: str
    status: str  # a ListingStatus
    official: bool


class EventRecord(Protocol):
    """The fields of a stored ListingEvent the model reads."""

    entity_id: int
    effective_date: date | None
    publication_date: date | None
    date_kind: str
    list_name: str
    status: str
    official: bool
    evidence_document_id: int


@dataclass(frozen=True)
class Fact:
    """One fact: an entity's change of status on a list on a day, with every event (one per evidence
    document) that reports it. Alerts and scores count a fact once, however many outlets report it."""

    entity_id: int
    list_name: str
    status: str  # a ListingStatus
    day: date | None  # the stated date, else the first report's publication date; None: no date at all
    stated: bool  # the day is stated by the evidence (a list, filing or stated date), not a report's date
    events: tuple  # the EventRecords: official first, then by publication date

    @property
    def official(self) -> bool:
        return any(e.official for e in self.events)

    @property
    def date_kind(self) -> str:
        """The kind of the fact's day: the stating evidence's (official first), else ``reported``."""
        return next((e.date_kind for e in self.events if e.date_kind != DateKind.REPORTED), DateKind.REPORTED)

    @property
    def document_ids(self) -> list[int]:
        """The evidence documents, each once, in the order of ``events``."""
        return list(dict.fromkeys(e.evidence_document_id for e in self.events))


def _evidence_order(event: EventRecord) -> tuple:
    return (
        not event.official,
        event.publication_date or date.max,
        event_day(event) or date.max,
        event.evidence_document_id,
        getattr(event, "id", None) or 0,
    )


def group_facts(events: list[EventRecord], *, window_days: int) -> list[Fact]:
    """The facts the events report, by day (undated ones first), entity, list and status.

    Events are one fact when they share entity, list and status and either state the same date, or one
    of them is only dated by its publication (``DateKind.REPORTED``, a news report stating no date) and
    was published on the fact's day or up to ``window_days`` after it. A reported event joins the latest
    such fact; else it starts one, on its own day. Stated dates never merge with each other, so two
    designations a week apart stay two facts; events with no date at all are one fact per entity, list
    and status, with ``day`` None. Adding an event of day D changes no fact before D (what incremental
    scoring relies on)."""
    by_key: dict[tuple, list[EventRecord]] = {}
    for event in events:
        by_key.setdefault((event.entity_id, event.list_name, event.status), []).append(event)
    facts = []
    for (entity_id, list_name, status), members in by_key.items():
        groups: dict[date | None, tuple[bool, list[EventRecord]]] = {}
        reported = []
        for event in members:
            if event_day(event) is not None and event.date_kind == DateKind.REPORTED:
                reported.append(event)
            else:
                groups.setdefault(event_day(event), (event_day(event) is not None, []))[1].append(event)
        for event in sorted(reported, key=lambda e: (event_day(e), *_evidence_order(e))):
            day = event_day(event)
            window = timedelta(days=window_days)
            joined = [anchor for anchor in groups if anchor is not None and anchor <= day <= anchor + window]
            groups.setdefault(max(joined) if joined else day, (False, []))[1].append(event)
        facts += [
            Fact(entity_id, list_name, status, day, stated, tuple(sorted(group, key=_evidence_order)))
            for day, (stated, group) in groups.items()
        ]
    return sorted(facts, key=lambda f: (f.day or date.min, f.day is not None, f.entity_id, f.list_name, f.status))


def event_facts(events: list[EventRecord], *, window_days: int) -> list[EventFact]:
    """What the scorer reads of the stored events: one EventFact per dated fact (``group_facts``)."""
    return [
        EventFact(f.day, f.list_name, f.status, f.official)
        for f in group_facts(events, window_days=window_days)
        if f.day is not None
    ]


def model_version(weights: bytes, code: bytes, fact_window_days: int = DEFAULT_FACT_WINDOW_DAYS) -> str:
    """The model version: a hash of the weights file, of this module's source and of the fact window."""
    parts = hashlib.sha256(weights).digest() + hashlib.sha256(code).digest() + f"window={fact_window_days}".encode()
    return hashlib.sha256(parts).hexdigest()[:16]


@dataclass(frozen=True)
class ScoringConfig:
    raw: dict
    version: str
    fact_window_days: int = DEFAULT_FACT_WINDOW_DAYS

    @classmethod
    def load(cls, path: Path, *, fact_window_days: int = DEFAULT_FACT_WINDOW_DAYS) -> "ScoringConfig":
        data = Path(path).read_bytes()
        version = model_version(data, b"".join(p.read_bytes() for p in MODEL_SOURCES), fact_window_days)
        return cls(tomllib.loads(data.decode()), version, fact_window_days)

    @classmethod
    def from_settings(cls, settings: Settings) -> "ScoringConfig":
        """The weights file and the fact window of ``settings``."""
        return cls.load(settings.scoring_config, fact_window_days=settings.fact_window_days)

    def scores_list(self, list_name: str) -> bool:
        """Whether the weights give the list points; events on any other list are not scored at all."""
        return list_name in self.raw["listing"]

    def listing_weight(self, list_name: str) -> float:
        value = self.raw["listing"].get(list_name, 0.0)
        return float(value) if not isinstance(value, dict) else 0.0

    @property
    def further_list_share(self) -> float:
        """The share of each further list's weight added to the heaviest list's (data/scoring.toml)."""
        return float(self.raw.get("lists", {}).get("further_list_share", 0.0))

    def listing_points(self, lists: set[str] | list[str]) -> dict[str, float]:
        """What each list an entity is listed on contributes to ``listing``: the heaviest its weight,
        every further one ``further_list_share`` of its own (the one rule; the model applies it per day)."""
        weights = sorted(((self.listing_weight(n), n) for n in lists if self.scores_list(n)), reverse=True)
        return {
            name: round(weight if i == 0 else self.further_list_share * weight, 2)
            for i, (weight, name) in enumerate(weights)
        }

    def signal_weight(self, status: str) -> float:
        return float(self.raw["signals"][SIGNAL_WEIGHT_KEYS[status]])


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
            if not config.scores_list(list_name):
                continue
            points = share * config.listing_weight(list_name)
            spans += [(start, end, points) for start, end in intervals]
    return spans


# --- the components, each an array over the days (ordinals) scored ---


@dataclass(frozen=True)
class _ListingStatus:
    listing: np.ndarray  # the heaviest list's weight, plus a share of each further list's (listing_points)
    tenure: np.ndarray
    removed: np.ndarray
    on_1260h: np.ndarray  # bool
    cmic_ban: np.ndarray  # bool: listed on NS-CMIC and past the day its investment ban starts


def _listing_status(days: np.ndarray, intervals: dict, config: ScoringConfig) -> _ListingStatus:
    """``listing``, ``tenure`` and ``removed``: the official listing intervals, per list."""
    from core.lists import all_list_rules

    cfg = config.raw
    beyond = days[-1] + 1  # an open interval runs past the last day scored
    listing, tenure, removed = np.zeros(days.shape), np.zeros(days.shape), np.zeros(days.shape)
    on_1260h = np.zeros(days.shape, dtype=bool)
    cmic_ban = np.zeros(days.shape, dtype=bool)
    ban_after = all_list_rules().get(ListName.NS_CMIC).prohibited_after_days or 0
    weights = []  # per list listed: its weight on the days it is listed (0 elsewhere)
    for list_name, spans in intervals.items():
        listed = np.zeros(days.shape, dtype=bool)
        for span_start, span_end in spans:
            a, b = span_start.toordinal(), (span_end.toordinal() if span_end else beyond)
            inside = (days >= a) & (days < b)
            listed |= inside
            grown = np.minimum(1.0, (days - a) / cfg["tenure"]["full_after_days"])
            tenure = np.where(inside, np.maximum(tenure, cfg["tenure"]["max"] * grown), tenure)
        weights.append(np.where(listed, config.listing_weight(list_name), 0.0))
        if list_name == ListName.SECTION_1260H:
            on_1260h |= listed
        if list_name == ListName.NS_CMIC:
            for span_start, span_end in spans:
                a, b = span_start.toordinal() + ban_after, (span_end.toordinal() if span_end else beyond)
                cmic_ban |= (days >= a) & (days < b)
        ends = np.array(sorted(e.toordinal() for _, e in spans if e is not None))
        if ends.size:
            # the most recent removal on or before each day, decaying while not listed again
            index = np.searchsorted(ends, days, side="right") - 1
            latest = np.where(index >= 0, ends[np.clip(index, 0, None)], 0)
            decay = cfg["removed"]["weight"] * 0.5 ** ((days - latest) / cfg["removed"]["half_life_days"])
            removed = np.where(~listed & (index >= 0), np.maximum(removed, decay), removed)
    if weights:
        stacked = np.vstack(weights)
        heaviest = stacked.max(axis=0)
        listing = heaviest + config.further_list_share * (stacked.sum(axis=0) - heaviest)
    # removed from one list but still on another: the residual counts like a further list's points
    removed = np.where(listing > 0, config.further_list_share * removed, removed)
    return _ListingStatus(listing, tenure, removed, on_1260h, cmic_ban)


def _retired_from(signal: EventFact, intervals: dict) -> int | None:
    """The first day (ordinal) of an official listing on the signal's list that starts on or after the
    signal: from then on the signal came true (or was overtaken) and counts nothing."""
    starts = [start for start, _ in intervals.get(signal.list_name, []) if start >= signal.day]
    return min(starts).toordinal() if starts else None


def _signals(days: np.ndarray, events: list[EventFact], intervals: dict, config: ScoringConfig) -> np.ndarray:
    """Pending signals, each halving with the half-life from its day on until it retires (the company
    is designated on that list: a proposal or withdrawn notice that came true is the listing, not a
    signal beside it); the sum capped."""
    sig = config.raw["signals"]
    total = np.zeros(days.shape)
    for signal in signal_events(events):
        age = days - signal.day.toordinal()
        live = age >= 0
        retired = _retired_from(signal, intervals)
        if retired is not None:
            live &= days < retired
        total += np.where(
            live, config.signal_weight(signal.status) * 0.5 ** (np.maximum(age, 0) / sig["half_life_days"]), 0.0
        )
    return np.minimum(total, sig["cap"])


def _news(days: np.ndarray, mention_days: list[date], config: ScoringConfig) -> np.ndarray:
    """News intensity: mentions in the window ending on each day, capped."""
    news = config.raw["news"]
    ordinals = np.sort(np.array([d.toordinal() for d in mention_days], dtype=np.int64))
    upper = np.searchsorted(ordinals, days, side="right")
    lower = np.searchsorted(ordinals, days - news["window_days"] + 1, side="left")
    return np.minimum(news["cap"], news["per_mention"] * (upper - lower))


def _consequences(days: np.ndarray, status: _ListingStatus, config: ScoringConfig) -> np.ndarray:
    """Legal consequences in force: FY2024 NDAA section 805 (from each ban's date while listed on 1260H)
    and the NS-CMIC investment ban (from its start after the listing, data/lists.toml)."""
    cons = config.raw["consequences"]
    direct = date.fromisoformat(cons["direct_contracting_ban"]).toordinal()
    indirect = date.fromisoformat(cons["indirect_contracting_ban"]).toordinal()
    on_1260h = status.on_1260h
    return (
        np.where(on_1260h & (days >= direct), cons["direct_points"], 0.0)
        + np.where(on_1260h & (days >= indirect), cons["indirect_points"], 0.0)
        + np.where(status.cmic_ban, float(cons.get("investment_ban_points", 0.0)), 0.0)
    )


def _inherited(days: np.ndarray, spans: list[InheritedSpan], listing: np.ndarray) -> np.ndarray:
    """The highest share of a listed parent's or subsidiary's points, only while not listed itself."""
    inherited = np.zeros(days.shape)
    for span_start, span_end, points in spans:
        a, b = span_start.toordinal(), (span_end.toordinal() if span_end else days[-1] + 1)
        inherited = np.where((days >= a) & (days < b), np.maximum(inherited, points), inherited)
    return np.where(listing > 0, 0.0, inherited)


# When the components add up to more than 100, the softest are cut first: news intensity, then pending
# signals, then what is inherited or left from a removal, then the statutory consequences and tenure; the
# listing itself is never scaled down (an official listing is the hardest fact the score rests on).
CAP_ORDER = ("news", "signals", "inherited", "removed", "consequences", "tenure", "listing")


def _capped(parts: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Round to cents; where the parts add up to more than 100, cut them in ``CAP_ORDER``, each down to 0
    before the next is touched, so the score is 100 and the parts still sum to it."""
    parts = {k: np.round(v, 2) for k, v in parts.items()}
    excess = np.round(sum(parts.values()) - 100.0, 2)
    for name in CAP_ORDER:
        if name not in parts:
            continue
        cut = np.clip(excess, 0.0, parts[name])
        parts[name] = np.round(parts[name] - cut, 2)
        excess = np.round(excess - cut, 2)
    score = np.round(np.vstack(list(parts.values())).sum(axis=0), 2)
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
    events = [e for e in events if config.scores_list(e.list_name)]  # a list without a weight counts nothing
    intervals = listing_intervals(events)
    status = _listing_status(days, intervals, config)
    computed = {
        "listing": status.listing,
        "tenure": status.tenure,
        "removed": status.removed,
        "signals": _signals(days, events, intervals, config),
        "news": _news(days, mention_days, config),
        "consequences": _consequences(days, status, config),
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

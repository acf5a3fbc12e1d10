"""scoring/: listing intervals and the daily exposure model."""

from datetime import date, timedelta

from hypothesis import given, settings as hsettings, strategies as st

from core.settings import DATA_DIR
from scoring.model import COMPONENTS, EventFact, ScoringConfig, daily_series, listing_intervals, score_day, signal_events

CONFIG = ScoringConfig.load(DATA_DIR / "scoring.toml")
D = date.fromisoformat


def test_intervals_open_on_designation_close_on_removal_and_reopen():
    events = [EventFact(D("2021-06-03"), "1260H", "designated", True),
              EventFact(D("2024-01-31"), "1260H", "removed", True),
              EventFact(D("2025-01-07"), "1260H", "designated", True)]
    assert listing_intervals(events) == {"1260H": [(D("2021-06-03"), D("2024-01-31")), (D("2025-01-07"), None)]}


def test_withdrawn_notice_and_news_never_open_an_interval():
    events = [EventFact(D("2026-02-13"), "1260H", "withdrawn", True),
              EventFact(D("2025-11-20"), "1260H", "designated", False),
              EventFact(D("2025-11-20"), "1260H", "proposed", False)]
    assert listing_intervals(events) == {}


def test_seed_case_score_rises_on_signals_and_jumps_on_designation():
    events = [EventFact(D("2025-11-20"), "1260H", "proposed", False),
              EventFact(D("2026-02-13"), "1260H", "withdrawn", True),
              EventFact(D("2026-06-08"), "1260H", "designated", True)]
    series = {day: score for day, score, _ in daily_series(events, [], D("2025-11-19"), D("2026-07-01"), CONFIG)}
    assert series[D("2025-11-19")] == 0
    assert series[D("2025-11-20")] > 0
    assert series[D("2026-02-13")] > series[D("2026-02-12")]
    assert series[D("2026-06-08")] >= series[D("2026-06-07")] + 50
    assert series[D("2026-06-30")] > series[D("2026-06-29")]  # section 805 direct contracting ban


def test_removed_entity_score_decays():
    events = [EventFact(D("2021-06-03"), "1260H", "designated", True),
              EventFact(D("2025-01-07"), "1260H", "removed", True)]
    series = {day: score for day, score, _ in daily_series(events, [], D("2025-01-01"), D("2026-01-01"), CONFIG)}
    assert series[D("2025-01-06")] > series[D("2025-01-07")] > series[D("2025-07-07")] > series[D("2026-01-01")] > 0


def test_news_mentions_count_within_the_window():
    _, parts = score_day(D("2026-01-31"), {}, [], [D("2026-01-01"), D("2026-01-15"), D("2026-01-31")], CONFIG)
    assert parts["news"] == 2.0  # the mention of 2026-01-01 is outside the 30-day window


event_strategy = st.builds(
    EventFact,
    day=st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")),
    list_name=st.sampled_from(["1260H", "NS-CMIC", "Entity List"]),
    status=st.sampled_from(["designated", "removed", "proposed", "withdrawn"]),
    official=st.booleans(),
)


@hsettings(max_examples=60, deadline=None)
@given(events=st.lists(event_strategy, max_size=12),
       mentions=st.lists(st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")), max_size=200),
       day=st.dates(min_value=D("2020-01-01"), max_value=D("2028-06-30")))
def test_score_is_bounded_and_components_sum_to_it(events, mentions, day):
    score, parts = score_day(day, listing_intervals(events), signal_events(events), sorted(mentions), CONFIG)
    assert 0 <= score <= 100
    assert set(parts) == set(COMPONENTS)
    assert abs(sum(parts.values()) - score) < 1e-6
    assert all(value >= 0 for value in parts.values())


@hsettings(max_examples=40, deadline=None)
@given(events=st.lists(event_strategy, max_size=8), later=event_strategy,
       cut=st.dates(min_value=D("2021-01-01"), max_value=D("2026-12-31")))
def test_evidence_after_a_day_never_changes_earlier_scores(events, later, cut):
    later = EventFact(cut + timedelta(days=1), later.list_name, later.status, later.official)
    start = cut - timedelta(days=60)
    before = daily_series(events, [], start, cut, CONFIG)
    after = daily_series(events + [later], [], start, cut, CONFIG)
    assert before == after


@hsettings(max_examples=40, deadline=None)
@given(events=st.lists(event_strategy, max_size=10),
       mentions=st.lists(st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")), max_size=50),
       start=st.dates(min_value=D("2020-01-01"), max_value=D("2027-06-30")))
def test_vectorised_series_matches_the_per_day_reference(events, mentions, start):
    end = start + timedelta(days=200)
    inherited = [(D("2024-01-31"), D("2025-01-07"), 15.0)]
    series = daily_series(events, mentions, start, end, CONFIG, inherited)
    intervals, signals = listing_intervals(events), signal_events(events)
    for day, score, parts in series[::7]:
        ref_score, ref_parts = score_day(day, intervals, signals, sorted(mentions), CONFIG, inherited)
        assert abs(score - ref_score) <= 0.011
        assert all(abs(parts[k] - ref_parts[k]) <= 0.011 for k in COMPONENTS)


@hsettings(max_examples=20, deadline=None)
@given(events=st.lists(event_strategy, max_size=10))
def test_recomputing_is_identical(events):
    first = daily_series(events, [], D("2021-01-01"), D("2026-12-31"), CONFIG)
    assert first == daily_series(events, [], D("2021-01-01"), D("2026-12-31"), CONFIG)


def test_replayed_history_timeline_and_scores(replayed_copy):
    """On the replayed real history: the seed companies' scores rise with the 2025 proposal, show the
    withdrawn notice, jump on designation; removed entities have closed intervals and decaying scores."""
    from sqlmodel import Session, select

    from db import queries
    from db.models import ExposureScore
    from db.engine import make_engine
    from scoring.series import score_jumps
    from scoring.timeline import entity_history

    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        def score(name, day):
            entity = queries.get_entity(session, name=name)
            found = session.exec(select(ExposureScore).where(ExposureScore.entity_id == entity.id,
                                                             ExposureScore.day == D(day))).first()
            return found.score if found else 0.0

        for name in ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited"):
            history = entity_history(session, queries.get_entity(session, name=name), on=D("2026-11-25"))
            assert history["intervals"] == {"1260H": [{"start": "2026-06-08", "end": None}]}
            assert not entity_history(session, queries.get_entity(session, name=name), on=D("2026-06-07"))["listed"]
            assert score(name, "2025-11-19") < score(name, "2025-11-21")  # the proposal reported
            assert score(name, "2026-02-12") < score(name, "2026-02-13")  # the withdrawn notice
            assert score(name, "2026-06-08") >= score(name, "2026-06-07") + 40  # designation
        megvii = queries.get_entity(session, name="Beijing Megvii Technology Co., Ltd.")
        # removed by the 2025 notice, filed (made public) on 2025-01-06
        assert entity_history(session, megvii)["intervals"] == {"1260H": [{"start": "2024-01-31", "end": "2025-01-06"}]}
        meg = "Beijing Megvii Technology Co., Ltd."
        assert score(meg, "2025-01-05") > score(meg, "2025-01-06") > score(meg, "2025-07-07") > score(meg, "2026-07-07") > 0
        jumps = {(j.entity, j.day) for j in score_jumps(session, since=D("2026-06-01"), through=D("2026-06-30"),
                                                         threshold=20)}
        assert ("BYD Company Limited", D("2026-06-08")) in jumps
    engine.dispose()

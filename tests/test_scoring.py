"""scoring/: listing intervals, the daily exposure model, its golden series and its version."""

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sqlmodel import Session, select

from core.settings import DATA_DIR, Settings
from db.engine import init_db, make_engine
from db.models import SCORE_COMPONENTS, Document, Entity, ExposureScore, ListingEvent, Mention, ScoreState, Source
from scoring.model import (
    MODEL_SOURCES,
    EventFact,
    ScoringConfig,
    daily_series,
    listing_intervals,
    model_version,
    series_arrays,
)
from scoring.series import score_entities

CONFIG = ScoringConfig.load(DATA_DIR / "scoring.toml")
D = date.fromisoformat


def test_intervals_open_on_designation_close_on_removal_and_reopen():
    events = [
        EventFact(D("2021-06-03"), "1260H", "designated", True),
        EventFact(D("2024-01-31"), "1260H", "removed", True),
        EventFact(D("2025-01-07"), "1260H", "designated", True),
    ]
    assert listing_intervals(events) == {"1260H": [(D("2021-06-03"), D("2024-01-31")), (D("2025-01-07"), None)]}


def test_withdrawn_notice_and_news_never_open_an_interval():
    events = [
        EventFact(D("2026-02-13"), "1260H", "withdrawn", True),
        EventFact(D("2025-11-20"), "1260H", "designated", False),
        EventFact(D("2025-11-20"), "1260H", "proposed", False),
    ]
    assert listing_intervals(events) == {}


def test_seed_case_score_rises_on_signals_and_jumps_on_designation():
    events = [
        EventFact(D("2025-11-20"), "1260H", "proposed", False),
        EventFact(D("2026-02-13"), "1260H", "withdrawn", True),
        EventFact(D("2026-06-08"), "1260H", "designated", True),
    ]
    series = {day: score for day, score, _ in daily_series(events, [], D("2025-11-19"), D("2026-07-01"), CONFIG)}
    assert series[D("2025-11-19")] == 0
    assert series[D("2025-11-20")] > 0
    assert series[D("2026-02-13")] > series[D("2026-02-12")]
    # the listing's 60 points arrive, the proposal's and withdrawn notice's signals retire (they came true)
    assert series[D("2026-06-08")] >= series[D("2026-06-07")] + 40
    assert series[D("2026-06-30")] > series[D("2026-06-29")]  # section 805 direct contracting ban


def test_signals_retire_once_designated_on_that_list_only():
    events = [
        EventFact(D("2025-11-20"), "1260H", "proposed", False),
        EventFact(D("2025-11-20"), "Entity List", "proposed", False),
        EventFact(D("2026-02-13"), "1260H", "withdrawn", True),
        EventFact(D("2026-06-08"), "1260H", "designated", True),
    ]
    parts = {day: p for day, _, p in daily_series(events, [], D("2026-06-07"), D("2026-06-08"), CONFIG)}
    assert parts[D("2026-06-07")]["signals"] > parts[D("2026-06-08")]["signals"] > 0
    # what is left is the Entity List proposal alone (15 halving every 120 days since 2025-11-20)
    assert parts[D("2026-06-08")]["signals"] == round(15 * 0.5 ** ((D("2026-06-08") - D("2025-11-20")).days / 120), 2)


def test_the_listing_is_never_scaled_down_the_softest_parts_are_cut_first():
    from scoring.model import _capped

    parts = {
        name: np.array([value])
        for name, value in dict(
            listing=60.0, tenure=10.0, removed=0.0, signals=30.0, news=10.0, consequences=15.0, inherited=0.0
        ).items()
    }
    score, capped = _capped(parts)
    assert score.tolist() == [100.0] and sum(v[0] for v in capped.values()) == 100.0
    assert (capped["listing"][0], capped["tenure"][0], capped["consequences"][0]) == (60.0, 10.0, 15.0)
    assert (capped["news"][0], capped["signals"][0]) == (0.0, 15.0)  # news first, then signals


def test_news_reported_designations_and_removals_retire_once_an_official_listing_begins():
    events = [
        EventFact(D("2026-01-15"), "1260H", "designated", False),  # reported before the official designation
        EventFact(D("2026-03-01"), "1260H", "designated", True),
        EventFact(D("2026-04-01"), "1260H", "removed", False),  # reported while listed
        EventFact(D("2026-09-01"), "1260H", "removed", True),
        EventFact(D("2027-01-15"), "1260H", "designated", True),  # re-designated
    ]
    signals = {
        day: parts["signals"] for day, _, parts in daily_series(events, [], D("2026-02-28"), D("2027-01-15"), CONFIG)
    }
    assert signals[D("2026-02-28")] == round(10 * 0.5 ** (44 / 120), 2)  # the reported designation, pending
    assert signals[D("2026-03-01")] == 0  # it came true
    # the reported removal counts (it opens no interval) until the next official listing begins
    assert signals[D("2026-08-01")] == round(5 * 0.5 ** (122 / 120), 2)
    assert signals[D("2026-10-01")] == round(5 * 0.5 ** (183 / 120), 2)  # the retired designation stays 0
    assert signals[D("2027-01-14")] > 0 and signals[D("2027-01-15")] == 0


def test_companies_with_different_histories_no_longer_meet_at_a_capped_100():
    """Each was proposed and named in a withdrawn notice before its designation, with 10 mentions a month:
    the old model (signals never retired, proportional scale-down) scored them 100, 94.77 and 100, the
    signals that had come true filling the cap."""

    def history(list_name: str, designated: str) -> list[EventFact]:
        day = D(designated)
        return [
            EventFact(day - timedelta(days=30), list_name, "proposed", False),
            EventFact(day - timedelta(days=20), list_name, "proposed", True),
            EventFact(day - timedelta(days=10), list_name, "withdrawn", True),
            EventFact(day, list_name, "designated", True),
        ]

    on = D("2026-07-01")
    mentions = [on - timedelta(days=n) for n in range(10)]
    scored = {}
    for name, events in {
        "1260H, designated 2026-06-08": history("1260H", "2026-06-08"),
        "1260H, designated 2025-06-08": history("1260H", "2025-06-08"),
        "NS-CMIC, designated 2026-01-01": history("NS-CMIC", "2026-01-01"),
    }.items():
        [(_, score, parts)] = daily_series(events, mentions, on, on, CONFIG)
        assert parts["signals"] == 0 and parts["news"] == 10  # the signals came true
        scored[name] = score
    assert scored == {
        "1260H, designated 2026-06-08": 60 + round(10 * 23 / 365, 2) + 10 + 10,  # listing, tenure, §805, news
        "1260H, designated 2025-06-08": 60 + 10 + 10 + 10,
        # listing, tenure, news, and the investment ban in force since 60 days after the listing
        "NS-CMIC, designated 2026-01-01": 70 + round(10 * 181 / 365, 2) + 10 + 10,
    }


def test_removed_entity_score_decays():
    events = [
        EventFact(D("2021-06-03"), "1260H", "designated", True),
        EventFact(D("2025-01-07"), "1260H", "removed", True),
    ]
    series = {day: score for day, score, _ in daily_series(events, [], D("2025-01-01"), D("2026-01-01"), CONFIG)}
    assert series[D("2025-01-06")] > series[D("2025-01-07")] > series[D("2025-07-07")] > series[D("2026-01-01")] > 0


def test_news_mentions_count_within_the_window():
    [(_, _, parts)] = daily_series(
        [], [D("2026-01-01"), D("2026-01-15"), D("2026-01-31")], D("2026-01-31"), D("2026-01-31"), CONFIG
    )
    assert parts["news"] == 2.0  # the mention of 2026-01-01 is outside the 30-day window


def test_the_model_computes_exactly_the_stored_components():
    arrays = series_arrays([], [], D("2026-01-01"), D("2026-01-02"), CONFIG)
    assert tuple(arrays["parts"]) == SCORE_COMPONENTS
    assert set(SCORE_COMPONENTS) <= set(ExposureScore.model_fields)


event_strategy = st.builds(
    EventFact,
    day=st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")),
    list_name=st.sampled_from(["1260H", "NS-CMIC", "Entity List"]),
    status=st.sampled_from(["designated", "removed", "proposed", "withdrawn"]),
    official=st.booleans(),
)


@hsettings(max_examples=60, deadline=None)
@given(
    events=st.lists(event_strategy, max_size=12),
    mentions=st.lists(st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")), max_size=200),
    start=st.dates(min_value=D("2020-01-01"), max_value=D("2028-06-30")),
)
def test_score_is_bounded_and_components_sum_to_it(events, mentions, start):
    inherited = [(D("2024-01-31"), D("2025-01-07"), 30.0)]
    for _, score, parts in daily_series(events, mentions, start, start + timedelta(days=60), CONFIG, inherited):
        assert 0 <= score <= 100
        assert tuple(parts) == SCORE_COMPONENTS
        assert abs(sum(parts.values()) - score) < 1e-6
        assert all(value >= 0 for value in parts.values())


@hsettings(max_examples=40, deadline=None)
@given(
    events=st.lists(event_strategy, max_size=8),
    later=event_strategy,
    cut=st.dates(min_value=D("2021-01-01"), max_value=D("2026-12-31")),
)
def test_evidence_after_a_day_never_changes_earlier_scores(events, later, cut):
    later = EventFact(cut + timedelta(days=1), later.list_name, later.status, later.official)
    start = cut - timedelta(days=60)
    before = daily_series(events, [], start, cut, CONFIG)
    after = daily_series(events + [later], [], start, cut, CONFIG)
    assert before == after


@hsettings(max_examples=40, deadline=None)
@given(
    events=st.lists(event_strategy, max_size=10),
    mentions=st.lists(st.dates(min_value=D("2020-01-01"), max_value=D("2027-12-31")), max_size=50),
    start=st.dates(min_value=D("2020-01-01"), max_value=D("2027-06-30")),
    split=st.integers(0, 199),
)
def test_a_series_scored_in_two_pieces_equals_one_scored_whole(events, mentions, start, split):
    """What incremental scoring relies on: a day's values do not depend on the range scored."""
    end, middle = start + timedelta(days=200), start + timedelta(days=split)
    whole = daily_series(events, mentions, start, end, CONFIG)
    assert whole == (
        daily_series(events, mentions, start, middle, CONFIG)
        + daily_series(events, mentions, middle + timedelta(days=1), end, CONFIG)
    )


# --- the golden series: a small fixed history scored through storage, every day, every component ---

GOLDEN = Path(__file__).parent / "data" / "golden_scores.csv"
THROUGH = D("2027-07-15")

# name -> parent; events (day, list, status, official); mention days
SCENARIO = {
    # proposed in the news, a withdrawn public-inspection notice, then designated (the list's date
    # 2026-06-08, published the next day); listed through both section 805 dates
    "Alpha Holdings": (
        None,
        [
            ("2025-11-20", "1260H", "proposed", False),
            ("2026-02-13", "1260H", "withdrawn", True),
            ("2026-06-08", "1260H", "designated", True),
        ],
        ["2025-11-20", "2025-11-21", "2026-06-08"],
    ),
    "Alpha Cloud": ("Alpha Holdings", [], ["2026-06-10"]),  # a subsidiary: inherits from its parent
    "Beta Group": (None, [], []),  # the parent of a listed subsidiary
    # designated, removed, re-designated
    "Beta Technology": (
        "Beta Group",
        [
            ("2025-11-03", "1260H", "designated", True),
            ("2026-03-02", "1260H", "removed", True),
            ("2027-01-15", "1260H", "designated", True),
        ],
        [],
    ),
    # never listed: news reports of a designation and a removal, an official recommendation, 12 mentions
    "Gamma Robotics": (
        None,
        [
            ("2026-01-15", "1260H", "designated", False),
            ("2026-03-01", "1260H", "proposed", True),
            ("2026-04-01", "1260H", "removed", False),
        ],
        [f"2026-01-{day:02d}" for day in range(5, 17)],
    ),
    # on two lists, plenty of signals and news: more than 100 points, scaled down
    "Delta Semiconductor": (
        None,
        [
            ("2025-11-03", "1260H", "designated", True),
            ("2025-12-01", "NS-CMIC", "designated", True),
            ("2027-06-01", "Entity List", "proposed", False),
            ("2027-06-20", "Entity List", "withdrawn", True),
        ],
        [f"2027-06-{day:02d}" for day in range(10, 22)],
    ),
}


def load_scenario(session: Session) -> None:
    source = Source(name="golden", kind="news")
    session.add(source)
    session.flush()
    document = Document(source_id=source.id, external_id="golden", content_hash="golden", status="processed")
    session.add(document)
    session.flush()
    ids: dict[str, int] = {}
    for name, (parent, events, mentions) in SCENARIO.items():
        entity = Entity(name=name, parent_id=ids[parent] if parent else None)
        session.add(entity)
        session.flush()
        ids[name] = entity.id
        for day, list_name, status, official in events:
            session.add(
                ListingEvent(
                    entity_id=entity.id,
                    list_name=list_name,
                    status=status,
                    official=official,
                    effective_date=D(day),
                    publication_date=D(day) + timedelta(days=1),
                    evidence_document_id=document.id,
                )
            )
        for offset, day in enumerate(mentions):
            session.add(
                Mention(
                    document_id=document.id,
                    entity_id=entity.id,
                    start=offset,
                    end=offset + 1,
                    text=name,
                    sentence=name,
                    method="ruler",
                    day=D(day),
                )
            )
    session.commit()


@pytest.fixture
def scenario_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'golden.db'}")
    init_db(engine)
    with Session(engine) as session:
        load_scenario(session)
    yield engine
    engine.dispose()


def weights_copy(tmp_path: Path) -> Path:
    path = tmp_path / "scoring.toml"
    shutil.copy(DATA_DIR / "scoring.toml", path)
    return path


def stored_series(session: Session) -> dict[str, dict[date, ExposureScore]]:
    series: dict[str, dict[date, ExposureScore]] = {}
    for name, row in session.exec(
        select(Entity.name, ExposureScore).join(ExposureScore).order_by(Entity.name, ExposureScore.day)
    ):
        series.setdefault(name, {})[row.day] = row
    return series


def _cents(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def golden_csv(series: dict[str, dict[date, ExposureScore]]) -> str:
    lines = [",".join(("entity", "day", "score", *SCORE_COMPONENTS))]
    for name in sorted(series):
        for day, row in series[name].items():
            values = (row.score, *(getattr(row, component) for component in SCORE_COMPONENTS))
            lines.append(",".join((name, day.isoformat(), *(_cents(value) for value in values))))
    return "\n".join(lines) + "\n"


def test_golden_series(scenario_engine, tmp_path):
    """The stored daily series of a fixed history equals tests/data/golden_scores.csv, so any change to
    the model shows up as a diff to review. After an intended change:
    UPDATE_GOLDEN=1 pytest tests/test_scoring.py -k golden, then review and commit the diff."""
    with Session(scenario_engine) as session:
        score_entities(session, through=THROUGH, settings=Settings(scoring_config=weights_copy(tmp_path)))
        series = stored_series(session)
    actual = golden_csv(series)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(actual)
        pytest.skip(f"wrote {GOLDEN}: review the diff")
    golden = GOLDEN.read_text().splitlines()
    differing = [(want, got) for want, got in zip(golden, actual.splitlines()) if want != got]
    assert len(golden) == len(actual.splitlines()) and not differing, (
        f"{len(differing)} lines differ from {GOLDEN.name} (golden / now): {differing[:5]}"
    )

    def on(name: str, day: str) -> ExposureScore | None:
        return series[name].get(D(day))

    # Hand-checked against README "Scoring model" with the default weights.
    alpha = on("Alpha Holdings", "2026-06-08")  # designation day (not the publication day after)
    eve = on("Alpha Holdings", "2026-06-07")  # the day before: the proposal and the withdrawn notice pending
    assert eve.signals == round(15 * 0.5 ** (199 / 120) + 20 * 0.5 ** (114 / 120), 2)
    assert (alpha.listing, alpha.tenure, alpha.news, alpha.consequences) == (60, 0, 1, 0)
    assert alpha.signals == 0 and alpha.score == 61  # both came true: they retire into the listing
    assert on("Alpha Holdings", "2026-06-07").listing == 0
    assert on("Alpha Holdings", "2026-06-29").consequences == 0
    assert on("Alpha Holdings", "2026-06-30").consequences == 10  # section 805: direct contracting ban
    assert on("Alpha Holdings", "2027-06-30").consequences == 15  # and the indirect one
    assert on("Alpha Holdings", "2027-06-08").tenure == 10
    assert on("Alpha Cloud", "2026-06-07").inherited == 0
    assert on("Alpha Cloud", "2026-06-08").inherited == 30  # half its parent's 60
    beta = "Beta Technology"
    assert on(beta, "2026-03-01").tenure == round(10 * 118 / 365, 2)
    assert (on(beta, "2026-03-02").listing, on(beta, "2026-03-02").removed) == (0, 30)  # removal day
    assert on(beta, "2026-08-29").removed == 15  # one half-life later
    assert on(beta, "2027-01-14").removed == round(30 * 0.5 ** (318 / 180), 2)  # the day before re-designation
    assert (on(beta, "2027-01-15").listing, on(beta, "2027-01-15").removed, on(beta, "2027-01-15").tenure) == (60, 0, 0)
    assert on(beta, "2027-01-15").consequences == 10  # re-designated after the ban's date
    assert [on("Beta Group", day).inherited for day in ("2026-03-01", "2026-03-02", "2027-01-15")] == [15, 0, 15]
    gamma = [on("Gamma Robotics", day) for day in ("2026-01-15", "2026-01-16", "2026-04-01")]
    assert all(row.listing == 0 for row in series["Gamma Robotics"].values())  # news never lists
    assert (gamma[0].signals, gamma[1].news) == (10, 10)  # a reported designation; 12 mentions, capped
    assert gamma[2].signals == round(10 * 0.5 ** (76 / 120) + 15 * 0.5 ** (31 / 120) + 5, 2)
    delta = on("Delta Semiconductor", "2027-07-01")
    # NS-CMIC 70 and 1260H a tenth of its 60, tenure 10, section 805 15 and the investment ban 10, news 10
    # and signals: over 100, the news goes first, then signals, then the consequences are cut (25 -> 14);
    # the listing is never scaled down
    assert delta.score == 100 and (delta.listing, delta.tenure, delta.consequences, delta.news) == (76, 10, 14, 0)
    assert delta.signals == delta.inherited == delta.removed == 0


def test_version_is_a_hash_of_the_weights_and_the_model_code(tmp_path):
    weights = weights_copy(tmp_path)
    assert ScoringConfig.load(weights).version == model_version(
        weights.read_bytes(), b"".join(p.read_bytes() for p in MODEL_SOURCES)
    )
    assert model_version(b"a", b"b") != model_version(b"a", b"b # a rule changed")
    weights.write_text(weights.read_text().replace('"1260H" = 60.0', '"1260H" = 65.0'))
    assert ScoringConfig.load(weights).version != CONFIG.version


def test_a_changed_weight_recomputes_every_series_and_no_change_recomputes_nothing(scenario_engine, tmp_path):
    weights = weights_copy(tmp_path)
    settings = Settings(scoring_config=weights)
    with Session(scenario_engine) as session:
        first = score_entities(session, through=THROUGH, settings=settings)
        assert first.entities_scored == len(SCENARIO)
        again = score_entities(session, through=THROUGH, settings=settings)
        assert (again.entities_scored, again.rows_written) == (0, 0)

        text = weights.read_text()
        assert '"1260H" = 60.0' in text
        weights.write_text(text.replace('"1260H" = 60.0', '"1260H" = 65.0'))
        reweighted = score_entities(session, through=THROUGH, settings=settings)
        assert reweighted.entities_scored == len(SCENARIO)
        assert reweighted.rows_written == first.rows_written  # every day of every series
        version = ScoringConfig.load(weights).version
        assert {state.model_version for state in session.exec(select(ScoreState))} == {version}
        series = stored_series(session)
        assert series["Alpha Holdings"][D("2026-06-08")].listing == 65
        assert series["Alpha Cloud"][D("2026-06-08")].inherited == 32.5
        assert score_entities(session, through=THROUGH, settings=settings).entities_scored == 0


def test_replayed_history_timeline_and_scores(replayed_copy):
    """On the replayed real history: the seed companies' scores rise with the 2025 proposal, show the
    withdrawn notice, jump on designation; removed entities have closed intervals and decaying scores."""
    from db import queries
    from scoring.series import score_jumps
    from scoring.timeline import entity_history

    engine = make_engine(replayed_copy)
    with Session(engine) as session:

        def score(name, day):
            entity = queries.get_entity(session, name=name)
            found = session.exec(
                select(ExposureScore).where(ExposureScore.entity_id == entity.id, ExposureScore.day == D(day))
            ).first()
            return found.score if found else 0.0

        for name in ("Alibaba Group Holding Limited", "Baidu, Inc.", "BYD Company Limited"):
            history = entity_history(session, queries.get_entity(session, name=name), on=D("2026-11-25"))
            assert history["intervals"] == {"1260H": [{"start": "2026-06-08", "end": None}]}
            assert not entity_history(session, queries.get_entity(session, name=name), on=D("2026-06-07"))["listed"]
            assert score(name, "2025-11-19") < score(name, "2025-11-21")  # the proposal reported
            assert score(name, "2026-02-12") < score(name, "2026-02-13")  # the withdrawn notice
            assert score(name, "2026-06-08") >= score(name, "2026-06-07") + 40  # designation
        megvii = queries.get_entity(session, name="Beijing Megvii Technology Co., Ltd.")
        # removed by the 2025 notice, filed (made public) on 2025-01-06; on the Entity List since 2019
        # (the Consolidated Screening List's record)
        assert entity_history(session, megvii, on=D("2026-11-25"))["intervals"] == {
            "1260H": [{"start": "2024-01-31", "end": "2025-01-06"}],
            "Entity List": [{"start": "2019-10-09", "end": None}],
            "NS-CMIC": [{"start": "2021-12-16", "end": None}],
        }
        # a removal from the one list a company is on: the score drops and the residual decays (Megvii,
        # removed from 1260H, is still on the Entity List and NS-CMIC and stays at the cap)
        idg = "IDG Capital Partners Co., Ltd."
        assert entity_history(session, queries.get_entity(session, name=idg), on=D("2026-11-25"))["intervals"] == {
            "1260H": [{"start": "2024-01-31", "end": "2024-12-17"}]
        }
        assert (
            score(idg, "2024-12-16")
            > score(idg, "2024-12-17")
            > score(idg, "2025-06-17")
            > score(idg, "2026-06-17")
            > 0
        )
        assert score(meg := "Beijing Megvii Technology Co., Ltd.", "2025-01-06") >= score(meg, "2025-07-07") > 70
        jumps = {
            (j.entity, j.day)
            for j in score_jumps(session, since=D("2026-06-01"), through=D("2026-06-30"), threshold=20)
        }
        assert ("BYD Company Limited", D("2026-06-08")) in jumps
    engine.dispose()

"""One event per fact: the same change reported by several outlets (or in two languages) is one fact with
several pieces of evidence, alerted once and scored once; lists without a weight are never scored."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from sqlmodel import select

from core.settings import DATA_DIR, Settings
from core.vocabulary import AlertKind, DateKind, ListName
from db.models import Alert, Document, Entity, ExposureScore, JobState, ListingEvent, Source
from jobs.alerts import BASELINE_KEY, collect_alerts
from jobs.slack import message
from scoring.model import (
    MODEL_SOURCES,
    EventFact,
    ScoringConfig,
    event_facts,
    group_facts,
    model_version,
    series_arrays,
)

D = date.fromisoformat
CONFIG = ScoringConfig.load(DATA_DIR / "scoring.toml")


def event(day, *, status="proposed", kind=DateKind.REPORTED, document=1, official=False, list_name="1260H", entity=1):
    return ListingEvent(
        entity_id=entity,
        list_name=list_name,
        status=status,
        effective_date=D(day),
        date_kind=kind,
        publication_date=D(day) if kind == DateKind.REPORTED else D(day) + timedelta(days=1),
        official=official,
        evidence_document_id=document,
    )


# --- grouping --------------------------------------------------------------------------------------


def test_reports_within_the_window_are_one_fact_outside_two():
    english, german = event("2026-03-02", document=1), event("2026-03-04", document=2)
    [fact] = group_facts([german, english], window_days=7)
    assert (fact.day, fact.status, fact.official, fact.date_kind) == (D("2026-03-02"), "proposed", False, "reported")
    assert fact.document_ids == [1, 2] and not fact.stated
    later = event("2026-03-12", document=3)  # ten days after the first report
    assert [f.day for f in group_facts([english, german, later], window_days=7)] == [D("2026-03-02"), D("2026-03-12")]
    assert len(group_facts([english, german], window_days=1)) == 2  # the window is a setting
    assert len(group_facts([english, german], window_days=0)) == 2
    assert len(group_facts([english, event("2026-03-02", document=2)], window_days=0)) == 1


def test_stated_dates_never_merge_and_reports_join_the_fact_they_follow():
    first, second = (event(day, status="designated", kind=DateKind.STATED) for day in ("2026-06-01", "2026-06-05"))
    assert len(group_facts([first, second], window_days=7)) == 2
    same_day = event("2026-06-01", status="designated", kind=DateKind.LIST_DATE, official=True, document=9)
    report = event("2026-06-03", status="designated", document=5)  # published two days later, no date stated
    facts = group_facts([first, second, same_day, report], window_days=7)
    # the report joins the latest fact on or before its day, official evidence first
    assert [(f.day, f.document_ids) for f in facts] == [(D("2026-06-01"), [9, 1, 5]), (D("2026-06-05"), [1])]
    assert facts[0].official and facts[0].date_kind == "list_date" and facts[0].stated
    early = event("2026-05-30", status="designated", document=6)  # before any stated date: its own fact
    assert [f.day for f in group_facts([first, early], window_days=7)] == [D("2026-05-30"), D("2026-06-01")]


def test_facts_keep_entities_lists_and_statuses_apart():
    events = [
        event("2026-03-02"),
        event("2026-03-02", entity=2),
        event("2026-03-02", list_name="Entity List"),
        event("2026-03-02", status="withdrawn"),
    ]
    assert len(group_facts(events, window_days=7)) == 4


def test_undated_events_are_one_fact_and_never_scored():
    undated = [
        ListingEvent(entity_id=1, list_name="1260H", status="designated", evidence_document_id=d) for d in (1, 2)
    ]
    [fact] = group_facts(undated, window_days=7)
    assert fact.day is None and fact.document_ids == [1, 2]
    assert event_facts(undated, window_days=7) == []


report_strategy = st.builds(
    lambda day, status, stated, document: event(
        day.isoformat(), status=status, kind=DateKind.STATED if stated else DateKind.REPORTED, document=document
    ),
    day=st.dates(min_value=D("2026-01-01"), max_value=D("2026-03-31")),
    status=st.sampled_from(["proposed", "designated"]),
    stated=st.booleans(),
    document=st.integers(1, 50),
)


@hsettings(max_examples=80, deadline=None)
@given(events=st.lists(report_strategy, max_size=12), new=report_strategy, window=st.integers(0, 10))
def test_a_new_report_changes_no_fact_before_its_day(events, new, window):
    """What incremental scoring relies on: it recomputes from the day of the newest evidence."""

    def before(facts):
        return sorted((f.day, f.status, f.official) for f in facts if f.day < new.effective_date)

    assert before(event_facts(events, window_days=window)) == before(event_facts(events + [new], window_days=window))


# --- scoring ---------------------------------------------------------------------------------------


def test_each_fact_is_one_signal():
    two_outlets = [event("2026-03-02", document=1), event("2026-03-04", document=2)]
    facts = event_facts(two_outlets, window_days=7)
    assert facts == [EventFact(D("2026-03-02"), "1260H", "proposed", False)]
    [signals] = series_arrays(facts, [], D("2026-03-04"), D("2026-03-04"), CONFIG)["parts"]["signals"].tolist()
    assert signals == round(15 * 0.5 ** (2 / 120), 2)  # one proposal, not two


@pytest.mark.parametrize(
    "list_name", [ListName.SECTION_1237, ListName.UFLPA_ENTITY_LIST, ListName.CHINA_UNRELIABLE_ENTITY_LIST]
)
def test_lists_without_a_weight_are_not_scored_and_never_1260h(list_name):
    assert not CONFIG.scores_list(list_name) and CONFIG.listing_weight(list_name) == 0
    events = [
        EventFact(D("2026-06-08"), list_name, "designated", True),
        EventFact(D("2026-06-20"), list_name, "proposed", False),
    ]
    arrays = series_arrays(events, [], D("2026-06-01"), D("2027-07-15"), CONFIG)
    assert float(arrays["score"].max()) == 0.0  # no listing, tenure, signals nor section 805 consequences
    control = series_arrays(
        [EventFact(D("2026-06-08"), "1260H", "designated", True)], [], D("2026-07-01"), D("2026-07-01"), CONFIG
    )
    assert control["parts"]["consequences"].tolist() == [10.0]


def test_every_list_with_a_weight_is_a_list_riskwatch_knows():
    assert set(CONFIG.raw["listing"]) <= set(ListName)
    assert CONFIG.scores_list(ListName.FCC_COVERED) and CONFIG.listing_weight(ListName.FCC_COVERED) == 40


def test_every_list_the_cue_words_name_is_a_list_riskwatch_stores():
    """An event on a list outside ListName is logged and dropped (the schema's CHECK constraint): the NLP's
    cue words must name the lists exactly as core.vocabulary does."""
    import json

    def named(node):
        if isinstance(node, dict):
            return {v for k, v in node.items() if k == "list" and isinstance(v, str)} | {
                name for v in node.values() for name in named(v)
            }
        return {name for v in node for name in named(v)} if isinstance(node, list) else set()

    lists = named(json.loads((DATA_DIR / "nlp" / "cues.json").read_text(encoding="utf-8")))
    assert lists <= set(ListName), lists - set(ListName)


def test_the_fact_window_is_part_of_the_model_version():
    weights = (DATA_DIR / "scoring.toml").read_bytes()
    assert CONFIG.version == model_version(weights, b"".join(p.read_bytes() for p in MODEL_SOURCES))
    other = ScoringConfig.from_settings(Settings(fact_window_days=3))
    assert other.fact_window_days == 3 and other.version != CONFIG.version


# --- through storage: alerts and the stored series ---------------------------------------------------


def _two_outlets(session, *, german_day: str) -> Entity:
    """An English and a German article reporting the Pentagon's proposal to list Acme, no date stated."""
    source = Source(name="news", kind="news")
    entity = Entity(name="Acme Robotics Co., Ltd.", watched=True)
    session.add_all([source, entity])
    session.flush()
    articles = [
        ("https://www.wire.example/2026/03/acme.html", "wire.example", "en", "2026-03-02"),
        ("https://www.blatt.example/2026/03/acme-liste.html", "blatt.example", "de", german_day),
    ]
    for url, domain, language, day in articles:
        document = Document(
            source_id=source.id,
            external_id=url,
            url=url,
            title=f"Acme ({language})",
            doc_type="Article",
            language=language,
            publication_date=D(day),
            meta={"domain": domain},
            content_hash=url,
            status="processed",
        )
        session.add(document)
        session.flush()
        session.add(
            ListingEvent(
                entity_id=entity.id,
                list_name="1260H",
                status="proposed",
                effective_date=D(day),
                date_kind=DateKind.REPORTED,
                publication_date=D(day),
                official=False,
                evidence_document_id=document.id,
                sentence=f"sentence ({language})",
                evidence=[f"sentence ({language})"],
            )
        )
    session.add(JobState(key=BASELINE_KEY, value="recorded"))  # not the first run: alerts are pending
    session.commit()
    return entity


def test_two_outlets_in_two_languages_within_the_window_are_one_alert(session, isolated_settings):
    _two_outlets(session, german_day="2026-03-04")
    stats = collect_alerts(session, isolated_settings, through=D("2026-03-04"))
    [alert] = session.exec(select(Alert)).all()
    assert stats.new == 1 and alert.kind == AlertKind.WATCH and alert.status == "pending"
    assert (alert.event_status, alert.effective_date) == ("proposed", D("2026-03-02"))
    outlets = [(e["outlet"], e["language"], e["publication_date"]) for e in alert.payload["evidence"]]
    assert outlets == [("wire.example", "en", "2026-03-02"), ("blatt.example", "de", "2026-03-04")]
    headline, blocks = message(alert)
    assert headline == "WATCH: Acme Robotics Co., Ltd. proposed on 1260H (2026-03-02)"
    listed = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert any("Reported by 2 documents" in t and "wire.example" in t and "blatt.example" in t for t in listed)
    assert collect_alerts(session, isolated_settings, through=D("2026-03-05")).new == 0  # a rerun: nothing new


def test_two_outlets_outside_the_window_are_two_facts_and_two_alerts(session, isolated_settings):
    _two_outlets(session, german_day="2026-03-12")
    assert collect_alerts(session, isolated_settings, through=D("2026-03-12")).new == 2
    days = sorted(a.effective_date for a in session.exec(select(Alert)))
    assert days == [D("2026-03-02"), D("2026-03-12")]
    assert all(len(a.payload["evidence"]) == 1 for a in session.exec(select(Alert)))


def test_an_earlier_report_found_later_does_not_alert_the_fact_again(session, isolated_settings):
    entity = _two_outlets(session, german_day="2026-03-04")
    assert collect_alerts(session, isolated_settings, through=D("2026-03-04")).new == 1
    source = session.exec(select(Source)).first()
    late = Document(
        source_id=source.id,
        external_id="late",
        url="https://late.example/a",
        publication_date=D("2026-03-01"),
        content_hash="late",
        status="processed",
    )
    session.add(late)
    session.flush()
    session.add(
        ListingEvent(
            entity_id=entity.id,
            list_name="1260H",
            status="proposed",
            effective_date=D("2026-03-01"),
            date_kind=DateKind.REPORTED,
            publication_date=D("2026-03-01"),
            evidence_document_id=late.id,
        )
    )
    session.commit()
    assert collect_alerts(session, isolated_settings, through=D("2026-03-05")).new == 0


def test_the_stored_series_counts_the_fact_once_and_history_lists_its_evidence(session, isolated_settings):
    from scoring.series import score_entities
    from scoring.timeline import entity_history

    entity = _two_outlets(session, german_day="2026-03-04")
    score_entities(session, through=D("2026-03-04"), settings=isolated_settings)
    row = session.exec(
        select(ExposureScore).where(ExposureScore.entity_id == entity.id, ExposureScore.day == D("2026-03-04"))
    ).one()
    assert row.signals == round(15 * 0.5 ** (2 / 120), 2)  # one proposal, reported twice
    history = entity_history(session, entity, on=D("2026-03-04"))
    assert len(history["events"]) == 2  # every piece of evidence is still shown
    [fact] = history["facts"]
    assert (fact["date"], fact["status"], fact["date_kind"]) == ("2026-03-02", "proposed", "reported")
    assert [e["source_url"] for e in fact["evidence"]] == [
        "https://www.wire.example/2026/03/acme.html",
        "https://www.blatt.example/2026/03/acme-liste.html",
    ]
    assert len(entity_history(session, entity, on=D("2026-03-04"), window_days=1)["facts"]) == 2

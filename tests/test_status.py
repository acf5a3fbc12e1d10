"""The one listing-state function, the status line built on it, and the shared name resolution."""

import ast
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from core.listing_state import listed_lists, listing_intervals, listing_states
from core.settings import PROJECT_ROOT
from db.engine import make_engine
from db.queries import get_entity

D = date.fromisoformat


@dataclass
class Ev:  # the fields of a ListingEvent the listing state reads
    status: str
    effective_date: date
    official: bool
    list_name: str = "1260H"
    publication_date: date | None = None


SEED_HISTORY = [
    Ev("proposed", D("2025-11-20"), False),
    Ev("proposed", D("2025-11-21"), False),
    Ev("withdrawn", D("2026-02-13"), True),
    Ev("withdrawn", D("2026-02-14"), False),
    Ev("designated", D("2026-06-08"), True),
    Ev("designated", D("2026-06-08"), True, publication_date=D("2026-06-10")),
    Ev("proposed", D("2026-06-08"), True),  # the notice on public inspection the same day
]


@pytest.mark.parametrize(
    "day, status, since, official",
    [
        ("2025-11-19", None, None, None),
        ("2025-12-01", "proposed", "2025-11-20", False),  # dated by its first report, not the echo
        ("2026-03-01", "withdrawn", "2026-02-13", True),  # the official withdrawal, not the next day's news
        ("2026-06-08", "designated", "2026-06-08", True),  # a proposal that came true is the listing
        ("2026-12-02", "designated", "2026-06-08", True),
    ],
)
def test_the_seed_case_reads_proposed_then_withdrawn_then_listed(day, status, since, official):
    state = listing_states(SEED_HISTORY, on=D(day)).get("1260H")
    if status is None:
        assert state is None
        return
    assert (state.status, state.since.isoformat(), state.official) == (status, since, official)
    assert state.listed == (status == "designated")


def test_removal_and_relisting_and_news_never_open_or_close_a_listing():
    events = [
        Ev("designated", D("2021-06-03"), True),
        Ev("removed", D("2022-01-01"), False),  # a news report of a removal changes nothing
        Ev("removed", D("2024-01-31"), True),
        Ev("designated", D("2024-06-01"), False),  # nor does a news report of a designation
        Ev("designated", D("2025-01-07"), True),
        Ev("designated", D("2025-01-07"), True, list_name="Entity List"),
    ]
    assert listing_intervals(events) == {
        "1260H": [(D("2021-06-03"), D("2024-01-31")), (D("2025-01-07"), None)],
        "Entity List": [(D("2025-01-07"), None)],
    }
    assert listed_lists(events, on=D("2022-06-01")) == {"1260H"}
    removed = listing_states(events, on=D("2024-06-02"))["1260H"]
    assert (removed.status, removed.since, removed.listed) == ("removed", D("2024-01-31"), False)
    assert listed_lists(events, on=D("2025-01-07")) == {"1260H", "Entity List"}
    assert listed_lists(events, on=D("2025-01-06")) == set()


LIBRARY = ("core", "db", "nlp", "scoring", "dashboard", "crawler")


def test_library_code_never_reads_the_clock_for_the_day_it_reasons_about():
    """The day is an argument: only the CLI and jobs pass today (`date.today()`)."""
    found = []
    for layer in LIBRARY:
        for path in sorted((PROJECT_ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "today"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "date"
                ):
                    found.append(f"{Path(path).relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert found == []


# --- on the replayed bundled history -------------------------------------------------------------


@pytest.fixture
def replayed_session(replayed_copy):
    engine = make_engine(replayed_copy)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.mark.parametrize(
    "name, day, tone, text",
    [
        (
            "BYD Company Limited",
            "2026-12-01",
            "listed",
            "LISTED on 1260H since 2026-06-08 — DoD list of 2026-06-08; Federal Register 2026-06-10",
        ),
        (
            "BYD Auto",
            "2026-12-01",
            "related",
            "Not listed itself — parent BYD Company Limited listed on 1260H since 2026-06-08",
        ),
        ("BYD Auto", "2026-01-01", "clear", "Not listed on any list riskwatch follows, as of 2026-01-01"),
        ("Alibaba Group Holding Limited", "2025-12-01", "proposed", "PROPOSED for 1260H since 2025-11-20"),
        (
            "Alibaba Group Holding Limited",
            "2026-03-01",
            "withdrawn",
            "Not listed — named for 1260H in a notice withdrawn on 2026-02-13, never published",
        ),
    ],
)
def test_status_lines_on_the_replayed_history(replayed_session, name, day, tone, text):
    from scoring.status import status_line

    line = status_line(replayed_session, get_entity(replayed_session, name=name), on=D(day))
    assert line.tone == tone and line.text.startswith(text), line.text
    if tone == "listed":
        assert [e.url.split("/")[2] for e in line.evidence] == ["media.defense.gov", "www.federalregister.gov"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("BYD", "BYD Company Limited"),
        ("byd co ltd", "BYD Company Limited"),
        ("比亚迪", "BYD Company Limited"),
        ("BYD Auto", "BYD Auto"),
        ("BYD Auto Co", "BYD Auto"),
        ("BYD Auto Co., Ltd.", "BYD Auto"),
        ("阿里巴巴", "Alibaba Group Holding Limited"),
        ("Alibaba", "Alibaba Group Holding Limited"),
        ("Baidu", "Baidu, Inc."),
    ],
)
def test_names_resolve_the_same_way_everywhere(replayed_session, query, expected):
    from scoring.names import NameResolver

    assert NameResolver.from_session(replayed_session).resolve(query).entity == expected


def test_an_unknown_name_says_so_with_the_closest_candidates(replayed_session):
    from scoring.names import NameResolver

    resolution = NameResolver.from_session(replayed_session).resolve("Alibaba Grp")
    assert resolution.entity is None
    assert resolution.message.startswith("no company named 'Alibaba Grp'; closest: Alibaba Group Holding Limited")


def test_screening_shows_status_line_since_link_and_closest_candidate(replayed_session):
    from scoring.screening import read_counterparties, screen

    rows = read_counterparties("name\nBYD Auto Co\nAlibaba Grp\n阿里巴巴\n".encode())
    byd_auto, unmatched, alibaba = screen(replayed_session, rows, on=D("2026-12-01"))
    assert (byd_auto.matched_entity, byd_auto.status, byd_auto.since) == ("BYD Auto", "related", "2026-06-08")
    assert byd_auto.company_page == "/company?entity=BYD%20Auto"
    assert (alibaba.matched_entity, alibaba.status, alibaba.lists) == (
        "Alibaba Group Holding Limited",
        "listed",
        "1260H",
    )
    assert alibaba.status_line.startswith("LISTED on 1260H since 2026-06-08")
    assert unmatched.matched_entity is None and unmatched.match_score is None and unmatched.exposure is None
    assert unmatched.closest_candidate == "Alibaba Group Holding Limited" and 0 < unmatched.closest_score < 0.85

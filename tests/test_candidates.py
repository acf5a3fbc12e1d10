"""Candidates: organisations not in the database that a document reports with a listing event are stored
with the document's analysis, shown to the analyst (escaped), never scored and never alerted; linked
events keep their evidence sentences."""

import logging
from datetime import date

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from core.settings import PROJECT_ROOT
from dashboard import queries as dashboard_queries
from db.models import Alert, CandidateEvent, Document, Entity, ExposureScore, JobState, ListingEvent, Source
from jobs.alerts import BASELINE_KEY, collect_alerts
from nlp import prose
from nlp.events import SentenceEvent
from nlp.process import ProcessStats
from scoring.series import score_entities

D = date.fromisoformat
BYD = "BYD Company Limited"
SCRIPT = "<script>alert(1)</script> [Shady](javascript:x) Co."


class FakePipeline:
    def pipe(self, texts, batch_size=64):
        return iter(texts)


def _read(session, settings, monkeypatch, events_per_document):
    """Run prose NLP over the pending documents with the analysis replaced by ``events_per_document``
    (document external id -> SentenceEvents): storage is what is tested, not the extractor."""
    monkeypatch.setattr(prose, "build_pipeline", lambda *args, **kwargs: FakePipeline())
    texts = {}
    monkeypatch.setattr(
        prose, "analyze_doc", lambda text, linker, lang, **kwargs: ([], events_per_document[texts[text]])
    )
    documents = session.exec(select(Document).order_by(Document.id)).all()
    items = []
    for document in documents:
        texts[f"text of {document.external_id}"] = document.external_id
        items.append((document, f"text of {document.external_id}"))
    stats = ProcessStats()
    prose.process_prose(session, settings, items, stats)
    return stats


def _article(session, external_id="a1", day="2026-03-02"):
    source = session.exec(select(Source)).first() or Source(name="news", kind="news")
    session.add(source)
    session.flush()
    document = Document(
        source_id=source.id,
        external_id=external_id,
        url=f"https://www.wire.example/{external_id}.html",
        title=f"Article {external_id}",
        doc_type="Article",
        language="en",
        publication_date=D(day),
        content_hash=external_id,
    )
    session.add(document)
    session.commit()
    return document


EVENTS = [
    SentenceEvent(
        BYD,
        "1260H",
        "proposed",
        None,
        "The Pentagon asked to add BYD to the list.",
        evidence=("Headline: the 1260H list.", "The Pentagon asked to add BYD to the list."),
        cue="asked to add",
    ),
    SentenceEvent(
        "Quectel Wireless Solutions",
        "FCC Covered List",
        "proposed",
        D("2026-02-27"),
        "Quectel could be added to the FCC Covered List, filed on February 27.",
        linked=False,
        cue="could be added",
    ),
    SentenceEvent(SCRIPT, "1260H", "designated", None, f"{SCRIPT} was added to the list.", linked=False, cue="added"),
    SentenceEvent(BYD, "Some Other List", "designated", None, "BYD is on some other list.", cue="is on"),
]


def test_unlinked_organisations_are_candidates_and_linked_events_keep_their_evidence(
    session, isolated_settings, monkeypatch, caplog
):
    session.add(Entity(name=BYD, watched=True))
    document = _article(session)
    with caplog.at_level(logging.WARNING, logger="nlp.prose"):
        stats = _read(session, isolated_settings, monkeypatch, {"a1": EVENTS})
    assert stats.processed == 1 and stats.events == 1
    [event] = session.exec(select(ListingEvent)).all()
    assert (event.list_name, event.status, event.effective_date, event.date_kind) == (
        "1260H",
        "proposed",
        D("2026-03-02"),
        "reported",
    )
    assert event.evidence == ["Headline: the 1260H list.", "The Pentagon asked to add BYD to the list."]
    assert "a list riskwatch does not know" in caplog.text and "Some Other List" in caplog.text
    candidates = session.exec(select(CandidateEvent).order_by(CandidateEvent.id)).all()
    assert [(c.name, c.list_name, c.status, c.effective_date, c.date_kind, c.cue) for c in candidates] == [
        ("Quectel Wireless Solutions", "FCC Covered List", "proposed", D("2026-02-27"), "stated", "could be added"),
        (SCRIPT, "1260H", "designated", D("2026-03-02"), "reported", "added"),
    ]
    assert candidates[0].evidence == [candidates[0].sentence] and candidates[0].document_id == document.id
    # read again (the document reprocessed): replaced, not duplicated
    session.refresh(document)
    document.status = "pending"
    session.add(document)
    session.commit()
    _read(session, isolated_settings, monkeypatch, {"a1": EVENTS[:2]})
    assert [c.name for c in session.exec(select(CandidateEvent))] == ["Quectel Wireless Solutions"]
    assert len(session.exec(select(ListingEvent)).all()) == 1


def test_candidates_are_never_scored_nor_alerted(session, isolated_settings, monkeypatch):
    _article(session)
    session.add(JobState(key=BASELINE_KEY, value="recorded"))
    session.commit()
    _read(session, isolated_settings, monkeypatch, {"a1": EVENTS[1:3]})
    assert len(session.exec(select(CandidateEvent)).all()) == 2
    assert session.exec(select(Entity)).all() == []  # no entity made up for them
    score_entities(session, through=D("2026-03-10"), settings=isolated_settings)
    assert session.exec(select(ExposureScore)).all() == []
    assert collect_alerts(session, isolated_settings, through=D("2026-03-10")).new == 0
    assert session.exec(select(Alert)).all() == []


def test_dashboard_shows_candidates_escaped(session, isolated_settings, monkeypatch):
    session.add(Entity(name=BYD))
    _article(session, "a1", "2026-03-02")
    _article(session, "a2", "2026-03-03")
    _read(session, isolated_settings, monkeypatch, {"a1": EVENTS[:2], "a2": EVENTS[2:3]})
    ids = {d.external_id: d.id for d in session.exec(select(Document))}
    detail = dashboard_queries.document_detail(session, document_id=ids["a1"])
    frame = detail["candidates"]
    assert list(frame.columns) == dashboard_queries.CANDIDATE_COLUMNS
    assert list(frame["organisation"]) == ["Quectel Wireless Solutions"]
    assert dashboard_queries.document_candidates(session, document_id=ids["a2"])["organisation"].tolist() == [SCRIPT]
    recent = dashboard_queries.recent_candidates(session)
    assert recent["organisation"].tolist() == [SCRIPT, "Quectel Wireless Solutions"]  # newest first
    assert recent["source"].tolist()[0] == "https://www.wire.example/a2.html"

    views = PROJECT_ROOT / "dashboard" / "views"
    overview = AppTest.from_file(str(views / "overview.py"), default_timeout=60).run()
    assert not overview.exception  # no scores yet: the empty state, no candidates table
    documents = AppTest.from_file(str(views / "documents.py"), default_timeout=60).run()
    assert not documents.exception
    heading = "Unlinked organisations reported with listing events (candidates, not scored)"
    assert heading in [s.value for s in documents.subheader]  # the newest document (a2) is opened
    shown = [m.value for m in documents.markdown]
    assert not any("<script>" in text or "](javascript" in text for text in shown)
    assert any("\\<script\\>" in text for text in shown)


def test_overview_lists_candidates_when_scores_exist(session, isolated_settings, monkeypatch):
    session.add(Entity(name=BYD))
    _article(session)
    _read(session, isolated_settings, monkeypatch, {"a1": EVENTS[:3]})
    score_entities(session, through=D("2026-03-10"), settings=isolated_settings)
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "views" / "overview.py"), default_timeout=60).run()
    assert not app.exception
    heading = "Unlinked organisations reported with listing events (candidates, not scored)"
    assert heading in [s.value for s in app.subheader]
    tables = [frame.value for frame in app.dataframe]
    candidates = next(t for t in tables if "Organisation" in t.columns)
    assert set(candidates["Organisation"]) == {"Quectel Wireless Solutions", SCRIPT}
    assert "BYD Company Limited" not in set(candidates["Organisation"])

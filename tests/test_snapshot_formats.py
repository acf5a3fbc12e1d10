"""The bundled Federal Register snapshot is served in the real layouts of each format (no parser needed).

GPO text (raw_text_url): an HTML page wrapping plain text in <pre>; FR body HTML (body_html_url):
names as <p>, justifications as ul.bullets li; GPO XML (full_text_xml_url); public-inspection raw
text: plain text with form feeds. The desk is empty on weekends and federal holidays.
"""

import json
import re
import urllib.error
import urllib.request
from datetime import date
from html.parser import HTMLParser

import pytest
from lxml import etree

from core.settings import DATA_DIR
from jobs.replay import ReplayServer

FR = DATA_DIR / "snapshot" / "federal_register"
RECORDS = [json.loads(p.read_text()) for p in sorted((FR / "documents").glob("*.json"))]
BY_NUMBER = {r["document_number"]: r for r in RECORDS}
LISTS = [r for r in RECORDS if "Removal" not in r["title"]]  # notices that designate entities


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type"), response.read().decode("utf-8")


def get_json(url: str):
    return json.loads(get(url)[2])


@pytest.fixture(scope="module")
def replay():
    with ReplayServer(DATA_DIR / "snapshot", as_of=date(2026, 11, 25)) as server:
        yield server


def served(replay, url: str):
    return get(replay.localise(url))


def pre_text(page: str) -> str:
    match = re.search(r"<pre>\n(.*)</pre>", page, re.S)
    assert match, "no <pre> block"
    return match.group(1)


class Collector(HTMLParser):
    """Texts of <p> and of li inside ul.bullets."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.p: list[str] = []
        self.li: list[str] = []
        self._buf: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("p", "li"):
            parent = self.stack[-1] if self.stack else ("", {})
            self._kind = "li" if tag == "li" and parent[0] == "ul" and parent[1].get("class") == "bullets" else tag
            self._buf = []
        self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag in ("p", "li") and self._buf is not None:
            text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
            (self.li if self._kind == "li" else self.p).append(text)
            self._buf = None

    def handle_data(self, data):
        if self._buf is not None:
            self._buf.append(data)


def test_the_2026_notice_carries_the_real_identifiers():
    doc = BY_NUMBER["2026-11571"]
    assert "2026-11871" not in BY_NUMBER
    assert doc["citation"] == "91 FR 35189" and doc["publication_date"] == "2026-06-10"
    assert doc["docket_ids"] == ["Docket ID: DOD-2026-OS-1288"] and doc["effective_on"] is None
    assert doc["agencies"][0]["slug"] == "defense-department" and doc["agencies"][1] == {
        "raw_name": "Office of the Secretary"
    }
    assert doc["raw_text_url"].endswith("/documents/full_text/text/2026/06/10/2026-11571.txt")
    assert doc["_reconstructed"]
    interim = BY_NUMBER["2024-24723"]
    assert (
        interim["title"] == "Notice of Designation of Chinese Military Company" and interim["citation"] == "89 FR 84547"
    )
    assert all(r["docket_ids"][0].startswith("Docket ID: DOD-") for r in RECORDS)


@pytest.mark.parametrize("number", sorted(BY_NUMBER))
def test_every_text_url_resolves_with_its_content_type(replay, number):
    doc = BY_NUMBER[number]
    status, ctype, _ = served(replay, doc["raw_text_url"])
    assert status == 200 and ctype.startswith("text/html")
    status, ctype, _ = served(replay, doc["body_html_url"])
    assert status == 200 and ctype.startswith("text/html")
    status, ctype, body = served(replay, doc["full_text_xml_url"])
    assert status == 200 and ctype.startswith("application/xml")
    root = etree.fromstring(body.encode("utf-8"))
    assert root.tag == "NOTICE"
    for tag in ("PREAMB", "SUPLINF", "SIG", "FRDOC", "BILCOD"):
        assert root.find(f".//{tag}") is not None, tag
    assert root.findtext(".//FRDOC").startswith(f"[FR Doc. {number} Filed ")
    assert root.findtext(".//DEPDOC") == f"[{doc['docket_ids'][0]}]"


@pytest.mark.parametrize("number", sorted(BY_NUMBER))
def test_gpo_text_is_plain_text_in_pre(replay, number):
    doc = BY_NUMBER[number]
    page = served(replay, doc["raw_text_url"])[2]
    text = pre_text(page)
    assert "<li" not in text and "<p>" not in text and "<tr" not in text
    assert text.startswith(f"[Federal Register Volume {int(doc['publication_date'][:4]) - 1935}, Number ")
    assert f"[FR Doc No: {number}]" in text and f"[{doc['docket_ids'][0]}]" in text
    assert re.search(rf"^\[FR Doc\. {number} Filed \d+-\d+-\d\d; \d+:\d\d [ap]m\]$", text, re.M)
    assert re.search(r"^BILLING CODE \S+$", text, re.M) and "    Dated: " in text
    assert re.search(r"\n\n\[\[Page \d+\]\]\n\n", text)
    assert all(len(line) <= 73 for line in text.splitlines() if "<a href" not in line)
    if doc in LISTS:
        assert re.search(r"^    <bullet> .*\(Sections? 1260H\(g\)", text, re.M | re.S)


def test_the_2026_text_splits_a_heading_and_a_bullet_at_page_breaks(replay):
    text = pre_text(served(replay, BY_NUMBER["2026-11571"]["raw_text_url"])[2])
    assert "section 1260H:\n\n" in text
    assert re.search(r"^\S.*\(and \S.* subsidiaries: ", text, re.M)
    assert re.search(r"^\S.*\(and \S.* subsidiary: ", text, re.M)
    blocks = text.split("\n\n")
    marks = [i for i, block in enumerate(blocks) if re.fullmatch(r"\[\[Page \d+\]\]", block)]
    assert len(marks) == 35194 - 35189
    before = [blocks[i - 1] for i in marks]
    assert any(not b.lstrip().startswith("<bullet>") and not b.rstrip().endswith(")") for b in before), (
        "no heading split"
    )
    assert any(b.lstrip().startswith("<bullet>") and not b.rstrip().endswith(".") for b in before), "no bullet split"
    removal = re.search(
        r"should\s+be\s+removed\s+from\s+the\s+most\s+recent\s+Section\s+1260H\s+List\s+announced"
        r"\s+on\s+January\s+7,\s+2025:\n\n((?:.+\n)+)\n",
        text,
    )
    assert removal and len(removal.group(1).splitlines()) == 10
    assert "[FR Doc. 2026-11571 Filed 6-8-26; 12:30 pm]" in text and "    Dated: June 5, 2026." in text


def test_interim_and_removal_notices_keep_their_layouts(replay):
    single = pre_text(served(replay, BY_NUMBER["2024-24723"]["raw_text_url"])[2])
    assert re.search(
        r"the\s+following\s+entity\s+qualifies\s+for\s+designation.*section\s+1260H:\n\nHesai Technology", single, re.S
    )
    assert single.count("<bullet>") == 1
    removal = pre_text(served(replay, BY_NUMBER["2024-30018"]["raw_text_url"])[2])
    names = re.search(r"announced\s+on\s+January\s+31,\s+2024:\n\n((?:.+\n)+)\n", removal)
    lines = names.group(1).splitlines() if names else []
    assert len(lines) == 2 and lines[0].startswith("Advanced Micro-Fabrication Equipment Inc. China")
    assert lines[1].startswith("IDG Capital Partners Co., Ltd.")


@pytest.mark.parametrize("number", [r["document_number"] for r in LISTS])
def test_body_html_names_are_paragraphs_and_bullets_are_list_items(replay, number):
    body = served(replay, BY_NUMBER[number]["body_html_url"])[2]
    collector = Collector()
    collector.feed(body)
    assert collector.li and all(not li.startswith("\u2022") for li in collector.li)
    assert any("1260H(g)" in li for li in collector.li)
    assert '<ul class="bullets">' in body and '<h1 id="h-1">AGENCY:</h1>' in body
    names = [p for p in collector.p if p.endswith(")") or "Co., Ltd." in p]
    assert names, "entity headings are <p>"
    assert '<p class="frdoc">[FR Doc. ' in body and 'class="signature"' in body
    if number == "2026-11571":
        assert "Alibaba Group Holding Limited (Alibaba)" in collector.p
        assert any(p.startswith("Anhui Sun Create Electronics") for p in collector.p)  # removals are <p> too


def test_public_inspection_records_have_the_real_fields(replay):
    fields = {
        "document_number",
        "title",
        "type",
        "agencies",
        "agency_names",
        "filed_at",
        "publication_date",
        "filing_type",
        "special_filing",
        "editorial_note",
        "agency_letters",
        "num_pages",
        "docket_numbers",
        "toc_subject",
        "toc_doc",
        "pdf_url",
        "html_url",
        "raw_text_url",
        "json_url",
    }
    for number in ("2025-00070", "2026-02984", "2026-11571"):
        record = get_json(f"{replay.api_base}/public-inspection-documents/{number}.json")
        assert fields <= set(record) and "_replay" not in record
        status, ctype, text = served(replay, record["raw_text_url"])
        assert status == 200 and ctype.startswith("text/plain")
        assert "\f" in text and "<" not in text.replace("<bullet>", "")
        assert f"[FR Doc. {number} Filed: " in text
    late = get_json(f"{replay.api_base}/public-inspection-documents/2026-11571.json")
    assert late["filed_at"] == "2026-06-08T12:30:00.000-04:00" and late["filing_type"] == "special"
    withdrawn = get_json(f"{replay.api_base}/public-inspection-documents/2026-02984.json")
    assert withdrawn["editorial_note"].startswith("An agency letter requesting withdrawal")
    assert withdrawn["agency_letters"] and withdrawn["agency_letters"][0]["url"].startswith("http")
    with pytest.raises(urllib.error.HTTPError):
        get(f"{replay.api_base}/documents/2026-02984.json")


def desk(replay, day: date) -> dict:
    return get_json(f"{replay.api_base}/public-inspection-documents.json?conditions%5Bavailable_on%5D={day}")


@pytest.mark.parametrize("day", [date(2026, 2, 14), date(2026, 2, 16), date(2026, 6, 19)])
def test_desk_is_empty_on_weekends_and_holidays(replay, day):
    assert desk(replay, day) == {"count": 0, "results": []}


def test_desk_windows(replay):
    on_13 = [d for d in desk(replay, date(2026, 2, 13))["results"] if not d["document_number"].startswith("2026-9")]
    assert [d["document_number"] for d in on_13] == ["2026-02984"]  # besides other agencies' filler
    assert on_13[0]["editorial_note"] and "_replay" not in on_13[0]
    assert "2025-00070" in [d["document_number"] for d in desk(replay, date(2025, 1, 6))["results"]]
    # a business day's desk is never empty once posted (other agencies' filings)
    assert desk(replay, date(2026, 6, 10))["count"] >= 1
    for day in (date(2026, 6, 8), date(2026, 6, 9)):
        assert "2026-11571" in [d["document_number"] for d in desk(replay, day)["results"]]
    assert "2026-11571" not in [d["document_number"] for d in desk(replay, date(2026, 6, 10))["results"]]
    replay.as_of = date(2026, 6, 9)
    try:
        with pytest.raises(urllib.error.HTTPError):
            get(f"{replay.api_base}/documents/2026-11571.json")
        replay.as_of = date(2026, 6, 10)
        assert get_json(f"{replay.api_base}/documents/2026-11571.json")["document_number"] == "2026-11571"
    finally:
        replay.as_of = date(2026, 11, 25)

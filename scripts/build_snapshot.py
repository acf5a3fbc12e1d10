"""Generate data/snapshot/ from data/facts/: Federal Register API records and full texts,
DoD/War release pages and list PDFs.

    pip install -e .[snapshot]     # reportlab, to draw the list PDFs
    python scripts/build_snapshot.py

The output is committed; re-running it is deterministic. Every generated file is
a reconstruction in the real API format from public facts (see the facts files'
_note and _reconstructed fields); no third-party prose is copied.
"""

from __future__ import annotations

import html
import re
import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from crawler.calendar import business_days  # noqa: E402  (the Federal Register's issue numbers count its business days)
from article_page import article_page  # noqa: E402
from fr_render import Notice, Para, body_html, gpo_text_page, gpo_xml, pi_raw_text, plan_page_breaks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "data" / "facts"
OUT = ROOT / "data" / "snapshot" / "federal_register"
DOD_OUT = ROOT / "data" / "snapshot" / "defense"
ORIGIN = "https://www.federalregister.gov"


def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def edition_lists(editions: list[dict]) -> dict[str, tuple[list[dict], list[dict]]]:
    """For each edition date: (every entity listed in that edition, entities removed by it)."""
    current: dict[str, dict] = {}
    result = {}
    for edition in sorted(editions, key=lambda e: e["edition"]):
        removed = []
        for entry in edition.get("removed", []):
            removed.append(current.pop(entry["name"], entry))
        for rename in edition.get("renamed", []):
            old = current.pop(rename["from"], {"name": rename["from"]})
            previous = [a for a in old.get("previous_names", []) if a != rename["to"]]
            current[rename["to"]] = {**old, "name": rename["to"], "previous_names": [rename["from"], *previous]}
        for entry in edition.get("added", []) + edition.get("carried_over_not_in_transcription", []):
            current[entry["name"]] = entry
        result[edition["edition"]] = (list(current.values()), removed)
    return result


def slug_of(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


# -- Federal Register notices in their real layouts (see scripts/fr_render.py) --------------------------

OFFICE = {"raw_name": "Office of the Secretary"}  # as the real documents.json answer: no slug, id or url
INTRO = (
    "Section 1260H of the William M. (Mac) Thornberry National Defense Authorization Act for Fiscal Year "
    "2021 (Pub. L. 116-283, 10 U.S.C. 113 note) (Section 1260H) directs the Secretary of Defense to "
    "identify each entity that is a \u201cChinese military company\u201d operating directly or indirectly in "
    "the United States, to keep that list current with additions and removals at least once a year, and to "
    "publish its unclassified portion in the Federal Register (Section 1260H(b))."
)
REASONS = {  # (g)(3) citation -> why the entity is a military-civil fusion contributor (our wording)
    "(g)(3)(A)": "it has received state support through science, technology, or industrial programs that serve "
    "Chinese military industrial planning",
    "(g)(3)(B)(i)": "it is affiliated with the Ministry of Industry and Information Technology (MIIT)",
    "(g)(3)(B)(ii)": "it is affiliated with the State-Owned Assets Supervision and Administration Commission (SASAC)",
    "(g)(3)(B)(iii)": "it is affiliated with the State Administration for Science, Technology and Industry for "
    "National Defense (SASTIND)",
    "(g)(3)(B)(iv)": "it is affiliated with the Ministry of State Security",
    "(g)(3)(B)(v)": "it is affiliated with the People\u2019s Liberation Army (PLA)",
    "(g)(3)(F)": "it holds a military production license",
}


def _norm(name: str) -> str:
    name = re.sub(r"\s*\([^()]*\)\s*$", "", name)  # "Parent Ltd. (SHORT)" as some listed_under values carry it
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("\u2019", "'"))


def _and_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]}, and {items[1]}" if "," in items[0] else f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _cite(citations: list[str]) -> str:
    cites = [c.removeprefix("1260H") for c in citations]
    if len(cites) == 1:
        return f"(Section 1260H{cites[0]})"
    first, *rest = cites
    return f"(Sections 1260H{first}{',' if len(rest) > 1 else ''} {_and_list(rest) if len(rest) > 1 else 'and ' + rest[0]})"


def short_name(entry: dict) -> str:
    return (entry.get("aliases") or [entry["name"]])[0]


def printed_name(entry: dict, renames: dict[str, tuple[str, str]]) -> str:
    text = entry["name"]
    if entry.get("aliases"):
        text += f" ({entry['aliases'][0]})"
    if entry["name"] in renames:
        old, basis = renames[entry["name"]]
        if basis == "printed-formerly":
            text += f" (formerly {old})"
        elif basis == "printed-also-known-as":
            text += f" (also known as {old})"
    return text


def basis_bullets(entry: dict) -> list[str]:
    """The justification paragraphs for one listed entity, from its statutory_basis (else a generic one)."""
    who = short_name(entry)
    basis = entry.get("statutory_basis") or []
    if not basis:
        return [
            f"{who} meets the definition of a \u201cChinese military company\u201d operating directly or "
            f"indirectly in the United States (Section 1260H(g)(2)(B))."
        ]
    first, bullets = [], []
    if "1260H(g)(2)(B)(i)(I)" in basis:
        first.append(
            f"{who} is, directly or indirectly, owned or controlled by, or affiliated with, organizations "
            f"of the Chinese state and its defense establishment (Section 1260H(g)(2)(B)(i)(I))."
        )
    fusion = [c for c in basis if c.removeprefix("1260H") in REASONS]
    if fusion:
        reasons = [REASONS[c.removeprefix("1260H")] for c in fusion]
        first.append(
            f"{who} contributes to military-civil fusion in the Chinese defense industrial base because "
            f"{_and_list(reasons)} {_cite(fusion)}."
        )
    bullets.append(" ".join(first))
    if "1260H(g)(3)(E)" in basis:  # a second paragraph, so that some entries carry more than one bullet
        bullets.append(
            f"{who} is also located in, or affiliated with, a military-civil fusion enterprise zone "
            f"(Section 1260H(g)(3)(E))."
        )
    return [b for b in bullets if b]


def entity_blocks(listed: list[dict], renames: dict[str, tuple[str, str]]) -> list[Para]:
    """One heading per listed entity, its subsidiaries inline, then its bullet paragraphs (alphabetical)."""
    by_norm = {}
    for entry in listed:
        if not entry.get("listed_under"):
            by_norm[_norm(entry["name"])] = entry
            for old in entry.get("previous_names", []):
                by_norm.setdefault(_norm(old), entry)
    children: dict[str, list[dict]] = {}
    mains = []
    for entry in listed:
        parent = by_norm.get(_norm(entry["listed_under"])) if entry.get("listed_under") else None
        if parent is not None and parent is not entry:
            children.setdefault(parent["name"], []).append(entry)
        else:
            mains.append(entry)
    paras = []
    for entry in sorted(mains, key=lambda e: (e["name"].casefold(), e["name"])):
        heading = printed_name(entry, renames)
        subs = sorted(children.get(entry["name"], []), key=lambda e: (e["name"].casefold(), e["name"]))
        if subs:
            word = "subsidiary" if len(subs) == 1 else "subsidiaries"
            heading += f" (and {short_name(entry)} {word}: {_and_list([printed_name(s, renames) for s in subs])})"
        paras.append(Para("fp", heading, role="entity"))
        paras += [Para("bullet", b) for b in basis_bullets(entry)]
    return paras


def closing(doc: dict, docket: str) -> list[Para]:
    paras = []
    if doc.get("mandarin_list"):
        paras.append(
            Para(
                "p",
                f"A Mandarin version of the list is posted in the docket for this notice at "
                f"https://www.regulations.gov (docket ID {docket}), among its Supporting & Related "
                f"Material.",
            )
        )
    email = doc.get("email")
    paras += [
        Para("hd1", "Reconsideration Process"),
        Para(
            "p",
            "An entity on the 1260H List may ask the Department of Defense to reconsider its listing. "
            "A request should provide:",
        ),
        Para(
            "p",
            "1. The name, mailing address, and email address of the entity and of a representative it has "
            "authorized; and",
        ),
        Para(
            "p",
            "2. An explanation of why the entity asks to be removed from the 1260H List, in detail and with "
            "the evidence that supports it.",
        ),
        Para(
            "p",
            "A request may add any other information the entity considers relevant, for example evidence "
            "that the listing lacked a sufficient basis or that the facts behind it have changed.",
        ),
        Para(
            "p",
            "Requests for reconsideration and other correspondence about the 1260H List should be sent by "
            + (f"email to {email}." if email else "email to the office named under FOR FURTHER INFORMATION CONTACT."),
        ),
    ]
    return paras


def printed_blocks(printing: dict) -> list[Para]:
    """The headings exactly as a real notice printed them (facts file), each with basis paragraphs in our
    wording from its citations."""
    paras = []
    for heading in printing["headings"]:
        paras.append(Para("fp", heading["printed"], role="entity"))
        paras += [
            Para("bullet", b)
            for b in basis_bullets(
                {"name": heading["short"], "aliases": [heading["short"]], "statutory_basis": heading["citations"]}
            )
        ]
    return paras


def build_notice(
    doc: dict,
    *,
    listed: list[dict],
    removed: list[dict],
    designated: list[dict],
    renames: dict[str, tuple[str, str]],
    printing: dict | None = None,
) -> tuple[Notice, str]:
    """The notice model for one FR document (edition, single designation or removal) and its summary.
    With ``printing`` (a real notice's headings and removal lines, as printed), those are used verbatim."""
    official = doc.get("official", "Deputy Secretary of Defense")
    docket = doc["docket_ids"][0]
    docket_id = docket.removeprefix("Docket ID: ")
    paras = [Para("p", INTRO)]
    if listed:
        summary = (
            f"The {official} has identified the entities named in the SUPPLEMENTARY INFORMATION section of "
            f"this notice as \u201cChinese military companies\u201d operating directly or indirectly in the "
            f"United States, and the Department of Defense is publishing that list."
        )
        paras.append(
            Para(
                "p",
                f"The {official} has found that each entity named below is a \u201cChinese military "
                f"company\u201d within the meaning of Section 1260H(g)(2)(B), is engaged in providing "
                f"commercial services, manufacturing, producing, or exporting (Section "
                f"1260H(g)(2)(B)(ii)), and operates directly or indirectly in the United States "
                f"(Section 1260H(a)), and identifies it in accordance with section 1260H:",
            )
        )
        paras += printed_blocks(printing) if printing else entity_blocks(listed, renames)
    elif designated:
        summary = (
            f"The {official} has designated the entity named in the SUPPLEMENTARY INFORMATION section of "
            f"this notice as a \u201cChinese military company\u201d under section 1260H."
        )
        paras.append(
            Para(
                "p",
                f"The {official} has determined that the following entity qualifies for "
                f"designation as a \u201cChinese military company\u201d operating directly or "
                f"indirectly in the United States, on the basis of a new record, in accordance with "
                f"section 1260H:",
            )
        )
        paras += entity_blocks(designated, renames)
    else:
        summary = (
            f"The {official} has removed the entities named in the SUPPLEMENTARY INFORMATION section of this "
            f"notice from the list of \u201cChinese military companies\u201d kept under section 1260H."
        )
    if removed:
        paras.append(
            Para(
                "p",
                f"After review, the {official} has determined that the following previously listed "
                f"entities should be removed from the most recent Section 1260H List announced on "
                f"{long_date(doc['previous_list'])}:",
            )
        )
        paras += (
            [Para("fp", line, role="removed") for line in printing["removals"]]
            if printing
            else [
                Para("fp", printed_name(e, {}), role="removed")
                for e in sorted(removed, key=lambda e: (e["name"].casefold(), e["name"]))
            ]
        )
    if not listed and not designated:
        paras.append(Para("p", "The other entities on the 1260H List remain designated."))
    paras += closing(doc, docket_id)
    pub = date.fromisoformat(doc.get("publication_date") or doc["filed_at"][:10])
    notice = Notice(
        number=doc["document_number"],
        title=doc["title"],
        publication_date=pub,
        start_page=doc.get("start_page") or 1,
        issue=len(business_days(date(pub.year, 1, 1), pub)),
        agency_line=doc["agency_line"],
        action="Notice.",
        summary=summary,
        contact=doc["contact"],
        docket=docket,
        paras=paras,
        dated=date.fromisoformat(doc["dated"]),
        signer_name=doc["signer"]["name"],
        signer_title=doc["signer"]["title"],
        filed_at=datetime.fromisoformat(doc["filed_at"]),
        billing_code=doc["billing_code"],
        end_page=doc.get("end_page"),
    )
    plan_page_breaks(notice)
    return notice, summary


def _paths(number: str, pub: str) -> str:
    y, m, d = pub.split("-")
    return f"{y}/{m}/{d}/{number}"


def document_record(doc: dict, facts: dict, notice: Notice, summary: str) -> dict:
    number, pub = doc["document_number"], doc["publication_date"]
    path = _paths(number, pub)
    return {
        "document_number": number,
        "title": doc["title"],
        "type": "Notice",
        "abstract": summary,
        "action": "Notice.",
        "dates": None,
        "publication_date": pub,
        "effective_on": None,  # no DATES section in these notices
        "signing_date": doc["dated"],
        "citation": doc["citation"],
        "start_page": doc["start_page"],
        "end_page": notice.end_page,
        "docket_ids": doc["docket_ids"],
        "agencies": [facts["agency"], OFFICE],
        "agency_names": ["Defense Department", "Office of the Secretary"],
        "html_url": f"{ORIGIN}/documents/{path.rsplit('/', 1)[0]}/{number}/{slug_of(doc['title'])}",
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{pub}/pdf/{number}.pdf",
        "public_inspection_pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
        "json_url": f"{ORIGIN}/api/v1/documents/{number}.json",
        "body_html_url": f"{ORIGIN}/documents/full_text/html/{path}.html",
        "raw_text_url": f"{ORIGIN}/documents/full_text/text/{path}.txt",
        "full_text_xml_url": f"{ORIGIN}/documents/full_text/xml/{path}.xml",
        "excerpts": None,
        "topics": [],
        "_reconstructed": doc.get("_reconstructed"),
    }


def pi_slug(title: str) -> str:
    """federalregister-api-core PublicInspectionDocument#slug (lowercase, & -> and, words joined by '-')."""
    clean = re.sub(r"[^a-z0-9& -]+", "", title.lower()).replace("&", "and")
    return "-".join(clean.split(" ")[:100])


def public_inspection_record(entry: dict, doc: dict, facts: dict, num_pages: int) -> dict:
    """A public-inspection-documents.json result, with the fields the real API serves."""
    number = entry["document_number"]
    desk = entry["desk"]
    digits = number.replace("-", "")
    letters = []
    if entry.get("agency_letter"):
        letter = entry["agency_letter"]
        letters.append(
            {
                "title": letter["title"],
                "url": "https://public-inspection.federalregister.gov/"
                f"pil_agency_letters/{letter['id']}/{letter['title']}",
            }
        )
    special = entry.get("filing_type") == "special"
    record = {
        "agencies": [facts["agency"], OFFICE],
        "agency_letters": letters,
        "agency_names": ["Defense Department", "Office of the Secretary"],
        "docket_numbers": [d.removeprefix("Docket ID: ") for d in doc["docket_ids"]],
        "document_number": number,
        "editorial_note": entry.get("editorial_note"),
        "filed_at": doc["filed_at"],
        "filing_type": "special" if special else "regular",
        "html_url": f"{ORIGIN}/public-inspection/{number}/{pi_slug(doc['title'])}",
        "json_url": f"{ORIGIN}/api/v1/public-inspection-documents/{number}.json",
        "last_public_inspection_issue": desk["on_desk_until"],
        "num_pages": num_pages,
        "pdf_file_name": f"{number}.pdf",
        "pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
        "publication_date": doc["publication_date"],
        # PublicInspectionDocument#document_file_path: the number without its dash, in groups of three
        "raw_text_url": f"{ORIGIN}/public-inspection/raw_text/{'/'.join(re.findall('.{1,3}', digits))}.txt",
        "special_filing": special,
        "title": doc["title"],
        "toc_doc": doc["title"],  # a one-line subject: toc_subject empty, toc_doc the subject (api-core)
        "toc_subject": "",
        "type": "Notice",
        "_replay": desk,
        "_reconstructed": entry.get("_reconstructed"),
    }
    return record


def build_federal_register(facts: dict, editions: list[dict], lists: dict) -> tuple[int, int]:
    if OUT.exists():
        shutil.rmtree(OUT)
    for sub in ("documents", "full_text", "public_inspection"):
        (OUT / sub).mkdir(parents=True)
    by_name = {entry["name"]: entry for edition in editions for entry in edition.get("added", [])}
    renames = {e["edition"]: {r["to"]: (r["from"], r["basis"]) for r in e.get("renamed", [])} for e in editions}
    interim_removed: set[str] = set()  # removed by a removal notice before the next edition
    notices: dict[str, tuple[Notice, str]] = {}
    edition_dates = sorted(e["edition"] for e in editions)
    for doc in facts["documents"]:
        number = doc["document_number"]
        before = doc.get("edition") or doc["publication_date"]
        doc = {"previous_list": max([d for d in edition_dates if d < before], default=None), **doc}
        if doc["kind"] == "removal":
            removed = [by_name.get(name, {"name": name}) for name in doc["removes"]]
            interim_removed |= set(doc["removes"])
            notice = build_notice(doc, listed=[], removed=removed, designated=[], renames={})
        elif doc["kind"] == "designation":
            designated = [by_name.get(name, {"name": name}) for name in doc["designates"]]
            notice = build_notice(doc, listed=[], removed=[], designated=designated, renames={})
        else:
            listed, removed = lists[doc["edition"]]
            removed = [e for e in removed if e["name"] not in interim_removed]
            printing = (
                json.loads((FACTS / doc["printing"]).read_text(encoding="utf-8")) if doc.get("printing") else None
            )
            notice = build_notice(
                doc,
                listed=listed,
                removed=removed,
                designated=[],
                renames=renames.get(doc["edition"], {}),
                printing=printing,
            )
        notices[number] = notice
        model, summary = notice
        (OUT / "documents" / f"{number}.json").write_text(
            json.dumps(document_record(doc, facts, model, summary), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        (OUT / "full_text" / f"{number}.html").write_text(body_html(model), encoding="utf-8")
        (OUT / "full_text" / f"{number}.txt").write_text(gpo_text_page(model), encoding="utf-8")
        (OUT / "full_text" / f"{number}.xml").write_text(gpo_xml(model), encoding="utf-8")
    docs = {doc["document_number"]: doc for doc in facts["documents"]}
    for entry in facts["public_inspection"]:
        number = entry["document_number"]
        if entry.get("document"):  # a filing that was published: the same notice as its document
            doc = docs[entry["document"]]
            model = notices[number][0]
        else:  # never published (withdrawn): rendered from its own facts
            doc = {**entry, "publication_date": entry["publication_date"]}
            dropped = set(entry.get("removes", []))
            listed = [e for e in lists[entry["base_edition"]][0] if e["name"] not in dropped]
            listed += [by_name.get(name, {"name": name}) for name in entry["adds"]]
            model, _ = build_notice(
                doc,
                listed=listed,
                removed=[by_name.get(n, {"name": n}) for n in sorted(dropped)],
                designated=[],
                renames={},
            )
        text, pages = pi_raw_text(model, scheduled=date.fromisoformat(doc["publication_date"]))
        (OUT / "public_inspection" / f"{number}.txt").write_text(text, encoding="utf-8")
        (OUT / "public_inspection" / f"{number}.json").write_text(
            json.dumps(public_inspection_record(entry, doc, facts, pages), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    return len(facts["documents"]), len(facts["public_inspection"])


PDF_TITLE = (
    "Entities Identified as Chinese Military Companies Operating in the United States in Accordance "
    "with Section 1260H of the William M. (\u201cMac\u201d) Thornberry National Defense Authorization Act "
    "for Fiscal Year 2021 (Public Law 116-283)"
)


def list_pdf(path: Path, *, list_date: str, entries: list[dict], with_basis: bool) -> None:
    """A list PDF laid out like the DoD's: title, date, one numbered table row per entity."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize, cell.leading = 8, 10
    header = ["No.", "Entity", "Notes"] + (["Statutory basis"] if with_basis else [])
    rows = [header]
    for number, entry in enumerate(entries, 1):
        notes = [a for a in entry.get("aliases", []) if a != entry["name"]]
        notes += [f"formerly {a}" for a in entry.get("previous_names", [])]
        if entry.get("listed_under"):
            notes.append(f"subsidiary of {entry['listed_under']}")
        row = [str(number), Paragraph(html.escape(entry["name"]), cell), Paragraph(html.escape("; ".join(notes)), cell)]
        if with_basis:
            row.append(Paragraph(html.escape(", ".join(entry.get("statutory_basis", []))), cell))
        rows.append(row)
    widths = [30, 250, 170, 90] if with_basis else [30, 290, 220]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
            ]
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(
        str(path),
        pagesize=letter,
        title="1260H list",
        author="riskwatch snapshot",
        subject=f"Reconstructed for riskwatch's offline snapshot; list dated {list_date}",
        invariant=1,
    )
    document.build(
        [
            Paragraph(html.escape(PDF_TITLE), styles["Title"]),
            Paragraph(f"List as of {long_date(list_date)}", styles["Normal"]),
            Spacer(1, 12),
            table,
        ]
    )


def scanned_pdf(path: Path) -> None:
    """A list 'scanned' to an image: no text layer, no table (for the bad-input tests)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for y in range(700, 100, -14):  # grey bars where text would be
        pdf.setFillGray(0.3)
        pdf.rect(72, y, 420 - (y % 97), 8, fill=1, stroke=0)
    pdf.save()


def release_html(release: dict, *, list_entries: int | None) -> str:
    pdf_link = f'<p><a href="{release["pdf"]}">View the list (PDF)</a></p>' if release.get("pdf") else ""
    body = (
        f"<p>The Department today released the updated list of entities identified as Chinese military "
        f"companies operating directly or indirectly in the United States, in accordance with section 1260H "
        f"of the William M. (Mac) Thornberry National Defense Authorization Act for Fiscal Year 2021. The list "
        f"identifies {list_entries} entities.</p>"
        "<p>The Department will continue to update the list as it identifies additional entities, and will "
        "remove entities that no longer meet the statutory criteria.</p>"
        if list_entries
        else "<p>Routine release.</p>"
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(release["title"])}</title>
<script>window.dataLayer = window.dataLayer || []; document.write('<p>tracking</p>');</script>
<style>.nav {{ display: none }}</style></head>
<body><nav class="nav"><a href="https://www.defense.gov/News/">News</a> <a href="https://twitter.com/DeptofDefense">Follow</a></nav>
<article>
<h1 class="maintitle">{html.escape(release["title"])}</h1>
<div class="date">{long_date(release["date"])}</div>
<div class="body">{body}{pdf_link}</div>
</article>
<footer><a href="https://www.example-tracker.com/pixel">.</a></footer>
</body></html>
"""


def build_dod(editions: list[dict], lists: dict) -> int:
    facts = json.loads((FACTS / "dod_releases.json").read_text(encoding="utf-8"))
    if DOD_OUT.exists():
        shutil.rmtree(DOD_OUT)
    records = []
    for release in facts["releases"] + facts["filler"]:
        edition = release.get("edition")
        listed = lists[edition][0] if edition else None
        slug = slug_of(release["title"])[:80]
        url = f"https://{release['host']}/News/Releases/Release/Article/{release['id']}/{slug}/"
        page = DOD_OUT / "pages" / f"{release['id']}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(release_html(release, list_entries=len(listed) if listed else None), encoding="utf-8")
        records.append(
            {
                "id": release["id"],
                "title": release["title"],
                "date": release["date"],
                "link": url,
                "path": f"/News/Releases/Release/Article/{release['id']}/{slug}/",
                "host": release["host"],
                "page": page.name,
                "pdf": release.get("pdf"),
                "_reconstructed": release.get("_reconstructed"),
            }
        )
        if release.get("pdf"):
            list_pdf(
                DOD_OUT / "media" / release["pdf"].split("media.defense.gov/", 1)[1],
                list_date=edition,
                entries=listed,
                with_basis=edition >= "2026",
            )
    scanned_pdf(DOD_OUT / "fixtures" / "scanned-list.pdf")
    # An edition that silently loses half its rows (no removals stated): must be quarantined.
    latest = facts["releases"][-1]["edition"]
    half = lists[latest][0][: len(lists[latest][0]) // 2]
    list_pdf(DOD_OUT / "fixtures" / "half-list.pdf", list_date="2026-07-01", entries=half, with_basis=True)
    (DOD_OUT / "releases.json").write_text(
        json.dumps({"rss": facts["rss"], "releases": records}, indent=2) + "\n", encoding="utf-8"
    )
    return len(records)


NEWS_OUT = ROOT / "data" / "snapshot" / "news"


def article_html(article: dict, feed: dict, charset: str) -> str:
    """A snapshot article page (scripts/article_page.py)."""
    lang = feed["language"]
    return article_page(
        page_id=article["id"],
        lang=lang,
        charset=charset,
        title=article["title"],
        summary=article.get("summary", ""),
        feed_title=feed["title"],
        site=feed["site"],
        byline=article.get("author", ""),
        published=article["published"],
        day=article["published"][:10],
        paragraphs=article["paragraphs"],
        teaser="Markets close higher" if lang == "en" else "Börsen schließen fester",
        footer="(fictional outlet, riskwatch test snapshot)",
    )


def build_news() -> int:
    facts = json.loads((FACTS / "news_articles.json").read_text(encoding="utf-8"))
    if NEWS_OUT.exists():
        shutil.rmtree(NEWS_OUT)
    (NEWS_OUT / "articles").mkdir(parents=True)
    feeds = {feed["name"]: feed for feed in facts["feeds"]}
    records = []
    for number, article in enumerate(facts["articles"]):
        feed = feeds[article["feed"]]
        # One German page is served in ISO-8859-1, as some older CMSs still do.
        charset = "iso-8859-1" if feed["language"] == "de" and number % 2 == 0 else "utf-8"
        url = f"{feed['site']}/{article['published'][:4]}/{article['published'][5:7]}/{article['id']}.html"
        file = f"{article['id']}.html"
        (NEWS_OUT / "articles" / file).write_bytes(
            article_html(article, feed, charset).encode(charset, "xmlcharrefreplace")
        )
        records.append(
            {
                "id": article["id"],
                "feed": article["feed"],
                "url": url,
                "title": article["title"],
                "published": article["published"],
                "summary": article.get("summary", ""),
                "file": file,
                "content_type": f"text/html; charset={charset}",
            }
        )
    # outlets (reached through GDELT), reconstructed Atom / Google News answers, articles: see jobs/replay_news.py
    snapshot = {
        "_note": facts["_note"],
        "feeds": facts["feeds"],
        "recorded_feeds": facts.get("recorded_feeds", []),
        "articles": records,
    }
    (NEWS_OUT / "feeds.json").write_text(json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)


def main() -> None:
    facts = json.loads((FACTS / "fr_notices.json").read_text(encoding="utf-8"))
    editions = json.loads((FACTS / "1260h_editions.json").read_text(encoding="utf-8"))["editions"]
    lists = edition_lists(editions)
    documents, filings = build_federal_register(facts, editions, lists)
    releases = build_dod(editions, lists)
    print(f"wrote {build_news()} news articles to {NEWS_OUT}")
    print(f"wrote {releases} DoD releases with their list PDFs to {DOD_OUT}")
    print(
        f"wrote {documents} documents (GPO text, body HTML, GPO XML) and {filings} public-inspection records to {OUT}"
    )


if __name__ == "__main__":
    main()

"""Generate data/snapshot/ (Federal Register API records + full texts) from data/facts/.

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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "data" / "facts"
OUT = ROOT / "data" / "snapshot" / "federal_register"
ORIGIN = "https://www.federalregister.gov"
STATUTE = ("section 1260H of the William M. (Mac) Thornberry National Defense Authorization Act for "
           "Fiscal Year 2021 (Pub. L. 116-283)")


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


def printed(entry: dict) -> str:
    notes = [a for a in entry.get("aliases", []) if a and a != entry["name"]]
    notes += [f"formerly {a}" for a in entry.get("previous_names", []) if a and a != entry["name"]]
    return entry["name"] + (f" ({'; '.join(notes)})" if notes else "")


def full_text_html(*, list_date: str, listed: list[dict], removed: list[dict], dated: str) -> str:
    items = "\n".join(f"<li>{html.escape(printed(e))}</li>" for e in listed)
    parts = [
        '<div id="fulltext_content_area">',
        "<p><strong>AGENCY:</strong> Office of the Secretary, Department of Defense (DoD).</p>",
        "<p><strong>ACTION:</strong> Notice.</p>",
        f"<p><strong>SUMMARY:</strong> DoD is publishing the list of entities it has identified as Chinese "
        f"military companies operating directly or indirectly in the United States, as required by {STATUTE}.</p>",
        f"<p><strong>DATES:</strong> The list was released on {long_date(list_date)}.</p>",
        "<h2>SUPPLEMENTARY INFORMATION:</h2>",
        f"<p>In accordance with {STATUTE}, the Secretary of Defense is required to identify each entity "
        "determined to be a Chinese military company operating directly or indirectly in the United States "
        "and to publish the list in the Federal Register.</p>",
    ]
    if listed:
        parts += [f"<p>The following {len(listed)} entities are identified as Chinese military companies:</p>",
                  f"<ul>\n{items}\n</ul>"]
    if removed:
        removed_items = "\n".join(f"<li>{html.escape(printed(e))}</li>" for e in removed)
        parts += [f"<p>The following {len(removed)} entities have been removed from the list:</p>",
                  f"<ul>\n{removed_items}\n</ul>"]
    parts += [f"<p>Dated: {long_date(dated)}.</p>", "</div>"]
    return "\n".join(parts) + "\n"


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def document_record(doc: dict, facts: dict, summary: str) -> dict:
    number, pub = doc["document_number"], doc["publication_date"]
    y, m, d = pub.split("-")
    return {
        "document_number": number,
        "title": doc["title"],
        "type": "Notice",
        "abstract": summary,
        "action": "Notice.",
        "dates": f"The list was released on {long_date(doc['effective_on'])}.",
        "publication_date": pub,
        "effective_on": doc["effective_on"],
        "signing_date": doc["effective_on"],
        "citation": doc["citation"],
        "start_page": doc["start_page"],
        "end_page": doc["start_page"] + 2,
        "docket_ids": doc["docket_ids"],
        "agencies": [facts["agency"], facts["sub_agency"]],
        "agency_names": ["Defense Department", "Office of the Secretary"],
        "html_url": f"{ORIGIN}/documents/{y}/{m}/{d}/{number}/{slug(doc['title'])}",
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{pub}/pdf/{number}.pdf",
        "public_inspection_pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
        "json_url": f"{ORIGIN}/api/v1/documents/{number}.json",
        "body_html_url": f"{ORIGIN}/documents/full_text/html/{y}/{m}/{d}/{number}.html",
        "raw_text_url": f"{ORIGIN}/documents/full_text/text/{y}/{m}/{d}/{number}.txt",
        "full_text_xml_url": f"{ORIGIN}/documents/full_text/xml/{y}/{m}/{d}/{number}.xml",
        "excerpts": None,
        "topics": [],
        "_reconstructed": doc.get("_reconstructed"),
    }


def public_inspection_record(doc: dict, facts: dict) -> dict:
    number = doc["document_number"]
    return {
        "document_number": number,
        "title": doc["title"],
        "type": "Notice",
        "agencies": [facts["sub_agency"]],
        "agency_names": ["Office of the Secretary"],
        "filed_at": doc["filed_at"],
        "publication_date": doc["publication_date"],
        "filing_type": "regular",
        "special_filing": False,
        "editorial_note": None,
        "num_pages": 4,
        "docket_numbers": ["DOD-2026-OS-0142"],
        "toc_subject": "Chinese Military Companies",
        "toc_doc": "Designation",
        "pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
        "html_url": f"{ORIGIN}/public-inspection/{number}/notice-of-designation-of-chinese-military-companies",
        "raw_text_url": f"{ORIGIN}/public-inspection/raw/{number}.html",
        "json_url": f"{ORIGIN}/api/v1/public-inspection-documents/{number}.json",
        "_replay": {"on_desk_from": doc["filed_at"][:10], "on_desk_until": doc["withdrawn_on"]},
        "_reconstructed": doc.get("_reconstructed"),
    }


def main() -> None:
    facts = json.loads((FACTS / "fr_notices.json").read_text(encoding="utf-8"))
    editions = json.loads((FACTS / "1260h_editions.json").read_text(encoding="utf-8"))["editions"]
    lists = edition_lists(editions)
    if OUT.exists():
        shutil.rmtree(OUT)
    for sub in ("documents", "full_text", "public_inspection"):
        (OUT / sub).mkdir(parents=True)
    by_name = {entry["name"]: entry for edition in editions for entry in edition.get("added", [])}
    for doc in facts["documents"]:
        if doc["kind"] == "removal":
            listed, removed = [], [by_name.get(name, {"name": name}) for name in doc["removes"]]
        else:
            listed, removed = lists[doc["edition"]]
        summary = (f"DoD is publishing the list of Chinese military companies released on "
                   f"{long_date(doc['effective_on'])} under section 1260H ({len(listed)} entities)."
                   if listed else f"DoD is removing {len(removed)} entities from the list of Chinese military "
                   f"companies under section 1260H, effective {long_date(doc['effective_on'])}.")
        (OUT / "documents" / f"{doc['document_number']}.json").write_text(
            json.dumps(document_record(doc, facts, summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (OUT / "full_text" / f"{doc['document_number']}.html").write_text(
            full_text_html(list_date=doc["effective_on"], listed=listed, removed=removed, dated=doc["effective_on"]),
            encoding="utf-8")
    for doc in facts["public_inspection"]:
        dropped = set(doc.get("removes", []))
        listed = [e for e in lists[doc["base_edition"]][0] if e["name"] not in dropped]
        listed += [by_name.get(name, {"name": name}) for name in doc["adds"]]
        (OUT / "public_inspection" / f"{doc['document_number']}.json").write_text(
            json.dumps(public_inspection_record(doc, facts), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (OUT / "full_text" / f"{doc['document_number']}.html").write_text(
            full_text_html(list_date=doc["filed_at"][:10], listed=listed,
                           removed=[by_name.get(name, {"name": name}) for name in sorted(dropped)],
                           dated=doc["filed_at"][:10]),
            encoding="utf-8")
    print(f"wrote {len(facts['documents'])} documents and {len(facts['public_inspection'])} public-inspection records to {OUT}")


if __name__ == "__main__":
    main()

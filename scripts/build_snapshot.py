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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "data" / "facts"
OUT = ROOT / "data" / "snapshot" / "federal_register"
DOD_OUT = ROOT / "data" / "snapshot" / "defense"
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


def slug_of(title: str) -> str:
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
        "html_url": f"{ORIGIN}/documents/{y}/{m}/{d}/{number}/{slug_of(doc['title'])}",
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


PDF_TITLE = ("Entities Identified as Chinese Military Companies Operating in the United States in Accordance "
             "with Section 1260H of the William M. (\u201cMac\u201d) Thornberry National Defense Authorization Act "
             "for Fiscal Year 2021 (Public Law 116-283)")


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
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTSIZE", (0, 0), (-1, -1), 8)]))
    path.parent.mkdir(parents=True, exist_ok=True)
    document = SimpleDocTemplate(str(path), pagesize=letter, title="1260H list", author="riskwatch snapshot",
                                 subject=f"Reconstructed for riskwatch's offline snapshot; list dated {list_date}",
                                 invariant=1)
    document.build([Paragraph(html.escape(PDF_TITLE), styles["Title"]),
                    Paragraph(f"List as of {long_date(list_date)}", styles["Normal"]), Spacer(1, 12), table])


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
    pdf_link = (f'<p><a href="{release["pdf"]}">View the list (PDF)</a></p>' if release.get("pdf") else "")
    body = (f"<p>The Department today released the updated list of entities identified as Chinese military "
            f"companies operating directly or indirectly in the United States, in accordance with section 1260H "
            f"of the William M. (Mac) Thornberry National Defense Authorization Act for Fiscal Year 2021. The list "
            f"identifies {list_entries} entities.</p>"
            "<p>The Department will continue to update the list as it identifies additional entities, and will "
            "remove entities that no longer meet the statutory criteria.</p>"
            if list_entries else "<p>Routine release.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(release['title'])}</title>
<script>window.dataLayer = window.dataLayer || []; document.write('<p>tracking</p>');</script>
<style>.nav {{ display: none }}</style></head>
<body><nav class="nav"><a href="https://www.defense.gov/News/">News</a> <a href="https://twitter.com/DeptofDefense">Follow</a></nav>
<article>
<h1 class="maintitle">{html.escape(release['title'])}</h1>
<div class="date">{long_date(release['date'])}</div>
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
        records.append({"id": release["id"], "title": release["title"], "date": release["date"], "link": url,
                        "path": f"/News/Releases/Release/Article/{release['id']}/{slug}/", "host": release["host"],
                        "page": page.name, "pdf": release.get("pdf"),
                        "_reconstructed": release.get("_reconstructed")})
        if release.get("pdf"):
            list_pdf(DOD_OUT / "media" / release["pdf"].split("media.defense.gov/", 1)[1],
                     list_date=edition, entries=listed, with_basis=edition >= "2026")
    scanned_pdf(DOD_OUT / "fixtures" / "scanned-list.pdf")
    # An edition that silently loses half its rows (no removals stated): must be quarantined.
    latest = facts["releases"][-1]["edition"]
    half = lists[latest][0][: len(lists[latest][0]) // 2]
    list_pdf(DOD_OUT / "fixtures" / "half-list.pdf", list_date="2026-07-01", entries=half, with_basis=True)
    (DOD_OUT / "releases.json").write_text(json.dumps({"rss": facts["rss"], "releases": records}, indent=2) + "\n",
                                           encoding="utf-8")
    return len(records)


NEWS_OUT = ROOT / "data" / "snapshot" / "news"


def article_html(article: dict, feed: dict, charset: str) -> str:
    """An article page with the clutter real pages have: scripts, navigation, teasers, a cookie banner."""
    lang = feed["language"]
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article["paragraphs"])
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{html.escape(article['title'])} | {feed['title']}</title>
<meta name="description" content="{html.escape(article.get('summary', ''))}">
<script>var analytics = {{"page": "{article['id']}"}}; document.write("<div>ad</div>");</script>
<script src="https://cdn.tracker.example/t.js"></script>
<style>.cookie {{ position: fixed }}</style></head>
<body>
<header><nav><a href="{feed['site']}/">{feed['title']}</a> <a href="{feed['site']}/markets">Markets</a> <a href="https://social.example/share">Share</a></nav></header>
<div class="cookie">{'We use cookies.' if lang == 'en' else 'Wir verwenden Cookies.'}</div>
<main><article>
<h1>{html.escape(article['title'])}</h1>
<p class="byline">{html.escape(article.get('author', ''))}, <time datetime="{article['published']}">{article['published'][:10]}</time></p>
{paragraphs}
</article>
<aside><h2>{'Read more' if lang == 'en' else 'Mehr zum Thema'}</h2><ul><li><a href="{feed['site']}/other">{'Markets close higher' if lang == 'en' else 'Börsen schließen fester'}</a></li></ul></aside>
</main>
<footer>&copy; {feed['title']} (fictional outlet, riskwatch test snapshot)</footer>
</body></html>
"""


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
        (NEWS_OUT / "articles" / file).write_bytes(article_html(article, feed, charset).encode(charset, "xmlcharrefreplace"))
        records.append({"id": article["id"], "feed": article["feed"], "url": url, "title": article["title"],
                        "published": article["published"], "summary": article.get("summary", ""),
                        "file": file, "content_type": f"text/html; charset={charset}"})
    (NEWS_OUT / "feeds.json").write_text(json.dumps({"feeds": facts["feeds"], "articles": records}, indent=2,
                                                    ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)


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
    releases = build_dod(editions, lists)
    print(f"wrote {build_news()} news articles to {NEWS_OUT}")
    print(f"wrote {releases} DoD releases with their list PDFs to {DOD_OUT}")
    print(f"wrote {len(facts['documents'])} documents and {len(facts['public_inspection'])} public-inspection records to {OUT}")


if __name__ == "__main__":
    main()

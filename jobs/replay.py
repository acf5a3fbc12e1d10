"""Offline replay server: emulates the Federal Register API from the bundled snapshot.

The spiders run against it unchanged; only the base URL differs from live mode.
It serves documents published by ``as_of`` (and public-inspection documents on
the desk that day), with the API's paging, ``conditions[...]`` filters and
``fields[]``. Binds to 127.0.0.1 only.

Snapshot layout (``data/snapshot``)::

    federal_register/documents/<document_number>.json   API result objects
    federal_register/full_text/<document_number>.html   body_html_url targets (the FR's HTML rendering)
    federal_register/full_text/<document_number>.txt    raw_text_url targets (GPO text in an HTML <pre> page)
    federal_register/full_text/<document_number>.xml    full_text_xml_url targets (GPO XML)
    federal_register/public_inspection/<number>.json    public-inspection records,
        with a replay-only "_replay": {"on_desk_from": D, "on_desk_until": D, "editorial_note_from": D}
    federal_register/public_inspection/<number>.txt     their raw_text_url targets (plain text, pages split by \f)
    csl/volume.json                                     the Consolidated Screening List's synthetic volume
        (jobs/replay_csl.py; its real records come from data/facts/csl_listings.json)
    faults.json (optional)                              injected failures, for tests
        ({"path", "query_contains", "status", "body", "content_type", "headers", "times"};
         "block": true serves the DoD CDN's "Access Denied" page, HTTP 403 unless "status" says otherwise)
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from collections import Counter
from datetime import date, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from crawler.calendar import is_business_day
from jobs.replay_csl import csl_answer
from jobs.replay_news import news_answer
from core.sources import load_sources

log = logging.getLogger(__name__)

LIVE_ORIGIN = "https://www.federalregister.gov"
# Other live hosts are served under /_host/<hostname>/ (the Federal Register at the root).
TYPE_CODES = {"NOTICE": "Notice", "RULE": "Rule", "PRORULE": "Proposed Rule", "PRESDOCU": "Presidential Document"}


class Snapshot:
    """The recorded documents, loaded once."""

    def __init__(self, root: Path):
        self.root = Path(root)
        fr = self.root / "federal_register"
        self.documents: dict[str, dict] = {}
        for path in sorted((fr / "documents").glob("*.json")):
            self.documents[path.stem] = json.loads(path.read_bytes())
        self.full_texts = {p.stem: p for p in sorted((fr / "full_text").glob("*.html"))}  # body HTML, for search
        # /documents/full_text/{html,text,xml}/YYYY/MM/DD/<number>.<ext> -> the file of that format
        self.full_text_files = {(p.suffix.lstrip("."), p.stem): p for p in sorted((fr / "full_text").glob("*"))}
        self.public_inspection: dict[str, dict] = {}
        for path in sorted((fr / "public_inspection").glob("*.json")):
            self.public_inspection[path.stem] = json.loads(path.read_bytes())
        defense = self.root / "defense"
        releases = defense / "releases.json"
        self.dod = json.loads(releases.read_text()) if releases.exists() else {"rss": {}, "releases": []}
        self.dod_pages = {(r["host"], r["path"]): defense / "pages" / r["page"] for r in self.dod["releases"]}
        self.media_root = defense / "media"
        news = self.root / "news" / "feeds.json"
        self.news = json.loads(news.read_text()) if news.exists() else {"feeds": [], "articles": []}
        self.news_root = self.root / "news"
        faults = self.root / "faults.json"
        self.faults: list[dict] = json.loads(faults.read_text()) if faults.exists() else []
        self.hosts = served_hosts(self)


def served_hosts(snapshot: Snapshot) -> tuple[str, ...]:
    """The live hosts the replay stands in for besides the Federal Register (served under
    ``/_host/<host>/``): the configured sources' URLs and allowed domains (data/sources.toml, their one
    home) and the hosts the snapshot's recorded links point at."""
    sources = load_sources()
    text = json.dumps([[s.url, s.args] for s in sources]) + json.dumps(snapshot.dod) + json.dumps(snapshot.news)
    hosts = set(re.findall(r"https://([A-Za-z0-9.-]+)", text)) | {d for s in sources for d in s.allowed_domains}
    hosts.discard(urlsplit(LIVE_ORIGIN).hostname)
    return tuple(sorted(hosts))


def _text_of(result: dict, full_text: Path | None) -> str:
    parts = [result.get("title") or "", result.get("abstract") or "", result.get("action") or ""]
    if full_text is not None:
        parts.append(full_text.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts).lower()


def _matches_term(haystack: str, term: str) -> bool:
    term = term.strip()
    if term.startswith('"') and term.endswith('"'):
        return term.strip('"').lower() in haystack
    return all(word.lower() in haystack for word in term.split())


class ReplayServer:
    """A ThreadingHTTPServer on 127.0.0.1 serving a Snapshot as of a date."""

    def __init__(self, snapshot_dir: Path, *, as_of: date | None = None, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the replay server binds to the loopback interface only")
        self.snapshot = Snapshot(snapshot_dir)
        self.as_of = as_of or date.today()
        self.requests: Counter[str] = Counter()
        self._fault_hits: Counter[int] = Counter()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"replay": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_base(self) -> str:
        return f"{self.origin}/api/v1"

    def start(self) -> "ReplayServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        log.info("replay server on %s serving %s as of %s", self.origin, self.snapshot.root, self.as_of)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "ReplayServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- rewriting ---------------------------------------------------------------------
    def url_map(self) -> list[tuple[str, str]]:
        """(served prefix, live prefix) pairs; spiders use them to store live URLs."""
        pairs = [(f"{self.origin}/_host/{host}", f"https://{host}") for host in self.snapshot.hosts]
        return pairs + [(self.origin, LIVE_ORIGIN)]

    def localise(self, value):
        """Point the snapshot's live URLs at this server."""
        if isinstance(value, str):
            for host in self.snapshot.hosts:
                value = value.replace(f"https://{host}", f"{self.origin}/_host/{host}")
            return value.replace(LIVE_ORIGIN, self.origin)
        if isinstance(value, list):
            return [self.localise(v) for v in value]
        if isinstance(value, dict):
            return {k: self.localise(v) for k, v in value.items() if not k.startswith("_")}
        return value

    # -- endpoints ---------------------------------------------------------------------
    def visible_documents(self) -> list[dict]:
        return [
            doc
            for doc in self.snapshot.documents.values()
            if doc.get("publication_date") and date.fromisoformat(doc["publication_date"]) <= self.as_of
        ]

    def documents_search(self, query: dict[str, list[str]]) -> dict:
        docs = self.visible_documents()
        for term in query.get("conditions[term]", []):
            docs = [
                d
                for d in docs
                if _matches_term(_text_of(d, self.snapshot.full_texts.get(d.get("document_number", ""))), term)
            ]
        if agencies := query.get("conditions[agencies][]"):
            docs = [d for d in docs if {a.get("slug") for a in d.get("agencies", [])} & set(agencies)]
        if types := query.get("conditions[type][]"):
            wanted = {TYPE_CODES.get(t.upper(), t) for t in types}
            docs = [d for d in docs if d.get("type") in wanted]
        for op in ("gte", "lte", "is"):
            for value in query.get(f"conditions[publication_date][{op}]", []):
                bound = date.fromisoformat(value)
                compare = {"gte": lambda d: d >= bound, "lte": lambda d: d <= bound, "is": lambda d: d == bound}[op]
                docs = [d for d in docs if compare(date.fromisoformat(d["publication_date"]))]
        order = (query.get("order") or ["relevance"])[0]
        docs.sort(
            key=lambda d: (d.get("publication_date", ""), d.get("document_number", "")), reverse=order != "oldest"
        )
        per_page = min(int((query.get("per_page") or ["20"])[0]), 1000)
        page = int((query.get("page") or ["1"])[0])
        count = len(docs)
        description = "Documents matching your search"
        if count == 0:
            return {"description": description, "count": 0}
        total_pages = math.ceil(count / per_page)
        chunk = docs[(page - 1) * per_page : page * per_page]
        fields = query.get("fields[]")
        results = [{k: v for k, v in d.items() if not fields or k in fields} for d in chunk]
        payload = {"count": count, "description": description, "total_pages": total_pages}
        if page < total_pages:
            next_query = {k: v for k, v in query.items() if k != "page"}
            next_query["page"] = [str(page + 1)]
            payload["next_page_url"] = f"{LIVE_ORIGIN}/api/v1/documents?{urlencode(next_query, doseq=True)}"
        payload["results"] = results
        return payload

    def on_desk(self, day: date) -> list[dict]:
        """The public-inspection desk of ``day``: empty on weekends and federal holidays (the Federal
        Register posts it on business days only); an editorial note and agency letters show from the day
        the record's ``_replay.editorial_note_from`` names (a withdrawn document stays on the desk that day)."""
        if not is_business_day(day):
            return []
        docs = []
        for doc in self.snapshot.public_inspection.values():
            window = doc.get("_replay", {})
            start = date.fromisoformat(window.get("on_desk_from", doc.get("filed_at", "9999-12-31")[:10]))
            end = date.fromisoformat(window.get("on_desk_until", doc.get("publication_date", "9999-12-31")))
            if start <= day <= end:
                note_from = window.get("editorial_note_from")
                if note_from and day < date.fromisoformat(note_from):
                    doc = {**doc, "editorial_note": None, "agency_letters": []}
                docs.append(doc)
        return sorted(docs, key=lambda d: d.get("document_number", "")) + desk_filler(day)

    def public_inspection_text(self, path: str) -> Path | None:
        """The raw text served at a public-inspection ``raw_text_url`` path."""
        for number, doc in self.snapshot.public_inspection.items():
            if urlsplit(doc.get("raw_text_url") or "").path == path:
                file = self.snapshot.root / "federal_register" / "public_inspection" / f"{number}.txt"
                return file if file.exists() else None
        return None


# Reconstructed: the real listing's container (div "alist stories release-list") and the article-id /
# article-title / article-url attributes are as public crawlers of defense.gov read them; the rest of
# the markup, the <time> element and the page size are ours.
RELEASE_SEARCH_PAGE_SIZE = 10


def release_search_page(term: str, releases: list[dict], page: int) -> bytes:
    """One page of the releases search listing (``/News/Releases/Search/<term>/?Page=N``), newest first."""
    chunk = releases[(page - 1) * RELEASE_SEARCH_PAGE_SIZE : page * RELEASE_SEARCH_PAGE_SIZE]
    items = []
    for release in chunk:
        day = date.fromisoformat(release["date"])
        attributes = (
            f'article-id="{escape(release["id"])}" article-title="{escape(release["title"])}" '
            f'article-url="{escape(release["link"])}"'
        )
        items.append(
            f'  <div class="item" {attributes}>\n    <time datetime="{day.isoformat()}">'
            f"{day.strftime('%B')} {day.day}, {day.year}</time>\n"
            f'    <a class="title" href="{escape(release["link"])}">{escape(release["title"])}</a>\n  </div>'
        )
    return (
        "<!DOCTYPE html>\n<html><head><title>Search results: " + escape(term) + "</title></head><body>\n"
        "<!-- reconstructed release search listing (riskwatch replay) -->\n"
        '<div class="alist stories release-list">\n' + "\n".join(items) + "\n</div>\n</body></html>\n"
    ).encode()


# The CDN's refusal page as it is served to refused clients (HTML-entity encoded; the reference id is ours).
BLOCK_PAGE = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    'You don\'t have permission to access "http&#58;&#47;&#47;www&#46;defense&#46;gov&#47;" on this server.<P>\n'
    "Reference&#32;&#35;18&#46;5e2f1402&#46;1780000000&#46;1a2b3c4d\n"
    "<P>https&#58;&#47;&#47;errors&#46;edgesuite&#46;net&#47;18&#46;5e2f1402&#46;1780000000&#46;1a2b3c4d</P>\n"
    "</BODY>\n</HTML>\n"
)


def desk_filler(day: date) -> list[dict]:
    """Other agencies' filings: the real desk is never empty on a business day once it is posted
    (dozens of documents), and the spider reads an empty business-day desk as "not posted".
    Reconstructed, unrelated records in the API's shape; none is about 1260H."""
    number = f"{day.year}-9{day.timetuple().tm_yday:04d}"
    compact = number.replace("-", "")
    return [
        {
            "document_number": number,
            "title": "Sunshine Act Meetings",
            "type": "Notice",
            "agencies": [
                {
                    "raw_name": "FEDERAL ENERGY REGULATORY COMMISSION",
                    "name": "Federal Energy Regulatory Commission",
                    "slug": "federal-energy-regulatory-commission",
                }
            ],
            "agency_names": ["Federal Energy Regulatory Commission"],
            "filed_at": f"{day.isoformat()}T08:45:00.000-05:00",
            "publication_date": None,
            "filing_type": "regular",
            "special_filing": False,
            "editorial_note": None,
            "agency_letters": [],
            "num_pages": 2,
            "docket_numbers": [],
            "toc_subject": "Meetings; Sunshine Act",
            "toc_doc": "Sunshine Act Meetings",
            "pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
            "html_url": f"{LIVE_ORIGIN}/public-inspection/{number}/sunshine-act-meetings",
            "raw_text_url": f"{LIVE_ORIGIN}/public-inspection/raw_text/{compact[:3]}/{compact[3:6]}/{compact[6:]}.txt",
            "json_url": f"{LIVE_ORIGIN}/api/v1/public-inspection-documents/{number}.json",
            "_reconstructed": "filler so that a business day's desk is populated, as the real one is",
        }
    ]


def rss_document(title: str, link: str, items: list[dict]) -> bytes:
    """RSS 2.0 with title, link, pubDate, description and guid per item."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>{escape(title)}</description>",
    ]
    for item in items:
        parts.append(
            "<item>"
            f"<title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f'<guid isPermaLink="false">{escape(item["guid"])}</guid>'
            f"<pubDate>{format_datetime(item['published'])}</pubDate>"
            f"<description>{escape(item.get('description', ''))}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    server_version = "riskwatch-replay/1"

    def log_message(self, fmt, *args):  # route through logging, quietly
        log.debug("replay: " + fmt, *args)

    def do_GET(self):  # noqa: N802 (http.server API)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self.replay._lock:
            self.replay.requests[parts.path] += 1
        if self._fault(parts.path, parts.query):
            return
        path = parts.path
        snap = self.replay.snapshot
        if path in ("/api/v1/documents.json", "/api/v1/documents"):
            return self._json(self.replay.documents_search(query))
        if path.startswith("/api/v1/documents/") and path.endswith(".json"):
            number = path.rsplit("/", 1)[1][:-5]
            doc = next((d for d in self.replay.visible_documents() if d.get("document_number") == number), None)
            return self._json(doc) if doc else self._error(404, "document not found")
        if path.startswith("/documents/full_text/"):
            # html -> the FR's body HTML; text -> GPO text wrapped in an HTML <pre> page (served as
            # text/html, as the live site does); xml -> GPO XML
            kind = path.split("/")[3]
            number, _, ext = path.rsplit("/", 1)[1].rpartition(".")
            file = snap.full_text_files.get(({"html": "html", "text": "txt", "xml": "xml"}.get(kind), number))
            if file is None or ext != file.suffix.lstrip("."):
                return self._error(404, "full text not found")
            ctype = "application/xml; charset=utf-8" if ext == "xml" else "text/html; charset=utf-8"
            return self._bytes(file.read_bytes(), ctype)
        if path == "/api/v1/public-inspection-documents/current.json":
            docs = self.replay.on_desk(self.replay.as_of)
            return self._json({"count": len(docs), "results": docs})
        if path == "/api/v1/public-inspection-documents.json":
            day = (query.get("conditions[available_on]") or [self.replay.as_of.isoformat()])[0]
            day_ = min(date.fromisoformat(day), self.replay.as_of)
            docs = self.replay.on_desk(day_) if day_ == date.fromisoformat(day) else []
            return self._json({"count": len(docs), "results": docs})
        if path.startswith("/api/v1/public-inspection-documents/") and path.endswith(".json"):
            number = path.rsplit("/", 1)[1][:-5]
            doc = snap.public_inspection.get(number)
            return self._json(doc) if doc else self._error(404, "public inspection document not found")
        if path.startswith("/_host/"):
            host, _, rest = path[len("/_host/") :].partition("/")
            return self._other_host(host, "/" + rest, query)
        if path.startswith("/public-inspection/raw_text/"):  # pdftotext of the filed PDF: plain text
            file = self.replay.public_inspection_text(path)
            return (
                self._bytes(file.read_bytes(), "text/plain; charset=utf-8") if file else self._error(404, "not found")
            )
        self._error(404, f"no such endpoint: {path}")

    def _other_host(self, host: str, path: str, query: dict) -> None:
        replay, snap = self.replay, self.replay.snapshot
        if path == "/DesktopModules/ArticleCS/RSS.ashx":
            limit = int((query.get("max") or ["10"])[0])
            releases = [r for r in snap.dod["releases"] if date.fromisoformat(r["date"]) <= replay.as_of]
            if window := snap.dod["rss"].get("window_days"):  # optional: the real feed reaches back only weeks
                releases = [r for r in releases if (replay.as_of - date.fromisoformat(r["date"])).days <= window]
            releases.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
            items = [
                {
                    "title": r["title"],
                    "link": replay.localise(r["link"]),
                    "guid": r["id"],
                    "published": datetime.fromisoformat(r["date"] + "T10:00:00-05:00"),
                    "description": r["title"],
                }
                for r in releases[:limit]
            ]
            return self._bytes(
                rss_document("U.S. Department of Defense Releases", f"https://{host}/News/Releases/", items),
                "application/rss+xml; charset=utf-8",
            )
        if path.startswith("/News/Releases/Search/"):
            term = unquote(path[len("/News/Releases/Search/") :].strip("/")).lower()
            hits = [
                r
                for r in snap.dod["releases"]
                if date.fromisoformat(r["date"]) <= replay.as_of
                and (
                    term in r["title"].lower()
                    or term in snap.dod_pages[(r["host"], r["path"])].read_text(encoding="utf-8").lower()
                )
            ]
            hits.sort(key=lambda r: (r["date"], r["id"]), reverse=True)
            page_number = max(1, int((query.get("Page") or ["1"])[0]))
            return self._bytes(
                release_search_page(term, replay.localise(hits), page_number), "text/html; charset=utf-8"
            )
        page = snap.dod_pages.get((host, path))
        if page is not None:
            return self._cacheable(
                replay.localise(page.read_text(encoding="utf-8")).encode("utf-8"), "text/html; charset=utf-8"
            )
        if host == "media.defense.gov":
            file = (snap.media_root / path.lstrip("/")).resolve()
            if snap.media_root.resolve() in file.parents and file.is_file():
                return self._cacheable(file.read_bytes(), "application/pdf")
        csl = csl_answer(snap.root, host=host, path=path, as_of=replay.as_of, headers=self.headers)
        if csl is not None:
            return self._answer(*csl)
        answer = news_answer(
            snap.news, snap.news_root, host=host, path=path, query=query, as_of=replay.as_of, localise=replay.localise
        )  # GDELT, recorded Atom and Google News feeds
        if answer is not None:
            return self._bytes(*answer)
        for feed in snap.news["feeds"]:  # the outlets' own RSS feeds
            if feed.get("rss_url", feed["feed_url"]) == f"https://{host}{path}":
                articles = [
                    a
                    for a in snap.news["articles"]
                    if a["feed"] == feed["name"]
                    and datetime.fromisoformat(a["published"].replace("Z", "+00:00")).date() <= replay.as_of
                ]
                articles.sort(key=lambda a: a["published"], reverse=True)
                items = [
                    {
                        "title": a["title"],
                        "link": replay.localise(a["url"]),
                        "guid": a["url"],
                        "published": datetime.fromisoformat(a["published"].replace("Z", "+00:00")),
                        "description": a.get("summary", ""),
                    }
                    for a in articles
                ]
                return self._bytes(
                    rss_document(feed["title"], feed["site"], items), "application/rss+xml; charset=utf-8"
                )
        for article in snap.news["articles"]:
            if article["url"] == f"https://{host}{path}":
                body = (snap.news_root / "articles" / article["file"]).read_bytes()
                return self._bytes(body, article.get("content_type", "text/html; charset=utf-8"))
        self._error(404, f"no such page: https://{host}{path}")

    def _fault(self, path: str, query: str) -> bool:
        for index, fault in enumerate(self.replay.snapshot.faults):
            matches = (path == fault["path"]) if "path" in fault else path.startswith(fault.get("path_prefix", "\0"))
            if not matches or fault.get("query_contains", "") not in query:
                continue
            with self.replay._lock:
                hits = self.replay._fault_hits[index]
                self.replay._fault_hits[index] += 1
            if fault.get("times") is not None and hits >= fault["times"]:
                continue
            if fault.get("block"):
                fault = {"status": 403, "body": BLOCK_PAGE, "headers": {"Server": "AkamaiGHost"}, **fault}
            body = fault.get("body", "").encode() or b"x" * int(fault.get("size", 0))
            self.send_response(fault.get("status", 200))
            self.send_header("Content-Type", fault.get("content_type", "text/html"))
            for key, value in fault.get("headers", {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        return False

    def _cacheable(self, body: bytes, content_type: str) -> None:
        """Serve with an ETag; answer a matching If-None-Match with 304 Not Modified."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, payload) -> None:
        self._bytes(json.dumps(self.replay.localise(payload)).encode(), "application/json; charset=utf-8")

    def _answer(self, status: int, body: bytes, content_type: str | None, headers: dict) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def _bytes(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._bytes(json.dumps({"errors": {"message": message}}).encode(), "application/json", status)

"""What each kind of source serves, declared once, and the first difference from it.

`riskwatch sources check` compares one answer per configured source with its kind's
declaration here; the DoD spider reads the release search listing through ``release_listing``,
so a changed listing is reported the same way. A difference names its place and what was
expected: ``results[0].publication_date: expected str, got int``.

The declarations follow real answers (see README "Data sources" and ../shared/reference/):
the Federal Register API's envelope (``count`` and ``description`` always; ``total_pages``,
``next_page_url`` and ``results`` only when something matched: an empty search has no
``results``), its result fields (every field asked for with ``fields[]`` is present, possibly
null; an agency can be ``{"raw_name": ...}`` alone), the public-inspection desk of a day
(``count`` and ``results``, also when empty), RSS 2.0 and Atom feeds, and GDELT's DOC API
(``articles``; ``{}`` when nothing matched; a throttle answers HTTP 200 with plain text).
Keys a source adds are not a difference: only what riskwatch reads is declared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime

from lxml import etree

# -- the declaration language ------------------------------------------------------------------


class ShapeChanged(ValueError):
    """An answer that differs from its declaration; the message is the first difference."""


@dataclass(frozen=True)
class Nullable:
    spec: object


@dataclass(frozen=True)
class ListOf:
    spec: object


@dataclass(frozen=True)
class Obj:
    required: dict
    optional: dict | None = None


@dataclass(frozen=True)
class Pattern:
    """A string matching ``regex``, described as ``name`` in a difference."""

    name: str
    regex: str


ISO_DATE = Pattern("an ISO date (YYYY-MM-DD)", r"\d{4}-\d{2}-\d{2}")
GDELT_TIME = Pattern("a GDELT time (YYYYMMDDTHHMMSSZ)", r"\d{8}T\d{6}Z")


def _type_name(value) -> str:
    return {type(None): "null", dict: "object", list: "list"}.get(type(value), type(value).__name__)


def _describe(spec) -> str:
    if isinstance(spec, type):
        return {dict: "object", list: "list"}.get(spec, spec.__name__)
    if isinstance(spec, Nullable):
        return f"{_describe(spec.spec)} or null"
    if isinstance(spec, Pattern):
        return spec.name
    return {ListOf: "list", Obj: "object"}[type(spec)]


def difference(value, spec, path: str = "") -> str | None:
    """The first place where ``value`` differs from ``spec`` (``path: expected X, got Y``), or None."""
    here = path or "(top)"
    if isinstance(spec, Nullable):
        if value is None:
            return None
        found = difference(value, spec.spec, path)
        expected = f"{here}: expected {_describe(spec.spec)}"
        if found and found.startswith(expected):  # this value's own type: say that null was fine too
            found = f"{here}: expected {_describe(spec)}{found[len(expected) :]}"
        return found
    if isinstance(spec, type):
        ok = isinstance(value, spec) and not (spec in (int, float) and isinstance(value, bool))
        return None if ok else f"{here}: expected {_describe(spec)}, got {_type_name(value)}"
    if isinstance(spec, Pattern):
        if not isinstance(value, str):
            return f"{here}: expected {spec.name}, got {_type_name(value)}"
        if not re.fullmatch(spec.regex, value) or (spec is ISO_DATE and not _is_date(value)):
            return f"{here}: expected {spec.name}, got {value[:40]!r}"
        return None
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            return f"{here}: expected list, got {_type_name(value)}"
        for index, item in enumerate(value):
            if found := difference(item, spec.spec, f"{path}[{index}]"):
                return found
        return None
    if isinstance(spec, Obj):
        if not isinstance(value, dict):
            return f"{here}: expected object, got {_type_name(value)}"
        for key, item_spec in spec.required.items():
            child = f"{path}.{key}" if path else key
            if key not in value:
                return f"{child}: missing"
            if found := difference(value[key], item_spec, child):
                return found
        for key, item_spec in (spec.optional or {}).items():
            if key in value and (found := difference(value[key], item_spec, f"{path}.{key}" if path else key)):
                return found
        return None
    raise TypeError(f"not a shape declaration: {spec!r}")


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# -- Federal Register API ------------------------------------------------------------------------

FR_AGENCY = Obj(
    {},
    {
        "raw_name": Nullable(str),
        "name": Nullable(str),
        "id": Nullable(int),
        "url": Nullable(str),
        "json_url": Nullable(str),
        "parent_id": Nullable(int),
        "slug": Nullable(str),
    },
)

# Every field the federal_register spider asks for (crawler.spiders.federal_register.RESULT_FIELDS).
FR_DOCUMENT = Obj(
    {
        "document_number": str,
        "title": str,
        "type": str,
        "abstract": Nullable(str),
        "action": Nullable(str),
        "dates": Nullable(str),
        "publication_date": ISO_DATE,
        "effective_on": Nullable(ISO_DATE),
        "signing_date": Nullable(ISO_DATE),
        "citation": Nullable(str),
        "start_page": Nullable(int),
        "end_page": Nullable(int),
        "docket_ids": ListOf(str),
        "agencies": ListOf(FR_AGENCY),
        "agency_names": ListOf(str),
        "html_url": str,
        "pdf_url": Nullable(str),
        "public_inspection_pdf_url": Nullable(str),
        "json_url": str,
        "body_html_url": Nullable(str),
        "raw_text_url": Nullable(str),
        "full_text_xml_url": Nullable(str),
        "excerpts": Nullable(str),
        "topics": ListOf(str),
    }
)

FR_SEARCH = Obj(
    {"count": int, "description": str},
    {"total_pages": int, "next_page_url": str, "previous_page_url": str, "results": ListOf(FR_DOCUMENT)},
)

PI_DOCUMENT = Obj(
    {
        "document_number": str,
        "type": str,
        "agencies": ListOf(FR_AGENCY),
        "filed_at": Nullable(str),
        "publication_date": Nullable(ISO_DATE),
        "title": Nullable(str),
        "editorial_note": Nullable(str),
        "pdf_url": Nullable(str),
        "html_url": Nullable(str),
        "raw_text_url": Nullable(str),
    },
    {
        "agency_letters": Nullable(ListOf(Obj({}, {"title": Nullable(str), "url": Nullable(str)}))),
        "filing_type": Nullable(str),
        "special_filing": Nullable(bool),
        "num_pages": Nullable(int),
    },
)

PI_DESK = Obj(
    {"count": int, "results": ListOf(PI_DOCUMENT)},
    {"special_filings_updated_at": Nullable(str), "regular_filings_updated_at": Nullable(str)},
)


def _json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ShapeChanged(f"(top): expected JSON, got {_sniff(body)} ({exc.__class__.__name__})") from None


def _sniff(body: bytes) -> str:
    head = body[:300].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return "XML"
    if head.startswith(b"<"):
        return "HTML"
    return "text" if head else "an empty body"


def documents_search(body: bytes) -> int:
    """A ``documents.json`` answer's count; ShapeChanged names the first difference."""
    payload = _json(body)
    if found := difference(payload, FR_SEARCH):
        raise ShapeChanged(found)
    count, results = payload["count"], payload.get("results")
    if count == 0:
        if results:
            raise ShapeChanged(f"results: {len(results)} results while count is 0")
    elif results is None:
        raise ShapeChanged(f"results: missing while count is {count}")
    elif not results:
        raise ShapeChanged(f"results: empty while count is {count}")
    elif "total_pages" not in payload:
        raise ShapeChanged("total_pages: missing while there are results")
    return count


def public_inspection_desk(body: bytes) -> int:
    """A ``public-inspection-documents.json?conditions[available_on]=D`` answer's count."""
    payload = _json(body)
    if found := difference(payload, PI_DESK):
        raise ShapeChanged(found)
    if payload["count"] != len(payload["results"]):
        raise ShapeChanged(f"count: {payload['count']} while results holds {len(payload['results'])}")
    return payload["count"]


# -- feeds -------------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "recover": False}


def _xml_root(body: bytes):
    try:
        return etree.fromstring(body, etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ShapeChanged(f"(top): expected XML, got {_sniff(body)} ({str(exc)[:80]})") from None


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


DOD_RSS_ITEM = ("title", "link", "pubDate", "guid")
NEWS_RSS_ITEM = ("title", "link", "pubDate")


def rss_feed(body: bytes, *, item_fields: tuple[str, ...] = NEWS_RSS_ITEM) -> int:
    """An RSS 2.0 feed's item count: ``rss/channel/item`` each with ``item_fields`` (a readable
    RFC 822 ``pubDate``)."""
    root = _xml_root(body)
    if root.tag != "rss":
        raise ShapeChanged(f"(top): expected <rss>, got <{_local(root.tag)}>")
    channels = root.findall("channel")
    if len(channels) != 1:
        raise ShapeChanged(f"rss/channel: expected one, got {len(channels)}")
    items = channels[0].findall("item")
    for index, item in enumerate(items):
        for field in item_fields:
            value = _text(item, field)
            if not value:
                raise ShapeChanged(f"rss/channel/item[{index}]/{field}: missing")
            if field == "pubDate" and not _rfc822(value):
                raise ShapeChanged(f"rss/channel/item[{index}]/pubDate: expected an RFC 822 date, got {value[:40]!r}")
    return len(items)


def atom_feed(body: bytes) -> int:
    """An Atom feed's entry count: ``feed/entry`` each with ``id``, ``title``, a ``link`` href and a date."""
    root = _xml_root(body)
    if root.tag != f"{ATOM}feed":
        raise ShapeChanged(f"(top): expected an Atom <feed>, got <{_local(root.tag)}>")
    entries = root.findall(f"{ATOM}entry")
    for index, entry in enumerate(entries):
        for field in ("id", "title"):
            if not _text(entry, f"{ATOM}{field}"):
                raise ShapeChanged(f"feed/entry[{index}]/{field}: missing")
        if not any(link.get("href") for link in entry.findall(f"{ATOM}link")):
            raise ShapeChanged(f"feed/entry[{index}]/link: missing href")
        stamp = _text(entry, f"{ATOM}updated") or _text(entry, f"{ATOM}published")
        if not re.match(r"\d{4}-\d{2}-\d{2}T", stamp):
            raise ShapeChanged(f"feed/entry[{index}]/updated: expected an RFC 3339 time, got {stamp[:40]!r}")
    return len(entries)


GDELT_ARTICLE = Obj(
    {"url": str, "title": str, "seendate": GDELT_TIME, "domain": str},
    {
        "language": Nullable(str),
        "sourcecountry": Nullable(str),
        "url_mobile": Nullable(str),
        "socialimage": Nullable(str),
    },
)
GDELT_ARTLIST = Obj({}, {"articles": ListOf(GDELT_ARTICLE)})


class Throttled(Exception):
    """The source answered, but with a request to slow down (not a change of shape)."""


def gdelt_artlist(body: bytes) -> int:
    """A GDELT DOC 2.0 ``mode=artlist&format=json`` answer's article count (``{}`` = none)."""
    if not body.lstrip().startswith(b"{") and b"limit requests" in body[:500].lower():
        raise Throttled(body[:200].decode("utf-8", "replace").strip())
    payload = _json(body)
    if found := difference(payload, GDELT_ARTLIST):
        raise ShapeChanged(found)
    return len(payload.get("articles", []))


RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def rss1_feed(body: bytes) -> int:
    """An RSS 1.0 (RDF) feed's item count: ``rdf:RDF/item`` each with a title and a link."""
    root = _xml_root(body)
    if root.tag != RDF:
        raise ShapeChanged(f"(top): expected <rdf:RDF>, got <{_local(root.tag)}>")
    items = root.findall(f"{RSS1}item")
    for index, item in enumerate(items):
        for field in ("title", "link"):
            if not _text(item, f"{RSS1}{field}"):
                raise ShapeChanged(f"rdf:RDF/item[{index}]/{field}: missing")
    return len(items)


# News feed kinds as data/sources.toml names them; "feed" is whichever of RSS 2.0, RSS 1.0 or Atom
# the body is. A kind not named here has no declared shape (KeyError): the check says "unchecked".
FEED_READERS = {"rss": rss_feed, "google_news": rss_feed, "atom": atom_feed, "rss1": rss1_feed, "gdelt": gdelt_artlist}


def feed(body: bytes, kind: str | None = None) -> tuple[str, int]:
    """A news feed of a declared kind, or of the kind its body shows (kind ``feed`` or none):
    (kind, item count). An unknown declared kind is a KeyError."""
    kind = (kind or "feed").lower()
    if kind == "feed":
        head = body[:1000].lstrip()
        kind = (
            "gdelt"
            if head.startswith(b"{")
            else "atom"
            if b"<feed" in head
            else "rss1"
            if b"<rdf:RDF" in head
            else "rss"
        )
    return kind, FEED_READERS[kind](body)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def _rfc822(value: str) -> bool:
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return False
    return True


# -- DoD release search listing ------------------------------------------------------------------

# The listing container as public crawlers of defense.gov select it (OpenSanctions' check of
# /News/Releases/Search/1260H/ selects exactly one div with these classes); items carry
# article-id / article-title / article-url attributes. The date element inside an item is our
# reconstruction (the replay serves <time datetime="YYYY-MM-DD">); an AP-style date text
# ("Jan. 7, 2025", "Sept. 17, 2026") is read too.
RELEASE_LISTING_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' release-list ')]"
_AP_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_AP_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s+(\d{4})\b")


@dataclass(frozen=True)
class ListedRelease:
    article_id: str
    title: str
    url: str
    day: date


def ap_date(text: str) -> date | None:
    """``June 8, 2026`` / ``Jan. 7, 2025`` / ``Sept. 17, 2026`` as a date, else None."""
    match = _AP_DATE.search(text or "")
    if not match or match.group(1)[:3].lower() not in _AP_MONTHS:
        return None
    try:
        return date(int(match.group(3)), _AP_MONTHS[match.group(1)[:3].lower()], int(match.group(2)))
    except ValueError:
        return None


def release_listing(selector) -> list[ListedRelease]:
    """The releases a search listing page shows (a parsel Selector / Scrapy response), newest first.

    Exactly one listing container; each item an element with ``article-id``, ``article-title``,
    ``article-url`` and a date. An empty container is a page past the last result."""
    containers = selector.xpath(RELEASE_LISTING_XPATH)
    if len(containers) != 1:
        raise ShapeChanged(f"div.release-list: expected one, got {len(containers)}")
    releases = []
    for index, item in enumerate(containers[0].xpath(".//*[@article-id]")):
        where = f"div.release-list item[{index}]"
        fields = {name: (item.attrib.get(f"article-{name}") or "").strip() for name in ("id", "title", "url")}
        for name, value in fields.items():
            if not value:
                raise ShapeChanged(f"{where}/@article-{name}: missing")
        stamp = item.xpath(".//time/@datetime").get("") or ""
        if _is_date(stamp[:10]):
            day = date.fromisoformat(stamp[:10])
        else:
            day = ap_date(" ".join(item.xpath(".//text()").getall()))
        if day is None:
            raise ShapeChanged(f"{where}/time: expected a date, got {stamp[:40]!r}")
        releases.append(ListedRelease(fields["id"], fields["title"], fields["url"], day))
    return releases

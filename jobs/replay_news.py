"""The news part of the offline replay: GDELT DOC 2.0 artlist answers and recorded Atom and
Google News RSS feeds, from ``data/snapshot/news/feeds.json``.

``feeds.json`` holds::

    feeds            the (fictional) outlets whose articles the snapshot has: site, language,
                     domain, sourcecountry, their own RSS (rss_url), and gdelt_queries: the
                     configured GDELT queries whose recorded answers list the outlet's articles
    articles         the outlets' articles (page files under news/articles/)
    recorded_feeds   reconstructed answers of other configured feeds: "atom" or
                     "google_news_rss", with their entries (an entry with a "file" has a page)

The GDELT answer is built like the live one: the outlets' articles for that query, seen up to
the replay's as-of day and within ``startdatetime``/``enddatetime`` (or ``timespan``), newest
first, at most ``maxrecords`` (default 75, ceiling 250); ``{}`` when nothing matches. GDELT
names an article's outlet by its URL's domain, so an outlet's article on another host is not
in the outlet's answer. Query strings are compared as written (whitespace collapsed).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

GDELT_HOST = "api.gdeltproject.org"
GDELT_PATH = "/api/v2/doc/doc"
GDELT_LANGUAGES = {"en": "English", "de": "German"}
_TIMESPAN = re.compile(r"^(\d+)\s*(min|minutes?|h|hours?|d|days?|w|weeks?|m|months?)$", re.I)
_UNITS = {
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "m": timedelta(days=30),
}

Answer = tuple[bytes, str]  # (body, content type), served with HTTP 200


def published_at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def seen_at(published: str) -> datetime:
    """When GDELT would have seen an article: its publication time rounded up to GDELT's 15-minute update."""
    moment = published_at(published).astimezone(timezone.utc).replace(second=0, microsecond=0)
    late = moment.minute % 15
    return moment + timedelta(minutes=15 - late) if late else moment


def _normal(query: str) -> str:
    return " ".join(query.split())


def _text(message: str) -> Answer:
    # GDELT answers errors as a short text/html message with HTTP 200
    return message.encode("utf-8"), "text/html; charset=utf-8"


def gdelt_answer(news: dict, query: dict[str, list[str]], *, as_of: date, localise) -> Answer:
    """An artlist answer for ``query`` (parsed query string) as of ``as_of``."""
    params = {key.lower(): values[0] for key, values in query.items() if values}
    if params.get("mode", "").lower() != "artlist" or params.get("format", "").lower() != "json":
        return _text("riskwatch replay: only mode=artlist&format=json answers are recorded")
    wanted = _normal(params.get("query", ""))
    if not wanted:
        return _text("riskwatch replay: the query is empty")
    try:
        limit = max(1, min(int(params.get("maxrecords", "75")), 250))
        start = (
            datetime.strptime(params["startdatetime"], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
            if "startdatetime" in params
            else None
        )
        end = (
            datetime.strptime(params["enddatetime"], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
            if "enddatetime" in params
            else None
        )
    except ValueError as exc:
        return _text(f"riskwatch replay: unreadable parameter ({exc})")
    horizon = datetime.combine(as_of, time.max, tzinfo=timezone.utc)
    if start is None and (span := _TIMESPAN.match(params.get("timespan", "").strip())):
        unit = span.group(2).lower()
        start = (end or horizon) - int(span.group(1)) * _UNITS["min" if unit.startswith("min") else unit[0]]
    outlets = {
        o["name"]: o for o in news.get("feeds", []) if wanted in {_normal(q) for q in o.get("gdelt_queries", [])}
    }
    rows = []
    for article in news.get("articles", []):
        outlet = outlets.get(article.get("feed"))
        if outlet is None or urlsplit(article["url"]).hostname != urlsplit(outlet["site"]).hostname:
            continue
        seen = seen_at(article["published"])
        if seen > horizon or (start and seen < start) or (end and seen > end):
            continue
        rows.append((seen, article, outlet))
    rows.sort(key=lambda row: (row[0], row[1]["url"]), reverse=params.get("sort", "").lower() != "dateasc")
    records = [
        {
            "url": localise(article["url"]),
            "url_mobile": "",
            "title": article["title"],
            "seendate": seen.strftime("%Y%m%dT%H%M%SZ"),
            "socialimage": "",
            "domain": (urlsplit(article["url"]).hostname or "").removeprefix("www."),
            "language": GDELT_LANGUAGES.get(outlet.get("language"), outlet.get("language", "")),
            "sourcecountry": outlet.get("sourcecountry", ""),
        }
        for seen, article, outlet in rows[:limit]
    ]
    return json.dumps({"articles": records} if records else {}).encode("utf-8"), "application/json; charset=utf-8"


def _visible(entries: list[dict], as_of: date) -> list[dict]:
    entries = [e for e in entries if published_at(e["published"]).date() <= as_of]
    return sorted(entries, key=lambda e: e["published"], reverse=True)


def atom_document(feed: dict, entries: list[dict], localise) -> bytes:
    """An Atom 1.0 feed: feed title/links/id/updated, and per entry title, alternate link, id,
    published, updated, summary (HTML) and author."""
    updated = max(
        (e.get("updated", e["published"]) for e in entries), default=feed.get("updated", "2024-01-01T00:00:00Z")
    )
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(feed.get("language", "en"))}">',
        f"<title>{escape(feed['title'])}</title>",
        f"<subtitle>{escape(feed.get('subtitle', ''))}</subtitle>",
        f'<link rel="alternate" type="text/html" href="{escape(feed["site"])}"/>',
        f'<link rel="self" type="application/atom+xml" href="{escape(feed["url"])}"/>',
        f"<id>{escape(feed.get('id', feed['url']))}</id>",
        f"<updated>{escape(updated)}</updated>",
    ]
    for entry in entries:
        parts.append(
            "<entry>"
            f"<title>{escape(entry['title'])}</title>"
            f'<link rel="alternate" type="text/html" href="{escape(localise(entry["link"]))}"/>'
            f"<id>{escape(entry['id'])}</id>"
            f"<published>{escape(entry['published'])}</published>"
            f"<updated>{escape(entry.get('updated', entry['published']))}</updated>"
            f'<summary type="html">{escape(escape(entry.get("summary", "")))}</summary>'
            f"<author><name>{escape(entry.get('author', feed['title']))}</name></author>"
            "</entry>"
        )
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def google_news_document(feed: dict, entries: list[dict], localise, as_of: date) -> bytes:
    """A Google News RSS search answer: "headline - outlet" titles, opaque news.google.com
    article links, a guid, the outlet in <source url=...>, and an HTML description."""
    search = urlsplit(feed["url"])
    built = format_datetime(datetime.combine(as_of, time(12, 0), tzinfo=timezone.utc), usegmt=True)
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>',
        "<generator>NFE/5.0</generator>",
        f"<title>{escape(feed['title'])}</title>",
        f"<link>{escape(f'https://news.google.com/search?{search.query}')}</link>",
        f"<language>{escape(feed.get('language', 'en'))}</language>",
        "<webMaster>news-webmaster@google.com</webMaster>",
        f"<lastBuildDate>{built}</lastBuildDate>",
        "<description>Google News</description>",
    ]
    for entry in entries:
        link = localise(entry["link"])
        description = (
            f'<a href="{escape(link)}" target="_blank">{escape(entry["headline"])}</a>'
            f'&nbsp;&nbsp;<font color="#6f6f6f">{escape(entry["outlet"])}</font>'
        )
        parts.append(
            "<item>"
            f"<title>{escape(entry['headline'])} - {escape(entry['outlet'])}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(entry["guid"])}</guid>'
            f"<pubDate>{format_datetime(published_at(entry['published']).astimezone(timezone.utc), usegmt=True)}</pubDate>"
            f"<description>{escape(description)}</description>"
            f'<source url="{escape(entry["outlet_url"])}">{escape(entry["outlet"])}</source>'
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def _same_url(recorded: str, host: str, path: str, query: dict[str, list[str]]) -> bool:
    parts = urlsplit(recorded)
    return parts.hostname == host and parts.path == path and parse_qs(parts.query, keep_blank_values=True) == query


def news_answer(
    news: dict, news_root: Path, *, host: str, path: str, query: dict[str, list[str]], as_of: date, localise
) -> Answer | None:
    """The answer for a news URL on ``host`` (GDELT, a recorded feed, a recorded entry's page), or None."""
    if host == GDELT_HOST and path == GDELT_PATH:
        return gdelt_answer(news, query, as_of=as_of, localise=localise)
    for feed in news.get("recorded_feeds", []):
        if _same_url(feed["url"], host, path, query):
            entries = _visible(feed["entries"], as_of)
            if feed["format"] == "atom":
                return atom_document(feed, entries, localise), "application/atom+xml; charset=utf-8"
            if feed["format"] == "google_news_rss":
                return google_news_document(feed, entries, localise, as_of), "application/xml; charset=utf-8"
            raise ValueError(f"recorded feed {feed['url']}: unknown format {feed['format']!r}")
        for entry in feed["entries"]:
            if entry.get("file") and _same_url(entry["link"], host, path, query):
                return (
                    (news_root / "articles" / entry["file"]).read_bytes(),
                    entry.get("content_type", "text/html; charset=utf-8"),
                )
    return None

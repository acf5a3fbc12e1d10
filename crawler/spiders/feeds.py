"""RSS 2.0 / RSS 1.0 and Atom 1.0 feeds read alike, and the per-feed article-domain policy.

Pure functions over bytes, used by the news spider. Atom entries (``<feed
xmlns="http://www.w3.org/2005/Atom"><entry>``) give the same fields as RSS items: title,
the ``rel="alternate"`` link, id, published (else updated) and summary (else content).
A Google News RSS search item also carries its outlet (``<source url=...>``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from w3lib.html import remove_tags, replace_entities

from crawler.spiders.common import rss_day


class FeedError(ValueError):
    """The bytes are not an RSS or Atom feed."""


@dataclass(frozen=True)
class FeedEntry:
    """An RSS item or Atom entry. ``link`` is as written (resolved against the feed URL when relative)."""

    title: str
    link: str
    guid: str
    published: str  # the date as written (RFC 822 in RSS, RFC 3339 in Atom)
    summary: str  # plain text
    source: str = ""  # the outlet named by the item (Google News: <source>)
    source_url: str = ""

    @property
    def day(self) -> date | None:
        return feed_day(self.published)


@dataclass(frozen=True)
class Feed:
    format: str  # "rss" or "atom"
    title: str
    entries: list[FeedEntry]


def feed_day(published: str | None) -> date | None:
    """The publication day of an RSS ``pubDate`` (RFC 822) or Atom ``published``/``updated``
    (RFC 3339), in the publisher's own offset; None when missing or unreadable."""
    if not published:
        return None
    day = rss_day(published)
    if day is not None:
        return day
    try:
        return datetime.fromisoformat(published.strip()).date()
    except ValueError:
        return None


def _text(node: Selector, path: str) -> str:
    return " ".join(node.xpath(f"string({path})").get("").split())


def _plain(markup: str) -> str:
    """Text of an HTML fragment as feeds carry it in summaries (entities decoded, tags dropped)."""
    return " ".join(replace_entities(remove_tags(markup)).split())


def parse_feed(body: bytes, *, base_url: str) -> Feed:
    """The entries of an RSS or Atom document; FeedError when the bytes are neither."""
    if not body or not body.strip():
        raise FeedError("empty body")
    try:
        root = Selector(body=body, type="xml")
        root.remove_namespaces()
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise FeedError(f"not XML ({exc.__class__.__name__}: {exc})") from exc
    name = root.xpath("name(/*)").get("")
    if name == "feed":
        entries = [_atom_entry(node, base_url) for node in root.xpath("/feed/entry")]
        return Feed("atom", _text(root, "/feed/title"), entries)
    if name in ("rss", "RDF"):
        entries = [_rss_item(node, base_url) for node in root.xpath("//item")]
        return Feed("rss", _text(root, "//channel/title"), entries)
    raise FeedError(f"root element is <{name}>, not <rss> or <feed>" if name else "no XML root element")


def _resolve(base_url: str, link: str) -> str:
    try:
        return urljoin(base_url, link) if link else ""
    except ValueError:  # an unusable link stays as written: the spider records it
        return link


def _atom_entry(node: Selector, base_url: str) -> FeedEntry:
    links = node.xpath("link[not(@rel) or @rel='alternate']/@href").getall()
    link = (links[0] if links else "").strip()
    summary = node.xpath("string(summary)").get("") or node.xpath("string(content)").get("")
    return FeedEntry(
        title=_text(node, "title"),
        link=_resolve(base_url, link),
        guid=_text(node, "id"),
        published=_text(node, "published") or _text(node, "updated"),
        summary=_plain(summary),
    )


def _rss_item(node: Selector, base_url: str) -> FeedEntry:
    link = node.xpath("string(link)").get("").strip()
    return FeedEntry(
        title=_text(node, "title"),
        link=_resolve(base_url, link),
        guid=_text(node, "guid"),
        published=_text(node, "pubDate") or _text(node, "date"),  # RSS 1.0: dc:date
        summary=_plain(node.xpath("string(description)").get("")),
        source=_text(node, "source"),
        source_url=node.xpath("string(source/@url)").get("").strip(),
    )


def google_news_title(entry: FeedEntry) -> str:
    """Google News titles end in " - <outlet>"; the headline without it."""
    suffix = f" - {entry.source}"
    return entry.title[: -len(suffix)] if entry.source and entry.title.endswith(suffix) else entry.title


def google_news_text(entry: FeedEntry) -> str:
    """What a Google News item says, as the document text: its link is an opaque redirect page
    that is never followed, so the feed's own headline, outlet, date and description are all there is."""
    lines = [google_news_title(entry)]
    if entry.source:
        lines.append(f"{entry.source} ({entry.source_url})" if entry.source_url else entry.source)
    if entry.published:
        lines.append(entry.published)
    if entry.summary and entry.summary not in (entry.title, f"{google_news_title(entry)} {entry.source}".strip()):
        lines.append(entry.summary)
    return "\n".join(lines) + "\n"


def matches_keywords(entry: FeedEntry, keywords: list[str]) -> bool:
    """Whether the entry's title or summary names one of ``keywords`` (case-insensitive)."""
    haystack = f"{entry.title}\n{entry.summary}".casefold()
    return any(keyword.casefold() in haystack for keyword in keywords)


# -- article-domain policy ---------------------------------------------------------------------

ANY = "any"


def article_policy(value, feed_url: str) -> tuple[str, ...] | None:
    """A feed's ``article_domains`` setting: None for ``"any"``, else the allowed domains (each
    with its subdomains). Unset: the feed's own host only. ValueError for anything else."""
    if value is None:
        host = (urlsplit(feed_url).hostname or "").lower()
        return (host,) if host else ()
    if value == ANY:
        return None
    if isinstance(value, list) and value and all(isinstance(d, str) and d.strip() for d in value):
        return tuple(d.strip().lower().lstrip(".") for d in value)
    raise ValueError(f'article_domains must be "any" or a non-empty list of domains, not {value!r}')


def public_host(host: str) -> bool:
    """False for hosts no news link has a reason to reach: localhost and loopback, private,
    link-local or reserved IP addresses (names are not resolved here)."""
    host = host.lower().strip("[]")
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def policy_allows(policy: tuple[str, ...] | None, url: str) -> bool:
    """Whether ``url``'s host is within ``policy``; None ("any") allows any public host."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if policy is None:
        return public_host(host)
    return any(host == domain or host.endswith("." + domain) for domain in policy)


def describe_policy(policy: tuple[str, ...] | None) -> str:
    return ANY if policy is None else ", ".join(policy) or "(none)"

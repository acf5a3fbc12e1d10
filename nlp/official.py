"""Structured parser for official 1260H list notices (Federal Register body HTML).

Official documents are not read with the prose heuristics: their list of
entities is parsed structurally, and additions/removals are derived by
comparing the edition with what was listed before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import lxml.html

EDITION_TITLE = re.compile(
    r"notice of (availability of )?designation|entities identified as chinese military compan|"
    r"chinese military companies.*section 1260h", re.I)
REMOVAL_TITLE = re.compile(r"notice of removal", re.I)
TOPIC = re.compile(r"1260h|chinese military compan", re.I)
REMOVED_HEADING = re.compile(r"\b(removed|removal|deleted|no longer)\b", re.I)
LISTED_HEADING = re.compile(r"\b(identified|designat\w*|following entities|added|list)\b", re.I)
_NUMBERING = re.compile(r"^\s*(\(?\d+[.)]|[-•*])\s*")


@dataclass
class ListedName:
    name: str
    aliases: list[str] = field(default_factory=list)
    printed: str = ""
    parent: str | None = None  # "subsidiary of X" as the list prints it


@dataclass
class OfficialNotice:
    kind: str  # edition | removal
    list_name: str
    list_date: date | None
    listed: list[ListedName] = field(default_factory=list)
    removed: list[ListedName] = field(default_factory=list)


def notice_kind(title: str | None, text: str) -> str | None:
    """'edition', 'removal' or None for documents that are not official 1260H list notices."""
    title = title or ""
    if not TOPIC.search(title) and not TOPIC.search(text[:20000]):
        return None
    if REMOVAL_TITLE.search(title):
        return "removal"
    if EDITION_TITLE.search(title):
        return "edition"
    return None


def _trailing_group(text: str) -> int | None:
    """Index of the '(' that balances a final ')', or None."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return None


def split_printed_name(printed: str) -> ListedName:
    """'Aviation Industry Corporation of China, Ltd. (AVIC)' -> name + alias 'AVIC'.

    Only trailing parentheses hold aliases and notes; parentheses inside a name are
    part of it ('Semiconductor Manufacturing International (Beijing) Corporation').
    A final period belongs to the name ('Co., Ltd.').
    """
    printed = _NUMBERING.sub("", printed).strip().rstrip(";,").strip()
    name, aliases, parent = printed, [], None
    while (start := _trailing_group(name)) is not None and start > 0:
        group = []
        for part in split_notes(name[start + 1:-1]):
            if part.lower().startswith("subsidiary of "):
                parent = part[len("subsidiary of "):].strip()
            else:
                group.append(part)
        aliases = group + aliases
        name = name[:start].rstrip(" ,;")
    return ListedName(name=re.sub(r"\s+", " ", name), aliases=aliases, printed=printed, parent=parent)


def split_notes(notes: str) -> list[str]:
    """'AVIC Jonhon; formerly X Co., Ltd.' -> ['AVIC Jonhon', 'X Co., Ltd.'] (semicolons inside
    parentheses are kept; 'see ...'/'note ...' remarks dropped)."""
    parts = []
    for part in re.split(r";(?![^()]*\))|,\s*(?:also|a\.k\.a\.)", notes):
        part = re.sub(r"^(formerly|also known as|a\.k\.a\.|aka)\s+", "", part.strip(), flags=re.I)
        if part and not re.match(r"^(see|note|\d)", part, re.I):
            parts.append(part)
    return parts


def notice_from_list_rows(rows, *, list_date: date | None, list_name: str = "1260H") -> OfficialNotice:
    """An edition from the rows of a list PDF (crawler.parsers.list_pdf.ListRow)."""
    listed = []
    for row in rows:
        entry = split_printed_name(f"{row.name} ({row.notes})" if row.notes else row.name)
        entry.printed = row.printed
        listed.append(entry)
    return OfficialNotice(kind="edition", list_name=list_name, list_date=list_date, listed=listed)


def parse_list_html(html: str) -> tuple[list[ListedName], list[ListedName]]:
    """(listed, removed) entries from list items / table rows, by the heading above them."""
    root = lxml.html.fromstring(html)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    listed: list[ListedName] = []
    removed: list[ListedName] = []
    section: list[ListedName] | None = None
    for element in root.iter("p", "h1", "h2", "h3", "h4", "li", "tr"):
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if element.tag in ("li", "tr"):
            if element.tag == "tr":
                cells = element.xpath("./td")
                if not cells:
                    continue
                text = " ".join(cells[0].text_content().split())
            entry = split_printed_name(text) if section is not None and text else None
            if entry is not None and entry.name:  # a bare "1." or "-" item names nobody
                section.append(entry)
        elif text.endswith(":") or element.tag.startswith("h"):
            if REMOVED_HEADING.search(text):
                section = removed
            elif LISTED_HEADING.search(text):
                section = listed
    return listed, removed


def parse_official_notice(*, title: str | None, html: str, text: str, list_date: date | None,
                          list_name: str = "1260H") -> OfficialNotice | None:
    kind = notice_kind(title, text)
    if kind is None:
        return None
    listed, removed = parse_list_html(html) if html.strip() else ([], [])
    return OfficialNotice(kind=kind, list_name=list_name, list_date=list_date, listed=listed, removed=removed)

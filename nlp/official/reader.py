"""The structural reader of official 1260H notices, shared by every format's front end.

A front end (see ``formats.py``) turns a served document into ``Paragraph``s:
text, its printed lines, and whether it is a bullet paragraph. This module reads
the notice from them:

- the kind (edition / interim / removal) from the title, else the lead-in;
- the list sections, each opened by a lead-in paragraph ending in ':' ("... the
  following entities qualify for designation ...:" / "... the following
  previously listed entities should be removed ...:");
- in a listed section, each heading (a plain paragraph) with the bullet
  paragraphs under it as its statutory basis; a list printed as bare bullets or
  bare lines is read too;
- the dates with their kinds (signed, filed, published, previous list).

A shape it does not recognise gives ``problem`` (why), never a partial list
presented as the truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from nlp.official.model import ListedName, NoticeKind, OfficialNotice
from nlp.official.names import balance, citations, parse_heading, split_entry, squash
from core.vocabulary import TOPIC_1260H

_REMOVAL_TITLE = re.compile(r"notice of (the )?removal", re.I)
_SINGULAR_TITLE = re.compile(r"designation of (a )?chinese military company\b(?!\w)", re.I)
_EDITION_TITLE = re.compile(
    r"(designation|availability)\b.*chinese military companies|"
    r"entities identified as chinese military companies|chinese military companies.*1260h",
    re.I,
)
# A lead-in introduces a list: a paragraph ending in ':' about entities or companies ("... the following
# entities qualify for designation ...:", "... each entity named below ...:").
_LEAD_IN = re.compile(
    r"\b(following|below|these|named|listed)\b.*\b(entit(y|ies)|compan(y|ies))\b|"
    r"\b(entit(y|ies)|compan(y|ies))\b.*\b(following|below|named|listed)\b",
    re.I | re.S,
)
_LAST_SENTENCE = re.compile(r"(?<=[a-z0-9)'\"]\.)\s+(?=[A-Z])")
_REMOVAL_LEAD = re.compile(r"\b(removed|removal|remove|deleted|deletion|no longer)\b", re.I)
_LISTED_LEAD = re.compile(r"\b(designat\w*|qualif\w*|identif\w*|add\w*|determined|list(ed)?|named)\b", re.I)
# Lower-case verbs of running prose; entity names do not contain them.
_PROSE = re.compile(
    r"\b(is|are|was|were|has|have|had|be|been|may|must|can|shall|will|should|provides?|"
    r"requires?|determined|includes?|qualif(y|ies)|found)\b"
)
# Where a list is over for certain: the signature, the FR Doc line, a section label.
_SECTION_END = re.compile(r"^(Dated:|\[FR Doc|BILLING CODE|[A-Z][A-Z ,]{3,}:)")
_MONTH_DATE = r"([A-Z][a-z]+\.? \d{1,2}, \d{4})"
_SIGNED = re.compile(r"Dated:\s*" + _MONTH_DATE)
_FILED = re.compile(r"Filed\s+(\d{1,2})[-/](\d{1,2})[-/](\d{2,4});?\s+(\d{1,2}):(\d{2})\s*([ap])\.?m", re.I)
_PUBLISHED = re.compile(r"Federal Register\s+Volume \d+, Number \d+ \(\w+, " + _MONTH_DATE + r"\)")
_PREVIOUS = re.compile(r"(?:announced|published|released|dated)\s+(?:on\s+)?" + _MONTH_DATE)
_DOC_NUMBER = re.compile(r"FR Doc(?:\.|\s+No:)\s*(\d{4}-\d{4,6})")


@dataclass
class Paragraph:
    text: str
    bullet: bool = False
    lines: list[str] = field(default_factory=list)
    section_title: bool = False  # a heading of the notice's own structure ("Reconsideration Process")

    def __post_init__(self):
        self.text = squash(self.text)
        if not self.lines:
            self.lines = [self.text]


@dataclass
class Served:
    """What a front end read from one served document."""

    paragraphs: list[Paragraph]
    title: str | None = None
    text: str = ""  # the whole document as plain text (for dates and evidence offsets)
    source_format: str = ""


_FUNCTION_WORDS = {"of", "and", "the", "for", "in", "on", "de", "du", "la", "und", "der", "&", "an", "a"}
# Words an organisation's name carries (a heading of the notice's structure carries none).
_ORGANISATION = re.compile(
    r"\b(co|corp|corporation|company|ltd|limited|inc|llc|plc|group|holdings?|institute|academy|university|bank|"
    r"cent(er|re)|laborator(y|ies)|industr(y|ies)|technolog(y|ies)|systems?|electronics?|shipping|airlines?|"
    r"ag|gmbh|pty|s\.?a|s\.?l\.?u)\b|\(",
    re.I,
)


def is_prose(text: str) -> bool:
    """Running text (a sentence), not a name: prose verbs, or mostly lower-case words."""
    if _PROSE.search(text) and len(text) > 40:
        return True
    words = [w for w in re.findall(r"[^\s()]+", text) if w.lower() not in _FUNCTION_WORDS]
    lower = [w for w in words if w[0].islower()]
    return len(words) >= 4 and len(lower) * 10 >= 4 * len(words)


def notice_kind(title: str | None, lead_ins: list[str]) -> NoticeKind:
    title = squash(title or "")
    if _REMOVAL_TITLE.search(title):
        return NoticeKind.REMOVAL
    if _SINGULAR_TITLE.search(title):
        return NoticeKind.INTERIM
    if _EDITION_TITLE.search(title):
        return NoticeKind.EDITION
    listed = [lead for lead in lead_ins if not _REMOVAL_LEAD.search(lead)]
    if listed:
        return (
            NoticeKind.INTERIM if re.search(r"following\s+(\w+\s+)?entity\b", listed[0], re.I) else NoticeKind.EDITION
        )
    if lead_ins:
        return NoticeKind.REMOVAL
    return NoticeKind.UNKNOWN


def is_official_notice(title: str | None, text: str) -> bool:
    """Whether a Federal Register document is about the 1260H list at all."""
    return bool(TOPIC_1260H.search(title or "") or TOPIC_1260H.search(text[:20000]))


def read_notice(
    served: Served, *, title: str | None = None, list_date: date | None = None, list_name: str = "1260H"
) -> OfficialNotice:
    """The notice the paragraphs print."""
    paragraphs = served.paragraphs
    title = squash(title or served.title or "") or None
    lead_positions = [
        i
        for i, p in enumerate(paragraphs)
        if not p.bullet and p.text.endswith(":") and _LEAD_IN.search(_LAST_SENTENCE.split(p.text)[-1])
    ]
    kind = notice_kind(title, [paragraphs[i].text for i in lead_positions])
    notice = OfficialNotice(
        kind=kind.value, list_name=list_name, list_date=list_date, title=title, source_format=served.source_format
    )
    notice.dates = read_dates(served.text)
    if list_date:
        notice.dates["list"] = list_date.isoformat()
    if match := _DOC_NUMBER.search(served.text):
        notice.document_number = match.group(1)
    for index, start in enumerate(lead_positions):
        end = lead_positions[index + 1] if index + 1 < len(lead_positions) else len(paragraphs)
        lead = paragraphs[start].text
        section = paragraphs[start + 1 : end]
        if _REMOVAL_LEAD.search(lead) and not re.search(r"\bqualif", lead, re.I):
            if match := _PREVIOUS.search(lead):
                notice.dates.setdefault("previous_list", _iso(match.group(1)) or "")
            notice.removed += read_names(section, notice.warnings)
        elif _LISTED_LEAD.search(lead):
            notice.listed += read_listed(section, notice.warnings)
    notice.problem = shape_problem(notice, found_lead_in=bool(lead_positions))
    return notice


def read_listed(section: list[Paragraph], warnings: list[str]) -> list[ListedName]:
    """Entries of a listed section: headings with their basis bullets, or a bare list."""
    if not section:
        return []
    if section[0].bullet or not any(p.bullet for p in section):
        return read_names(section, warnings)
    entries: list[ListedName] = []
    current: ListedName | None = None
    for position, paragraph in enumerate(section):
        if paragraph.bullet:
            if current is None:
                warnings.append(f"basis paragraph without a heading: {paragraph.text[:60]!r}")
                continue
            current.basis.append(paragraph.text)
            current.citations += [c for c in citations(paragraph.text) if c not in current.citations]
            continue
        followed_by_basis = position + 1 < len(section) and section[position + 1].bullet
        if (
            paragraph.section_title
            or _SECTION_END.match(paragraph.text)
            or (not followed_by_basis and is_prose(paragraph.text))
        ):
            break  # the list is over: closing prose
        if not followed_by_basis:
            if not any(section[i].bullet for i in range(position + 1, len(section))):
                break  # no heading with a basis follows: a section title after the list ("Reconsideration Process")
            warnings.append(f"heading without a basis paragraph: {paragraph.text[:80]!r}")
        entry, subsidiaries = parse_heading(paragraph.text, warnings)
        entries.append(entry)
        entries += subsidiaries
        current = entry
    return entries


def read_names(section: list[Paragraph], warnings: list[str]) -> list[ListedName]:
    """A bare list: one name per bullet, or per printed line (a wrapped name joined back)."""
    entries: list[ListedName] = []
    bulleted = bool(section) and section[0].bullet
    for paragraph in section:
        if bulleted:
            if not paragraph.bullet:
                break
            names = [paragraph.text]
        else:
            if (
                paragraph.bullet
                or paragraph.section_title
                or is_prose(paragraph.text)
                or _SECTION_END.match(paragraph.text)
            ):
                break
            names = _join_wrapped(paragraph.lines)
        for name in names:
            entry = split_entry(name)
            if entry.name:
                entries.append(entry)
    if len(entries) > 1 and not _ORGANISATION.search(entries[-1].printed):
        # pdftotext prints a section title ("Reconsideration Process") like a name: the last line of a
        # list that names no organisation is taken as that title
        warnings.append(f"{entries[-1].printed!r} after the list read as a section title, not a name")
        entries.pop()
    return entries


def _join_wrapped(lines: list[str]) -> list[str]:
    names: list[str] = []
    for line in (squash(line) for line in lines):
        if not line:
            continue
        if names and (
            balance(names[-1]) > 0
            or re.search(r"(,|&|\band|\bof|-)$", names[-1])
            or line[0].islower()
            or line[0] == "("
        ):
            names[-1] = f"{names[-1]} {line}"
        else:
            names.append(line)
    return names


def shape_problem(notice: OfficialNotice, *, found_lead_in: bool) -> str | None:
    """Why this notice's list must not be trusted, or None."""
    if notice.kind == NoticeKind.UNKNOWN:
        return (
            "a 1260H notice of a kind riskwatch does not recognise (title and lead-in name no designation or removal)"
        )
    if not found_lead_in:
        return "no list lead-in paragraph (one ending in ':' that introduces the entities) found"
    if notice.kind in (NoticeKind.EDITION, NoticeKind.INTERIM) and not notice.listed:
        return "the list section after the lead-in has no entity headings"
    if notice.kind == NoticeKind.REMOVAL and not notice.removed:
        return "a removal notice without a removal list"
    entries = notice.listed + notice.removed
    sentences = [e for e in entries if is_prose(e.name) or len(e.name) > 200]
    if sentences and len(sentences) * 10 > len(entries):
        return (
            f"{len(sentences)} of {len(entries)} entity headings read as sentences "
            f"(e.g. {sentences[0].name[:60]!r}): layout not recognised"
        )
    return None


def read_dates(text: str) -> dict[str, str]:
    """Dates the notice prints, by kind."""
    dates: dict[str, str] = {}
    if match := _SIGNED.search(text):
        if iso := _iso(match.group(1)):
            dates["signed"] = iso
    if match := _FILED.search(text):
        month, day, year, hour, minute, half = match.groups()
        year = int(year) + (2000 if len(year) == 2 else 0)
        hour = int(hour) % 12 + (12 if half.lower() == "p" else 0)
        try:
            dates["filed"] = datetime(year, int(month), int(day), hour, int(minute)).isoformat(timespec="minutes")
        except ValueError:
            pass
    if match := _PUBLISHED.search(text):
        if iso := _iso(match.group(1)):
            dates["published"] = iso
    return dates


def _iso(text: str) -> str | None:
    for fmt in ("%B %d, %Y", "%b. %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None

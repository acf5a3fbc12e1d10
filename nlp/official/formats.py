"""Front ends: each format the Federal Register serves a notice in -> paragraphs for the reader.

- GPO text: ``raw_text_url`` (an HTML page wrapping the text in ``<pre>``, or a
  plain ``.txt``), and public-inspection raw text (pdftotext output, form feeds
  between pages). Paragraphs are indented 4 spaces, headings start at column 0,
  bullet paragraphs start with ``<bullet>``; ``[[Page N]]`` markers can fall
  inside a heading or a paragraph.
- FR body HTML (``body_html_url``): every paragraph a ``<p>``, bullet paragraphs
  ``<ul class="bullets"><li>``.
- GPO XML (``full_text_xml_url``): ``<NOTICE>`` with ``<PREAMB>``, ``<SUPLINF>``
  paragraphs ``<P>``/``<FP>`` (bullets start with a bullet character),
  ``<PRTPAGE>`` page markers, ``<SIG>``, ``<FRDOC>``.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import lxml.etree
import lxml.html

from nlp.official.model import OfficialNotice
from nlp.official.reader import Paragraph, Served, is_prose, read_notice
from nlp.official.names import squash

BULLET = "\u2022"
_PAGE_MARKER = re.compile(r"^\s*\[\[Page \d+\]\]\s*$")
_GPO_BULLET = re.compile(r"^\s*(<bullet>|&lt;bullet&gt;|\u2022)\s*", re.I)
_CITATION_END = re.compile(r"\)\)*\.$")


class NoticeFormatError(ValueError):
    """A document that is none of the formats the Federal Register serves."""


def sniff(raw: bytes, content_type: str | None = None) -> str:
    """'gpo_xml', 'gpo_page' (text in <pre>), 'fr_html' or 'gpo_text'."""
    head = raw[:4000].lstrip().lower()
    ctype = (content_type or "").lower()
    if head.startswith(b"<?xml") or b"<notice" in head or b"<fedreg" in head or "xml" in ctype:
        if b"<html" not in head:
            return "gpo_xml"
    if b"<pre" in raw[:200000].lower():
        return "gpo_page"
    if "html" in ctype or head.startswith((b"<!doctype", b"<html", b"<div", b"<p", b"<h")):
        return "fr_html"
    return "gpo_text"


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def gpo_text(text: str, source_format: str = "gpo_text") -> Served:
    """GPO plain text -> paragraphs."""
    text = text.replace("\r\n", "\n").replace("\f", "\n\n[[Page 0]]\n\n")
    lines = text.split("\n")
    # A page marker and the blank lines around it join what it splits.
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _PAGE_MARKER.match(lines[index]):
            while kept and not kept[-1].strip():
                kept.pop()
            index += 1
            while index < len(lines) and not lines[index].strip():
                index += 1
            continue
        kept.append(lines[index])
        index += 1
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in kept:
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
        elif (line.startswith("  ") or _GPO_BULLET.match(line)) and current:  # an indent or a bullet opens one
            blocks.append(current)
            current = [line]
        else:
            current.append(line)
    if current:
        blocks.append(current)
    paragraphs: list[Paragraph] = []
    for block in blocks:
        paragraphs += _split_block(block)
    title = _gpo_title(kept)
    return Served(paragraphs=paragraphs, title=title, text="\n".join(kept), source_format=source_format)


def _split_block(block: list[str]) -> list[Paragraph]:
    """One printed block -> paragraphs. A heading printed right under a bullet paragraph, with
    no blank line between, starts at column 0 after a line that closes a citation: split it off."""
    bullet = bool(_GPO_BULLET.match(block[0]))
    if not bullet:
        return [_paragraph(block, bullet=False)]
    for cut in range(1, len(block)):
        if (
            not block[cut].startswith(" ")
            and _CITATION_END.search(block[cut - 1].rstrip())
            and not is_prose(" ".join(block[cut:]))
        ):
            return [_paragraph(block[:cut], bullet=True), _paragraph(block[cut:], bullet=False)]
    return [_paragraph(block, bullet=True)]


# GPO prints a heading of the notice's structure as one indented line, no punctuation.
_GPO_SECTION_TITLE = re.compile(r"^ {2,}[A-Z][A-Za-z]*(?: [A-Za-z]+){0,5}$")


def _paragraph(lines: list[str], *, bullet: bool) -> Paragraph:
    title = not bullet and len(lines) == 1 and bool(_GPO_SECTION_TITLE.match(lines[0].rstrip()))
    lines = [line.strip() for line in lines]
    if bullet:
        lines[0] = _GPO_BULLET.sub("", lines[0])
    text = ""
    for line in lines:
        # a word broken after its hyphen at the end of a line continues without a space
        text = f"{text}{line}" if text.endswith("-") and not text.endswith(" -") else f"{text} {line}"
    return Paragraph(text=text, bullet=bullet, lines=lines, section_title=title)


def _gpo_title(lines: list[str]) -> str | None:
    """The subject: the block after the docket line (or the sub-agency) and before AGENCY:."""
    text = "\n".join(lines)
    match = re.search(r"\[Docket (?:ID|No\.)?:?[^\]]*\]\s*\n\s*\n(.+?)\n\s*\n", text, re.S)
    if match is None:
        match = re.search(r"Office of the Secretary\s*\n\s*\n(.+?)\n\s*\n\s*AGENCY:", text, re.S)
    return squash(match.group(1)) if match else None


def gpo_page(raw: bytes) -> Served:
    """An HTML page wrapping GPO text in <pre> (what ``raw_text_url`` serves)."""
    page = _decode(raw)
    match = re.search(r"<pre[^>]*>(.*?)(</pre>|\Z)", page, re.S | re.I)
    body = match.group(1) if match else page
    body = re.sub(r"<bullet>", "&lt;bullet&gt;", body, flags=re.I)
    body = re.sub(r"<script\b.*?(</script>|\Z)", "", body, flags=re.S | re.I)
    body = re.sub(r"<[^>]+>", "", body)  # links, e-mail protection spans
    return gpo_text(html_lib.unescape(body), source_format="gpo_page")


def fr_html(raw: bytes) -> Served:
    """The Federal Register's HTML rendering: <p> paragraphs, <ul class="bullets"><li> bullets."""
    try:
        root = lxml.html.fromstring(raw)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NoticeFormatError(f"HTML not readable: {exc}") from exc
    for bad in root.xpath("//script|//style|//*[contains(@class, 'printed-page')]"):
        bad.drop_tree()
    for br in root.iter("br"):  # a list printed as lines of one paragraph keeps its lines
        br.tail = "\n" + (br.tail or "")
    paragraphs = []
    for element in root.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
        if element.tag == "p" and any(a.tag == "li" for a in element.iterancestors()):
            continue  # a <p> inside a list item belongs to the item
        content = element.text_content()
        text = squash(content)
        if not text:
            continue
        bullet = element.tag == "li" or text.startswith(BULLET)
        lines = [squash(line) for line in content.split("\n") if line.strip()]
        paragraphs.append(
            Paragraph(
                text=text.lstrip(BULLET + " ") if bullet else text,
                bullet=bullet,
                lines=lines if len(lines) > 1 and not bullet else [],
                section_title=element.tag.startswith("h"),
            )
        )
    text = "\n".join(p.text for p in paragraphs)
    return Served(paragraphs=paragraphs, text=text, source_format="fr_html")


_XML_PARAGRAPHS = {"P", "FP", "HD"}


def gpo_xml(raw: bytes) -> Served:
    """GPO Federal Register XML of a notice."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(raw, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise NoticeFormatError(f"XML not readable: {exc}") from exc
    if root is None:
        raise NoticeFormatError("XML not readable: empty document")
    for marker in root.iter("PRTPAGE"):
        _drop_keep_tail(marker)
    subject = root.find(".//SUBJECT")
    title = squash("".join(subject.itertext())) if subject is not None else None
    paragraphs, texts = [], []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        text = squash("".join(element.itertext()))
        if element.tag in ("DATED", "FRDOC", "DEPDOC"):
            texts.append(text)
        if element.tag not in _XML_PARAGRAPHS or not text:
            continue
        bullet = text.startswith(BULLET)
        paragraphs.append(
            Paragraph(
                text=text.lstrip(BULLET + " ") if bullet else text, bullet=bullet, section_title=element.tag == "HD"
            )
        )
        texts.append(text)
    date_element = root.find(".//DATE")
    if date_element is not None and date_element.text:
        texts.append(f"Federal Register Volume 0, Number 0 (Day, {squash(date_element.text)})")
    return Served(paragraphs=paragraphs, title=title, text="\n".join(texts), source_format="gpo_xml")


def _drop_keep_tail(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


FRONT_ENDS = {
    "gpo_xml": gpo_xml,
    "gpo_page": gpo_page,
    "fr_html": fr_html,
    "gpo_text": lambda raw: gpo_text(_decode(raw)),
}


def read_served(raw: bytes, content_type: str | None = None) -> Served:
    """Paragraphs of a served notice, whatever its format."""
    return FRONT_ENDS[sniff(raw, content_type)](raw)


def parse_notice(
    raw: bytes,
    *,
    content_type: str | None = None,
    title: str | None = None,
    list_date: date | None = None,
    list_name: str = "1260H",
) -> OfficialNotice:
    """An official notice in any format the Federal Register serves."""
    return read_notice(read_served(raw, content_type), title=title, list_date=list_date, list_name=list_name)

"""Turn raw fetched bytes into plain text (scripts and styles dropped, never executed)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "section",
    "article",
    "td",
    "th",
    "title",
}
_CHARSET = re.compile(r"charset=([\w-]+)", re.I)
# characters lxml refuses in text (C0 controls other than tab/newline/CR, surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class TextExtractionError(ValueError):
    """The bytes could not be turned into text."""


def decode(raw: bytes, content_type: str | None = None) -> str:
    """Decode with the declared charset, else UTF-8, else Windows-1252 (never fails silently)."""
    declared = _CHARSET.search(content_type or "")
    for encoding in ([declared.group(1)] if declared else []) + ["utf-8"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeError):  # UnicodeError: codecs such as idna raise it on bad input
            continue
    return raw.decode("cp1252", errors="replace")


def html_to_text(html: str) -> str:
    """Visible text of an HTML document or fragment, one block per line."""
    if not html.strip():
        return ""
    html = _NOT_XML.sub(" ", html)
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise TextExtractionError(f"HTML could not be parsed: {exc}") from exc
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def article_text(raw: bytes | None, content_type: str | None) -> str:
    """The main text of a news page (trafilatura), without navigation, teasers or scripts."""
    if not raw:
        return ""
    import trafilatura  # imported here: only articles need it

    html = decode(raw, content_type)
    extracted = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
    )
    return extracted.strip() if extracted else html_to_text(html)


def document_text(raw: bytes | None, content_type: str | None) -> str:
    """Plain text for a stored document body."""
    if not raw:
        return ""
    text = decode(raw, content_type)
    if "html" in (content_type or "") or text.lstrip().startswith("<"):
        return html_to_text(text)
    return text

"""Render a Federal Register notice in the real full-text formats (used by build_snapshot.py).

One notice model, four renderings, each laid out as the real source lays it out:

- ``gpo_text_page``: the page served at ``raw_text_url`` (``/documents/full_text/text/...txt``): an HTML
  page wrapping GPO plain text in ``<pre>`` (header lines, dashed rules, lines wrapped at about 72
  columns with a trailing space, prose paragraphs indented 4 spaces on their first line only,
  entity headings flush left, ``    <bullet> `` paragraphs, ``[[Page N]]`` markers with blank lines
  around them, ``&`` and ``<bullet>`` left unescaped as in the real file). Checked against the real
  FR Doc. 2026-11571 text (shared/reference/real/fr-2026-11571.raw_text.html).
- ``gpo_xml``: GPO XML (``/documents/full_text/xml/...xml``): NOTICE/PREAMB/SUPLINF, ``<FP>`` for flush
  paragraphs (headings, removal names), ``<P>`` for indented ones, bullets as paragraphs starting
  with U+2022, ``<PRTPAGE P="N"/>`` inline where a page break falls inside a paragraph.
- ``body_html``: the Federal Register's rendering of that XML (``/documents/full_text/html/...html``),
  following usnationalarchives/federalregister-web app/views/xslt/matchers/full_text.html.xslt:
  preamble ``<div id="agency"><h1 id="h-1">AGENCY:</h1><p id="p-1" data-page=..>``, every P/FP a
  ``<p>``, runs of bullet paragraphs a ``<ul class="bullets"><li>`` with the bullet removed,
  HD1 -> ``<h2>``, SIG -> ``div.signature``, FRDOC/BILCOD -> ``div.end-matter``.
- ``pi_raw_text``: public-inspection raw text, what federalregister-api-core stores
  (``pdftotext -enc UTF-8`` of the agency manuscript PDF with the permalink banner on page 1,
  runs of dashes removed): plain text, pages separated by form feeds, paragraphs separated by
  blank lines, no indentation, bullets as U+2022, the OFR filing stamp at the end.

Every sentence of prose is written by build_snapshot.py; facts carry over.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime

RULE = "-" * 71
WIDTH = 71  # text columns before the trailing space (the real file's longest lines are 72 with it)
BULLET = "\u2022"
LINK_RE = re.compile(r"(https://www\.regulations\.gov|[\w.+-]+@[\w-]+\.[\w.]+\w)")


@dataclass
class Para:
    kind: str  # "p" indented prose | "fp" flush paragraph (entity heading, removal name) | "bullet" | "hd1" sub-heading
    text: str  # Unicode text (curly quotes); a bullet's text excludes the bullet character
    role: str = ""  # "entity" | "removed" | "" (what a flush paragraph is, for choosing page breaks)


@dataclass
class Notice:
    number: str
    title: str
    publication_date: date
    start_page: int
    issue: int
    agency_line: str
    action: str
    summary: str
    contact: str
    docket: str  # "Docket ID: DOD-2026-OS-1288"
    paras: list[Para]
    dated: date
    signer_name: str
    signer_title: str
    filed_at: datetime
    billing_code: str
    end_page: int | None = None  # known end page, else computed from the layout
    breaks: list[tuple[int, int]] = field(default_factory=list)  # (paragraph index, line index) page breaks

    @property
    def volume(self) -> int:
        return self.publication_date.year - 1935

    @property
    def frdoc(self) -> str:
        f = self.filed_at
        clock = f"{(f.hour - 1) % 12 + 1}:{f.minute:02d} {'am' if f.hour < 12 else 'pm'}"
        return f"[FR Doc. {self.number} Filed {f.month}-{f.day}-{f.strftime('%y')}; {clock}]"


def long_date(d: date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


# -- GPO text ----------------------------------------------------------------------------------


def gpo(text: str) -> str:
    """Unicode typography as the GPO text shows it."""
    return (
        text.replace("\u201c", "``")
        .replace("\u201d", "''")
        .replace("\u2019", "'")
        .replace("\u2018", "`")
        .replace("\u2013", "-")
        .replace("\u2014", "--")
    )


_PROTECT = re.compile(r"DOD-\d{4}-OS-\d{4}|https://\S+|[\w.+-]+@[\w-]+\.[\w.]+\w|\d+-\d+")


def wrap(text: str, prefix: str = "", *, width: int = WIDTH, hyphens: bool = True) -> list[str]:
    """GPO line wrapping: about 72 columns, a trailing space on every wrapped line but one ending in '-'."""
    protected = _PROTECT.sub(lambda m: m.group(0).replace("-", "\u2011"), text)
    wrapper = textwrap.TextWrapper(width=width, initial_indent=prefix, break_long_words=False, break_on_hyphens=hyphens)
    lines = [line.replace("\u2011", "-") for line in wrapper.wrap(protected)]
    return [line + ("" if i == len(lines) - 1 or line.endswith("-") else " ") for i, line in enumerate(lines)]


def para_lines(para: Para, *, first: bool) -> list[str]:
    text = gpo(para.text)
    if first:
        return wrap(text, "SUPPLEMENTARY INFORMATION: ")
    if para.kind == "bullet":
        return wrap(text, "    <bullet> ")
    if para.kind in ("p", "hd1"):
        return wrap(text, "    ")
    return wrap(text, hyphens=False)  # flush paragraphs (names) break between words only


def _layout(notice: Notice) -> list[tuple[str, int | None, int]]:
    """The SUPPLEMENTARY INFORMATION lines as (line, paragraph index or None for a blank, line index).

    As in the real text: prose paragraphs follow each other without blank lines; an entity heading and
    each bullet paragraph have a blank line before them; the removal names form one block with a blank
    line before and after; a prose paragraph straight after a bullet has no blank line before it."""
    out: list[tuple[str, int | None, int]] = []

    def blank() -> None:
        if out and out[-1][1] is not None:
            out.append(("", None, 0))

    for index, para in enumerate(notice.paras):
        prev = notice.paras[index - 1] if index else None
        if para.kind == "bullet" or para.role == "entity":
            blank()
        elif para.role == "removed" and prev is not None and prev.role != "removed":
            blank()
        elif para.kind in ("p", "hd1") and prev is not None and prev.role == "removed":
            blank()
        out += [(line, index, n) for n, line in enumerate(para_lines(para, first=index == 0))]
    return out


def plan_page_breaks(notice: Notice, *, lines_per_page: int = 60) -> None:
    """Choose where the printed pages break: the first break splits a multi-line entity heading, the
    second a multi-line bullet paragraph (as in the real 2026 text), the others fall near even spacing."""
    layout = _layout(notice)
    count = (notice.end_page - notice.start_page) if notice.end_page else max(1, round(len(layout) / lines_per_page))
    first_list = next(
        (i for i, (_, p, _) in enumerate(layout) if p is not None and notice.paras[p].kind != "p" and i > 0), 1
    )
    last = max(i for i, (_, p, _) in enumerate(layout) if p is not None)

    def candidates(want: str) -> list[int]:
        found = []
        for i in range(first_list + 1, last + 1):
            (_, p0, _), (_, p1, n1) = layout[i - 1], layout[i]
            if p1 is None:
                continue
            inside = p0 == p1 and n1 > 0
            kind = notice.paras[p1].kind
            role = notice.paras[p1].role
            if want == "heading" and inside and role == "entity":
                found.append(i)
            elif want == "bullet" and inside and kind == "bullet":
                found.append(i)
            elif want == "any" and (inside or p0 != p1):
                found.append(i)
        return found

    span = last - first_list
    chosen: list[int] = []
    for k in range(count):
        target = first_list + (k + 1) * span // (count + 1)
        want = ["heading", "bullet"][k] if k < 2 else "any"
        options = [i for i in candidates(want) if not chosen or i > chosen[-1] + 5] or [
            i for i in candidates("any") if not chosen or i > chosen[-1] + 5
        ]
        if not options:
            break
        chosen.append(min(options, key=lambda i: (abs(i - target), i)))
    notice.breaks = [(layout[i][1], layout[i][2]) for i in chosen]
    notice.end_page = notice.start_page + len(chosen)


def _pages(notice: Notice) -> dict[tuple[int, int], int]:
    return {brk: notice.start_page + n + 1 for n, brk in enumerate(notice.breaks)}


def _issue_header(notice: Notice) -> str:
    d = notice.publication_date
    return f"{d.strftime('%A')}, {long_date(d)}"


def _link(line: str, attributes: str = "") -> str:
    """URLs and e-mail addresses in ``line`` as links (the GPO page's plain ones, or the FR's with ``attributes``)."""

    def anchor(m: re.Match) -> str:
        target = m.group(0)
        href = target if target.startswith("http") else f"mailto:{target}"
        return f'<a href="{href}"{attributes}>{target}</a>'

    return LINK_RE.sub(anchor, line)


def gpo_text_page(notice: Notice) -> str:
    pages = _pages(notice)
    span = (
        f"[Pages {notice.start_page}-{notice.end_page}]"
        if notice.end_page != notice.start_page
        else f"[Page {notice.start_page}]"
    )
    head = [
        f"[Federal Register Volume {notice.volume}, Number {notice.issue} ({_issue_header(notice)})]",
        "[Notices]",
        span,
        'From the Federal Register Online via the Government Publishing Office [<a href="http://www.gpo.gov">www.gpo.gov</a>]',
        f"[FR Doc No: {notice.number}]",
        "",
        "",
        RULE,
        "",
        "DEPARTMENT OF DEFENSE",
        "",
        "Office of the Secretary",
        "",
        f"[{notice.docket}]",
        "",
        "",
        *wrap(gpo(notice.title), width=58),
        "",
        *wrap(gpo(notice.agency_line), "AGENCY: "),
        "",
        *wrap(gpo(notice.action), "ACTION: "),
        "",
        RULE,
        "",
        *wrap(gpo(notice.summary), "SUMMARY: "),
        "",
        *wrap(gpo(notice.contact), "FOR FURTHER INFORMATION CONTACT: "),
        "",
    ]
    body: list[str] = []
    for line, p, n in _layout(notice):
        if p is not None and (p, n) in pages:
            if body and body[-1] == "":
                body += [f"[[Page {pages[(p, n)]}]]", ""]
            else:
                body += ["", f"[[Page {pages[(p, n)]}]]", ""]
        body.append(_link(line) if p is not None else line)
    tail = [
        "",
        f"    Dated: {long_date(notice.dated)}.",
        notice.signer_name,
        notice.signer_title,
        notice.frdoc,
        notice.billing_code,
        "",
        "",
    ]
    title = f"Federal Register, Volume {notice.volume} Issue {notice.issue} ({_issue_header(notice)})"
    return (
        "<html>\n<head>\n<title>"
        + title
        + "</title>\n</head>\n<body><pre>\n"
        + "\n".join(head + body + tail)
        + "\n</pre></body>\n</html>\n"
    )


# -- GPO XML -----------------------------------------------------------------------------------


def _prefix(notice: Notice, p: int) -> int:
    para = notice.paras[p]
    if p == 0:
        return len("SUPPLEMENTARY INFORMATION: ")
    return {"bullet": len("    <bullet> "), "p": 4, "hd1": 4}.get(para.kind, 0)


def _split_offset(notice: Notice, p: int, n: int) -> int:
    """Index into paragraph p's Unicode text where its line n (GPO text) begins."""
    if n == 0:
        return 0
    lines = para_lines(notice.paras[p], first=p == 0)
    wanted = sum(len(line) for line in lines[:n]) - _prefix(notice, p)
    text = notice.paras[p].text
    for j in range(len(text) + 1):
        if len(gpo(text[:j])) >= wanted:
            return j
    return len(text)


def _segments(notice: Notice, p: int) -> list[tuple[str, int | None]]:
    """Paragraph p's text cut at its page breaks: [(text, page that starts after it or None)]."""
    pages = _pages(notice)
    cuts = sorted((n, page) for (q, n), page in pages.items() if q == p)
    out, start = [], 0
    for n, page in cuts:
        at = _split_offset(notice, p, n)
        out.append((notice.paras[p].text[start:at], page))
        start = at
    out.append((notice.paras[p].text[start:], None))
    return out


def _x(text: str) -> str:
    return html.escape(text, quote=False)


def gpo_xml(notice: Notice) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<NOTICE>",
        "<PREAMB>",
        '<AGENCY TYPE="N">DEPARTMENT OF DEFENSE</AGENCY>',
        "<SUBAGY>Office of the Secretary</SUBAGY>",
        f"<DEPDOC>[{_x(notice.docket)}]</DEPDOC>",
        f"<SUBJECT>{_x(notice.title)}</SUBJECT>",
    ]
    for tag, head, text in (
        ("AGY", "AGENCY:", notice.agency_line),
        ("ACT", "ACTION:", notice.action),
        ("SUM", "SUMMARY:", notice.summary),
        ("FURINF", "FOR FURTHER INFORMATION CONTACT:", notice.contact),
    ):
        out += [f"<{tag}>", f'<HD SOURCE="HED">{head}</HD>', f"<P>{_x(text)}</P>", f"</{tag}>"]
    out += ["</PREAMB>", "<SUPLINF>", '<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>']
    for p, para in enumerate(notice.paras):
        segments = _segments(notice, p)
        if para.kind == "hd1":
            out.append(f'<HD SOURCE="HD1">{_x(para.text)}</HD>')
            continue
        tag = "FP" if para.kind == "fp" else "P"
        lead = f"{BULLET} " if para.kind == "bullet" else ""
        body = "".join(_x(text) + (f'<PRTPAGE P="{page}"/>' if page else "") for text, page in segments)
        # a break at the very start of a paragraph is a sibling PRTPAGE before it
        if body.startswith("<PRTPAGE"):
            marker, _, body = body.partition("/>")
            out.append(marker + "/>")
        out.append(f"<{tag}>{lead}{body}</{tag}>")
    out += [
        "<SIG>",
        f"<DATED>Dated: {long_date(notice.dated)}.</DATED>",
        f"<NAME>{_x(notice.signer_name)}</NAME>",
        f"<TITLE>{_x(notice.signer_title)}</TITLE>",
        "</SIG>",
        "</SUPLINF>",
        f"<FRDOC>{notice.frdoc}</FRDOC>",
        f"<BILCOD>{notice.billing_code}</BILCOD>",
        "</NOTICE>",
    ]
    return "\n".join(out) + "\n"


# -- Federal Register body HTML ------------------------------------------------------------------

SVG = '<svg class="svg-icon svg-icon-doc-generic"><use xlink:href="/assets/fr-icons.svg#doc-generic"></use></svg>'


def _printed_page(page: int) -> str:
    return (
        f'<span class="printed-page-inline unprinted-element document-markup" data-page="{page}"> ({SVG} '
        f'print page {page}) </span><span class="printed-page-details unprinted-element document-markup" '
        f'id="page-{page}" data-page="{page}">{SVG}</span>'
    )


def _h(text: str) -> str:
    return _link_html(html.escape(text, quote=False))


def _link_html(escaped: str) -> str:
    return _link(escaped, ' class="external" target="_blank" rel="noopener noreferrer"')


def body_html(notice: Notice) -> str:
    page = notice.start_page
    heads = iter(range(1, 100))
    pars = iter(range(1, 10_000))
    out = [
        '<div class="preamble">',
        '<div class="document-headings">',
        '<div class="fr-box fr-box-published-alt no-footer">',
        '<div class="content-block ">',
        '<h6 class="agency">Department of Defense</h6>',
        '<h6 class="sub-agency">Office of the Secretary</h6>',
        f"<ol><li>[{_x(notice.docket)}]</li></ol>",
        "</div>",
        "</div>",
        "</div>",
    ]
    for div, head, text in (
        ("agency", "AGENCY:", notice.agency_line),
        ("action", "ACTION:", notice.action),
        ("summary", "SUMMARY:", notice.summary),
        ("for-further-information-contact", "FOR FURTHER INFORMATION CONTACT:", notice.contact),
    ):
        out.append(
            f'<div id="{div}"><h1 id="h-{next(heads)}">{head}</h1>'
            f'<p id="p-{next(pars)}" data-page="{page}">{_h(text)}</p></div>'
        )
    out += ["</div>", '<div class="supplemental-info">', f'<h1 id="h-{next(heads)}">SUPPLEMENTARY INFORMATION:</h1>']
    in_list = False
    for p, para in enumerate(notice.paras):
        segments = _segments(notice, p)
        if para.kind == "bullet" and not in_list:
            out.append('<ul class="bullets">')
            in_list = True
        elif para.kind != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        if para.kind == "hd1":
            out.append(f'<h2 id="h-{next(heads)}">{_h(para.text)}</h2>')
            continue
        starts = page
        inner = ""
        for text, new_page in segments:
            inner += _h(text)
            if new_page:
                if not inner.strip() and not text:
                    out.append(_printed_page(new_page))
                    starts = new_page
                else:
                    inner += _printed_page(new_page)
                page = new_page
        tag = "li" if para.kind == "bullet" else "p"
        out.append(f'<{tag} id="p-{next(pars)}" data-page="{starts}">{inner}</{tag}>')
    if in_list:
        out.append("</ul>")
    out += [
        '<div class="signature">',
        f'<p class="signature-date">Dated: {long_date(notice.dated)}.</p>',
        f'<p class="signature-name">{_x(notice.signer_name)}</p>',
        f'<p class="signature-title">{_x(notice.signer_title)}</p>',
        "</div>",
        "</div>",
        '<div class="end-matter">',
        f'<p class="frdoc">{notice.frdoc}</p>',
        f'<p class="billing-code">{notice.billing_code}</p>',
        "</div>",
    ]
    return "\n".join(out) + "\n"


# -- public-inspection raw text (pdftotext of the agency manuscript) -----------------------------

PI_WIDTH = 88
PI_LINES_PER_PAGE = 46


def pi_raw_text(notice: Notice, *, scheduled: date) -> tuple[str, int]:
    """The raw text and the manuscript's page count."""

    def block(text: str) -> list[str]:
        return textwrap.wrap(text, width=PI_WIDTH, break_long_words=False, break_on_hyphens=False) or [""]

    banner = [
        "This document is scheduled to be published in the",
        f"Federal Register on {scheduled.strftime('%m/%d/%Y')} and available online at",
        f"https://federalregister.gov/d/{notice.number}, and on https://govinfo.gov",
        "",
    ]
    billing = notice.billing_code.replace("BILLING CODE ", "Billing Code: ").removesuffix("-P")
    blocks = [
        [billing],
        ["DEPARTMENT OF DEFENSE"],
        ["Office of the Secretary"],
        [f"[{notice.docket}]"],
        block(notice.title),
        block(f"AGENCY: {notice.agency_line}"),
        block(f"ACTION: {notice.action}"),
        block(f"SUMMARY: {notice.summary}"),
        block(f"FOR FURTHER INFORMATION CONTACT: {notice.contact}"),
    ]
    for index, para in enumerate(notice.paras):
        text = f"SUPPLEMENTARY INFORMATION: {para.text}" if index == 0 else para.text
        blocks.append(block(f"{BULLET} {text}" if para.kind == "bullet" else text))
    f = notice.filed_at
    clock = f"{(f.hour - 1) % 12 + 1}:{f.minute:02d} {'am' if f.hour < 12 else 'pm'}"
    blocks += [
        [f"Dated: {notice.dated.strftime('%B')} {notice.dated.day}, {notice.dated.year}."],
        [notice.signer_name.rstrip(","), notice.signer_title.rstrip(".")],
        [
            f"[FR Doc. {notice.number} Filed: {f.month}/{f.day}/{f.year} {clock}; "
            f"Publication Date: {scheduled.month}/{scheduled.day}/{scheduled.year}]"
        ],
    ]
    lines = list(banner)
    for b in blocks:
        lines += b + [""]
    pages = [lines[i : i + PI_LINES_PER_PAGE] for i in range(0, len(lines), PI_LINES_PER_PAGE)]
    return "\f".join("\n".join(page) + "\n" for page in pages) + "\f", len(pages)

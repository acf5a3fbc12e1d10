"""Official 1260H lists: Federal Register notices in every served format, and the DoD list PDFs.

Official documents are read structurally, never with the prose heuristics:
``formats`` turns a served document into paragraphs, ``reader`` reads the
notice from them, ``names`` reads each heading; ``list_pdf`` reads the DoD's
list PDF. What an official notice changes is decided in ``nlp.apply_official``.
"""

from nlp.official.formats import NoticeFormatError, parse_notice, read_served, sniff
from nlp.official.list_pdf import ListPdfError, ListRow, parse_list_pdf
from nlp.official.model import ListedName, NoticeKind, OfficialNotice
from nlp.official.names import parse_heading, split_entry
from nlp.official.reader import is_official_notice, notice_kind


def notice_from_list_rows(rows: list[ListRow], *, list_date, list_name: str = "1260H") -> OfficialNotice:
    """An edition from the rows of a DoD list PDF."""
    listed = []
    for row in rows:
        entry = split_entry(f"{row.name} ({row.notes})" if row.notes else row.name)
        entry.printed = row.printed
        entry.citations = list(row.statutory_basis)
        listed.append(entry)
    return OfficialNotice(
        kind=NoticeKind.EDITION.value, list_name=list_name, list_date=list_date, listed=listed, source_format="list_pdf"
    )


__all__ = [
    "ListPdfError",
    "ListRow",
    "ListedName",
    "NoticeFormatError",
    "NoticeKind",
    "OfficialNotice",
    "is_official_notice",
    "notice_from_list_rows",
    "notice_kind",
    "parse_heading",
    "parse_list_pdf",
    "parse_notice",
    "read_served",
    "sniff",
    "split_entry",
]

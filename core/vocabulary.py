"""Names shared by every layer: document types and the 1260H topic (one home for each)."""

from __future__ import annotations

import re
from enum import StrEnum


class DocType(StrEnum):
    """``Document.doc_type``: the Federal Register's own type names, and riskwatch's for other sources."""
    NOTICE = "Notice"
    RULE = "Rule"
    PUBLIC_INSPECTION = "Public Inspection"
    LIST_PDF = "List PDF"
    DOD_RELEASE = "DoD Release"
    ARTICLE = "Article"


# Federal Register document types whose text may be an official list notice.
OFFICIAL_NOTICE_TYPES = frozenset({DocType.NOTICE, DocType.RULE, DocType.PUBLIC_INSPECTION})

# What makes a document about the 1260H list (titles, subjects, notice text).
TOPIC_1260H = re.compile(r"1260h|chinese military compan", re.I)

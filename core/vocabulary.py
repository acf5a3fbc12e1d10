"""Names shared by every layer, one home each: document types, statuses, alert kinds, lists, date kinds,
the 1260H topic.

The schema enforces them (CHECK constraints built from these enums in db/models.py; not the date kinds,
which are informative); code compares
with the enum members, which are strings, so stored values stay plain text.
"""

from __future__ import annotations

import re
from enum import StrEnum


class DocType(StrEnum):
    """``Document.doc_type``: the Federal Register's own type names, and riskwatch's for other sources."""

    NOTICE = "Notice"
    RULE = "Rule"
    PROPOSED_RULE = "Proposed Rule"
    PRESIDENTIAL_DOCUMENT = "Presidential Document"
    PUBLIC_INSPECTION = "Public Inspection"
    LIST_PDF = "List PDF"
    DOD_RELEASE = "DoD Release"
    SCREENING_LIST = "Screening List"  # a download of a whole consolidated list (the CSL's consolidated.json)
    ARTICLE = "Article"


class DocumentStatus(StrEnum):
    PENDING = "pending"  # stored, not processed yet
    PROCESSED = "processed"
    FAILED = "failed"  # not fetched or not readable: kept with the reason, retried
    QUARANTINED = "quarantined"  # read, but not trusted (an implausible official list): kept with the reason


class ListingStatus(StrEnum):
    DESIGNATED = "designated"
    REMOVED = "removed"
    PROPOSED = "proposed"
    WITHDRAWN = "withdrawn"


class ListName(StrEnum):
    SECTION_1260H = "1260H"
    ENTITY_LIST = "Entity List"  # Commerce BIS, 15 CFR 744 Supp. 4
    NS_CMIC = "NS-CMIC"  # Treasury OFAC
    FCC_COVERED = "FCC Covered List"
    # DoD's "Communist Chinese military companies" under FY1999 NDAA section 1237 (2020-21): the
    # predecessor of 1260H, its own list; a company on it is not on 1260H
    SECTION_1237 = "Section 1237"
    UFLPA_ENTITY_LIST = "UFLPA Entity List"  # DHS, Uyghur Forced Labor Prevention Act
    CHINA_UNRELIABLE_ENTITY_LIST = "Unreliable Entity List (China)"  # PRC MOFCOM's list, not a US one
    UNVERIFIED_LIST = "Unverified List"  # Commerce BIS, 15 CFR 744 Supp. 6
    MILITARY_END_USER_LIST = "Military End-User List"  # Commerce BIS, 15 CFR 744 Supp. 7
    # the other lists of the Consolidated Screening List (data/lists.toml maps each CSL source label here)
    DENIED_PERSONS_LIST = "Denied Persons List"  # Commerce BIS
    SDN = "SDN List"  # Treasury OFAC, Specially Designated Nationals and Blocked Persons
    SSI = "Sectoral Sanctions (SSI)"  # Treasury OFAC
    FSE = "Foreign Sanctions Evaders"  # Treasury OFAC
    NS_MBS = "NS-MBS"  # Treasury OFAC, Non-SDN Menu-Based Sanctions
    CAPTA = "CAPTA List"  # Treasury OFAC, correspondent / payable-through account sanctions
    NS_PLC = "NS-PLC"  # Treasury OFAC, Palestinian Legislative Council
    ITAR_DEBARRED = "ITAR Debarred"  # State DDTC
    NONPROLIFERATION = "Nonproliferation Sanctions"  # State ISN


class DateKind(StrEnum):
    """Where a listing event's date comes from (``ListingEvent.date_kind``, ``CandidateEvent.date_kind``).

    Every kind but ``reported`` is a date the evidence states; ``reported`` is the publication date of a
    news report that states none (outlets reporting one fact a day or two apart differ in it)."""

    LIST_DATE = "list_date"
    FILED = "filed"
    FILED_AT = "filed_at"
    SIGNING_DATE = "signing_date"
    PUBLICATION_DATE = "publication_date"
    STATED = "stated"
    START_DATE = "start_date"  # a screening-list record's own start_date
    LISTING_DATE = "listing_date"  # a screening-list record's "Listing Date" (OFAC's CMIC identifiers)
    END_DATE = "end_date"  # a screening-list record's own end_date
    FIRST_SEEN = "first_seen"  # the day riskwatch first (or no longer) saw a record in a list download
    REPORTED = "reported"


class AlertKind(StrEnum):
    LISTING = "listing"  # an official designation or removal
    WATCH = "watch"  # a proposal or a withdrawn notice
    SCORE_JUMP = "score_jump"  # a day-over-day score change over the threshold


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BASELINE = "baseline"  # recorded by the first run, never sent


class CrawlRunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    BLOCKED = "blocked"  # a best-effort source refused us (CDN 403): shown, retried, not a failure
    UNREACHABLE = "unreachable"  # a best-effort source did not answer: shown, retried, not a failure
    FAILED = "failed"


DEGRADED_RUN_STATUSES = frozenset({CrawlRunStatus.BLOCKED, CrawlRunStatus.UNREACHABLE})

# Federal Register document types whose text may be an official list notice.
OFFICIAL_NOTICE_TYPES = frozenset({DocType.NOTICE, DocType.RULE, DocType.PUBLIC_INSPECTION})

# What makes a document about the 1260H list (titles, subjects, notice text).
TOPIC_1260H = re.compile(r"1260h|chinese military compan", re.I)


def sql_in(column: str, values) -> str:
    """A CHECK constraint's text: ``column`` is one of ``values`` (or NULL)."""
    listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})"

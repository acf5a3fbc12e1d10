"""What an official 1260H notice says, as data: its kind, dates, listed and removed entries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum


class NoticeKind(StrEnum):
    EDITION = "edition"  # the whole list as of a date (a "Notice of (Availability of) Designation ... Companies")
    INTERIM = "interim"  # one or a few designations between editions ("... Chinese Military Company")
    REMOVAL = "removal"  # "Notice of Removal of Designated Chinese Military Companies"
    UNKNOWN = "unknown"  # about 1260H, but not a list notice riskwatch recognises


@dataclass
class ListedName:
    name: str
    aliases: list[str] = field(default_factory=list)
    printed: str = ""
    parent: str | None = None  # the listed parent's name, for a subsidiary named inside its heading
    parent_short: str | None = None  # the short name the heading uses for the parent ("CEC subsidiaries: ...")
    basis: list[str] = field(default_factory=list)  # the statutory-basis paragraphs printed under the heading
    citations: list[str] = field(default_factory=list)  # e.g. "1260H(g)(2)(B)(i)(I)"


@dataclass
class OfficialNotice:
    kind: str
    list_name: str = "1260H"
    list_date: date | None = None
    listed: list[ListedName] = field(default_factory=list)
    removed: list[ListedName] = field(default_factory=list)
    document_number: str | None = None
    title: str | None = None
    dates: dict[str, str] = field(default_factory=dict)  # kind -> ISO date/time: signed, filed, published, ...
    warnings: list[str] = field(default_factory=list)  # what the reader had to guess
    problem: str | None = None  # why the shape is not trusted (quarantine reason)
    source_format: str | None = None

    def to_json(self) -> dict:
        """The `riskwatch notice --json` shape."""

        def entry(item: ListedName) -> dict:
            data = asdict(item)
            data.pop("printed")
            return data

        return {
            "kind": self.kind,
            "document_number": self.document_number,
            "title": self.title,
            "format": self.source_format,
            "dates": dict(sorted(self.dates.items())),
            "listed": [entry(e) for e in self.listed],
            "removed": [entry(e) for e in self.removed],
            "warnings": list(self.warnings),
            "problem": self.problem,
        }

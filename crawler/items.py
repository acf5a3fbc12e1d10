"""Items the spiders yield. Storage happens in crawler.pipelines, never in a spider."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentItem:
    """A fetched source document with its raw body and the source's own metadata."""

    source: str
    external_id: str
    url: str
    body: bytes
    content_type: str | None = None
    title: str | None = None
    doc_type: str | None = None
    publication_date: str | None = None  # ISO date as the source gives it
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class FailureItem:
    """Something that could not be fetched or understood: kept, with the reason."""

    source: str
    external_id: str
    url: str
    reason: str
    body: bytes | None = None
    publication_date: str | None = None  # when known: lets the next crawl's window reach back to retry it
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class DeskStatusItem:
    """A public-inspection document that left the desk: published, or withdrawn (never published)."""

    source: str
    external_id: str
    status: str  # withdrawn | published
    last_seen_on: str | None  # last day it was seen on public inspection
    resolved_on: str  # the day the crawl found it gone
    evidence: str | None = None  # why: the desk's note or letter, or how it left the desk unpublished

"""Federal Register public inspection: documents filed but not yet published.

Walks the desk business day by business day
(``public-inspection-documents.json?conditions[available_on]=D``) and keeps each
relevant document: its JSON record (with ``editorial_note`` and ``agency_letters``,
read on every visit) and its raw text (plain text, extracted from the PDF).

The desk as it really behaves (see crawler/calendar.py and the README):
- it is empty on weekends, federal holidays and before it is posted: an empty desk
  says nothing about any document, and such days are not even asked for;
- a document waits on the desk until its scheduled publication date, and
  ``documents/{n}.json`` answers 404 until then: that is *pending*, never withdrawn;
- *withdrawn* = the Federal Register's note or an agency letter says so (the
  2026-02-13 notice: "An agency letter requesting withdrawal of this document was
  received after placement on public inspection."), or the document left a
  populated desk before its scheduled publication and was not published.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.calendar import EASTERN, business_days, desk_is_posted
from crawler.items import DeskStatusItem, DocumentItem
from crawler.spiders.common import (
    UrlMapMixin,
    describe_failure,
    failure_item,
    text_or_none,
    unusable_link,
)
from db import queries
from core.vocabulary import TOPIC_1260H, DocType

WITHDRAWAL = re.compile(r"withdr[ae]w", re.I)


def withdrawal_evidence(result: dict) -> str | None:
    """The editorial note or agency letter that says a document was withdrawn, as text; else None."""
    parts = []
    note = text_or_none(result.get("editorial_note"))
    if note and WITHDRAWAL.search(note):
        parts.append(f"editorial note: {' '.join(note.split())}")
    letters = result.get("agency_letters")
    for letter in letters if isinstance(letters, list) else []:
        if not isinstance(letter, dict):
            continue
        title = text_or_none(letter.get("title")) or ""
        url = text_or_none(letter.get("url")) or ""
        # a letter is evidence when it says withdrawal itself, or backs a note that does
        if parts or WITHDRAWAL.search(title) or WITHDRAWAL.search(url):
            parts.append(f"agency letter: {title or url}" + (f" <{url}>" if url and title else ""))
    return "; ".join(parts) or None


def agency_matches(result: dict, slugs: list[str], names: list[str]) -> bool:
    """Whether one of the record's agencies is a configured one, by slug, name or raw_name
    (a sub-agency object can come with only a raw_name), or its docket is one of theirs."""
    if not slugs and not names:
        return True
    wanted = {n.casefold() for n in names}
    agencies = result.get("agencies")
    for agency in agencies if isinstance(agencies, list) else []:
        if not isinstance(agency, dict):
            continue
        slug = agency.get("slug")
        if isinstance(slug, str) and any(slug.startswith(s) for s in slugs):
            return True
        if any(isinstance(agency.get(k), str) and agency[k].casefold() in wanted for k in ("name", "raw_name")):
            return True
    names_field = result.get("agency_names")
    if isinstance(names_field, list) and any(isinstance(n, str) and n.casefold() in wanted for n in names_field):
        return True
    return False


class PublicInspectionSpider(UrlMapMixin, scrapy.Spider):
    name = "public_inspection"
    source = "public_inspection"

    @classmethod
    def arguments(cls, session, source, *, base: str, as_of, localise) -> dict[str, str]:
        """This spider's ``-a`` arguments: re-read from the last day read (less the overlap) to the as-of day
        (live: today, whose desk counts only once posted); the documents still open on the desk."""
        until = as_of or datetime.now(EASTERN).date()
        last = queries.last_crawled_day(session, source_name=source.name)
        since = source.first_date if last is None else last - timedelta(days=source.overlap_days)
        return {
            "api_base": base,
            "since": min(max(since, source.first_date), until).isoformat(),
            "until": until.isoformat(),
            "agencies": ",".join(source.args.get("agencies", [])),
            "agency_names": "|".join(source.args.get("agency_names", [])),
            "open_documents": json.dumps(queries.open_public_inspection_documents(session, source_name=source.name)),
            "now": "" if as_of else datetime.now(EASTERN).isoformat(),
        }

    def __init__(
        self,
        api_base: str,
        since: str,
        until: str,
        agencies: str = "defense-department",
        agency_names: str = "",
        open_documents: str = "{}",
        open_numbers: str = "",
        now: str = "",
        allowed: str = "",
        url_map: str = "[]",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")
        self.since, self.until = date.fromisoformat(since), date.fromisoformat(until)
        self.agencies = [a for a in agencies.split(",") if a]
        self.agency_names = [a for a in agency_names.split("|") if a]
        # documents seen on earlier runs whose fate is open: number -> {"publication_date": D}
        self.open_documents: dict[str, dict] = json.loads(open_documents or "{}")
        self.open_documents.update({n: {} for n in open_numbers.split(",") if n and n not in self.open_documents})
        self.now = datetime.fromisoformat(now) if now else None
        self.setup_urls(api_base, allowed, url_map)
        self.days = business_days(self.since, self.until)
        if (
            self.days
            and self.now is not None
            and self.days[-1] == self.now.astimezone(EASTERN).date()
            and not desk_is_posted(self.now)
        ):
            self.days.pop()  # today's desk is not posted yet: nothing can be read from it
        self.last_seen: dict[str, date] = {}
        self.scheduled: dict[str, str] = {
            n: d.get("publication_date") for n, d in self.open_documents.items() if d.get("publication_date")
        }
        self.on_desk: dict[date, set[str]] = {}
        self.populated: list[date] = []

    def day_url(self, day: date) -> str:
        query = urlencode([("conditions[available_on]", day.isoformat()), ("per_page", "1000")])
        return f"{self.api_base}/public-inspection-documents.json?{query}"

    async def start(self):
        # Business days are walked in order, one after the other: what left the desk is only
        # known once the last day has been read.
        if self.days:
            yield self._day_request(0)

    def _day_request(self, index: int) -> scrapy.Request:
        return scrapy.Request(
            self.day_url(self.days[index]),
            callback=self.parse_day,
            errback=self.day_failed,
            cb_kwargs={"index": index},
            dont_filter=True,
        )

    def _next(self, index: int):
        if index + 1 < len(self.days):
            yield self._day_request(index + 1)
        else:
            yield from self.reconcile()

    def parse_day(self, response, index: int):
        day = self.days[index]
        try:
            payload = json.loads(response.text)
            results = payload.get("results", [])
            if not isinstance(results, list):
                raise TypeError("'results' is not a list")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            yield failure_item(
                self, response.url, f"public-inspection listing unreadable ({exc.__class__.__name__})", response.body
            )
            self._stop_at(index)
            yield from self.reconcile()
            return
        if results:
            self.populated.append(day)  # an empty desk on a business day: not posted (yet); proves nothing
        present = self.on_desk.setdefault(day, set())
        for result in results:
            number = text_or_none(result.get("document_number")) if isinstance(result, dict) else None
            if not number or not self.relevant(result):
                continue
            present.add(number)
            first_sight = number not in self.last_seen
            self.last_seen[number] = day
            if text_or_none(result.get("publication_date")):
                self.scheduled[number] = result["publication_date"]
            if first_sight or withdrawal_evidence(result):
                text_url = result.get("raw_text_url") or result.get("pdf_url") or result.get("html_url")
                try:
                    yield response.follow(
                        text_url,
                        callback=self.parse_text,
                        errback=self.text_failed,
                        cb_kwargs={"result": result, "day": day},
                        priority=10,
                        dont_filter=True,
                    )
                except (TypeError, ValueError) as exc:
                    yield failure_item(
                        self,
                        f"{response.url}#{number}",
                        unusable_link("public-inspection text URL", text_url, exc),
                        None,
                        external_id=number,
                        meta={"result": self.canonical(result)},
                        publication_date=self._filed(result),
                    )
        yield from self._next(index)

    def relevant(self, result: dict) -> bool:
        text = " ".join(str(result.get(k) or "") for k in ("title", "toc_subject", "toc_doc"))
        return bool(TOPIC_1260H.search(text)) and agency_matches(result, self.agencies, self.agency_names)

    @staticmethod
    def _filed(result: dict) -> str | None:
        return (text_or_none(result.get("filed_at")) or "")[:10] or None

    def parse_text(self, response, result, day: date):
        result = self.canonical(result)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        meta = {"result": result, "fetched_from": self.canonical(response.url)}
        evidence = withdrawal_evidence(result)
        if evidence:
            # the desk's own note is the evidence, the day it is seen: no need to wait for the publication date
            meta["desk"] = {
                "status": "withdrawn",
                "last_seen_on": day.isoformat(),
                "resolved_on": day.isoformat(),
                "evidence": evidence,
            }
        yield DocumentItem(
            source=self.source,
            external_id=result["document_number"],
            url=text_or_none(result.get("html_url")) or self.canonical(response.url),
            body=response.body,
            content_type=content_type,
            title=(text_or_none(result.get("title")) or "").strip() or None,
            doc_type=DocType.PUBLIC_INSPECTION.value,
            publication_date=self._filed(result),
            language="en",
            meta=meta,
        )

    def text_failed(self, failure):
        result = failure.request.cb_kwargs.get("result", {})
        yield failure_item(
            self,
            failure.request.url,
            f"public-inspection text not fetched: {describe_failure(failure)}",
            None,
            external_id=result.get("document_number"),
            meta={"result": self.canonical(result)},
            publication_date=self._filed(result),
        )

    def day_failed(self, failure):
        index = failure.request.cb_kwargs["index"]
        yield failure_item(
            self, failure.request.url, f"public-inspection listing not fetched: {describe_failure(failure)}", None
        )
        # A day we could not read must not be mistaken for an empty desk: reconcile only up to the
        # day before, and let the next run start again from this day.
        self._stop_at(index)
        yield from self.reconcile()

    def _stop_at(self, index: int) -> None:
        self.days = self.days[:index]  # only days read before it count (``populated`` holds no later day)

    def reconcile(self):
        """Documents seen before but not on the last populated desk: published, withdrawn, or still pending?"""
        if not self.populated:
            return  # no desk was posted in this window: nothing can be inferred
        last = self.populated[-1]
        gone = (set(self.last_seen) | set(self.open_documents)) - self.on_desk.get(last, set())
        for number in sorted(gone):
            yield scrapy.Request(
                f"{self.api_base}/documents/{number}.json",
                callback=self.left_desk,
                errback=self.left_desk_failed,
                cb_kwargs={"number": number, "last": last},
                dont_filter=True,
            )

    def _status(self, number: str, status: str, last: date, evidence: str | None = None) -> DeskStatusItem:
        seen = self.last_seen.get(number)
        return DeskStatusItem(
            source=self.source,
            external_id=number,
            status=status,
            last_seen_on=seen.isoformat() if seen else None,
            resolved_on=last.isoformat(),
            evidence=evidence,
        )

    def left_desk(self, response, number, last):
        yield self._status(number, "published", last)

    def left_desk_failed(self, failure):
        number, last = failure.request.cb_kwargs["number"], failure.request.cb_kwargs["last"]
        if not (failure.check(HttpError) and failure.value.response.status == 404):
            yield failure_item(
                self,
                failure.request.url,
                f"could not tell whether {number} was published: {describe_failure(failure)}",
                None,
            )
            return
        scheduled = self.scheduled.get(number)
        if scheduled is None:
            self.logger.warning(
                "%s left the public-inspection desk and is not published; without its scheduled "
                "publication date it stays open",
                number,
            )
            return
        scheduled_day = date.fromisoformat(scheduled[:10])
        if last < scheduled_day:
            yield self._status(
                number,
                "withdrawn",
                last,
                evidence=(
                    f"it left the public-inspection desk on or before {last.isoformat()}, before its scheduled "
                    f"publication on {scheduled_day.isoformat()}, and was not published"
                ),
            )
        elif last > scheduled_day:
            yield self._status(
                number,
                "withdrawn",
                last,
                evidence=(
                    f"it was not published on its scheduled publication date {scheduled_day.isoformat()} "
                    f"(checked {last.isoformat()})"
                ),
            )
        # last == scheduled day: publication may still be on its way; the next run asks again

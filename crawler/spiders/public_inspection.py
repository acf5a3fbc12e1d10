"""Federal Register public inspection: documents filed but not yet published.

Walks the desk day by day (``public-inspection-documents.json?conditions[available_on]=D``),
keeps each relevant document (its JSON record and full text), and when a document
it saw is no longer on the desk, asks ``documents/{number}.json``: published
(200) or withdrawn (404, never published). The real case is the 2026-02-13
notice naming Alibaba, Baidu and BYD, withdrawn within the hour.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.items import DeskStatusItem, DocumentItem
from crawler.spiders.federal_register import (
    UrlMapMixin, describe_failure, failure_item, text_or_none, unusable_link,
)

RELEVANT = re.compile(r"1260h|chinese military compan", re.I)


class PublicInspectionSpider(UrlMapMixin, scrapy.Spider):
    name = "public_inspection"
    source = "public_inspection"

    def __init__(self, api_base: str, since: str, until: str, agencies: str = "defense-department",
                 open_numbers: str = "", allowed: str = "", url_map: str = "[]", **kwargs):
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")
        self.since, self.until = date.fromisoformat(since), date.fromisoformat(until)
        self.agencies = [a for a in agencies.split(",") if a]
        self.open_numbers = {n for n in open_numbers.split(",") if n}
        self.setup_urls(api_base, allowed, url_map)
        self.last_seen: dict[str, date] = {}
        self.on_last_day: set[str] = set()

    def day_url(self, day: date) -> str:
        query = urlencode([("conditions[available_on]", day.isoformat()), ("per_page", "1000")])
        return f"{self.api_base}/public-inspection-documents.json?{query}"

    async def start(self):
        # Days are walked in order, one after the other: what left the desk is only
        # known once the last day has been read.
        yield self._day_request(self.since)

    def _day_request(self, day: date) -> scrapy.Request:
        return scrapy.Request(self.day_url(day), callback=self.parse_day, errback=self.day_failed,
                              cb_kwargs={"day": day}, dont_filter=True)

    def _next(self, day: date):
        if day < self.until:
            yield self._day_request(day + timedelta(days=1))
        else:
            yield from self.reconcile()

    def parse_day(self, response, day: date):
        try:
            payload = json.loads(response.text)
            results = payload["results"]
            if not isinstance(results, list):
                raise TypeError("'results' is not a list")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            yield failure_item(self, response.url, f"public-inspection listing unreadable ({exc.__class__.__name__})",
                               response.body)
            yield from self._next(day)
            return
        for result in results:
            number = text_or_none(result.get("document_number")) if isinstance(result, dict) else None
            if not number or not self.relevant(result):
                continue
            first_sight = number not in self.last_seen
            self.last_seen[number] = day
            if day == self.until:
                self.on_last_day.add(number)
            if first_sight:
                text_url = result.get("raw_text_url") or result.get("html_url")
                try:
                    yield response.follow(text_url, callback=self.parse_text, errback=self.text_failed,
                                          cb_kwargs={"result": result}, priority=10)
                except (TypeError, ValueError) as exc:
                    yield failure_item(self, f"{response.url}#{number}", unusable_link("public-inspection text URL", text_url, exc), None, external_id=number,
                                       meta={"result": self.canonical(result)}, publication_date=self._filed(result))
        yield from self._next(day)

    def relevant(self, result: dict) -> bool:
        text = " ".join(str(result.get(k) or "") for k in ("title", "toc_subject", "toc_doc"))
        agencies = result.get("agencies")
        slugs = {a["slug"] for a in (agencies if isinstance(agencies, list) else [])
                 if isinstance(a, dict) and isinstance(a.get("slug"), str)}
        agency_ok = not self.agencies or any(s.startswith(a) for s in slugs for a in self.agencies)
        return bool(RELEVANT.search(text)) and agency_ok

    @staticmethod
    def _filed(result: dict) -> str | None:
        return (text_or_none(result.get("filed_at")) or "")[:10] or None

    def parse_text(self, response, result):
        result = self.canonical(result)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        yield DocumentItem(
            source=self.source, external_id=result["document_number"],
            url=text_or_none(result.get("html_url")) or self.canonical(response.url), body=response.body,
            content_type=content_type, title=(text_or_none(result.get("title")) or "").strip() or None,
            doc_type="Public Inspection", publication_date=self._filed(result),
            language="en", meta={"result": result, "fetched_from": self.canonical(response.url)},
        )

    def text_failed(self, failure):
        result = failure.request.cb_kwargs.get("result", {})
        yield failure_item(self, failure.request.url, f"public-inspection text not fetched: {describe_failure(failure)}",
                           None, external_id=result.get("document_number"), meta={"result": self.canonical(result)},
                           publication_date=self._filed(result))

    def day_failed(self, failure):
        day = failure.request.cb_kwargs["day"]
        yield failure_item(self, failure.request.url, f"public-inspection listing not fetched: {describe_failure(failure)}", None)
        # A day we could not read must not be mistaken for an empty desk: stop here,
        # reconcile nothing, and let the next run start again from this day.
        self.until = day
        self.on_last_day = set(self.last_seen) | self.open_numbers

    def reconcile(self):
        """Documents seen before but no longer on the desk: published or withdrawn?"""
        gone = (set(self.last_seen) | self.open_numbers) - self.on_last_day
        for number in sorted(gone):
            yield scrapy.Request(f"{self.api_base}/documents/{number}.json", callback=self.left_desk,
                                 errback=self.left_desk_failed, cb_kwargs={"number": number}, dont_filter=True)

    def _status(self, number: str, status: str) -> DeskStatusItem:
        seen = self.last_seen.get(number)
        return DeskStatusItem(source=self.source, external_id=number, status=status,
                              last_seen_on=seen.isoformat() if seen else None, resolved_on=self.until.isoformat())

    def left_desk(self, response, number):
        yield self._status(number, "published")

    def left_desk_failed(self, failure):
        number = failure.request.cb_kwargs["number"]
        if failure.check(HttpError) and failure.value.response.status == 404:
            yield self._status(number, "withdrawn")
        else:
            yield failure_item(self, failure.request.url, f"could not tell whether {number} was published: "
                               f"{describe_failure(failure)}", None)

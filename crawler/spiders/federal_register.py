"""Federal Register documents search API (``documents.json``): 1260H notices and related actions.

Queries the API exactly as the live one is queried (``conditions[...]``,
``fields[]``, ``per_page``, ``order``), follows ``next_page_url``, and for each
relevant result fetches its full text (``raw_text_url``, else ``body_html_url``, else
``full_text_xml_url``) and keeps it raw.
The API base comes from the crawl's settings: the live API, or the local
replay server in offline mode.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import scrapy

from crawler.items import DocumentItem, FailureItem
from db import queries
from crawler.spiders.common import UrlMapMixin, describe_failure, failure_item, text_or_none, unusable_link

RESULT_FIELDS = [
    "document_number",
    "title",
    "type",
    "abstract",
    "action",
    "dates",
    "publication_date",
    "effective_on",
    "signing_date",
    "citation",
    "start_page",
    "end_page",
    "docket_ids",
    "agencies",
    "agency_names",
    "html_url",
    "pdf_url",
    "public_inspection_pdf_url",
    "json_url",
    "body_html_url",
    "raw_text_url",
    "full_text_xml_url",
    "excerpts",
    "topics",
]


TEXT_URL_FIELDS = ("raw_text_url", "body_html_url", "full_text_xml_url")


def documents_search_url(
    api_base: str,
    *,
    term: str,
    agencies: list[str],
    types: list[str],
    since: str | None,
    per_page: int = 100,
    order: str = "oldest",
) -> str:
    """The documents.json URL with the API's own parameter syntax."""
    params: list[tuple[str, str]] = [("conditions[term]", term)]
    params += [("conditions[agencies][]", agency) for agency in agencies]
    params += [("conditions[type][]", doc_type) for doc_type in types]
    if since:
        params.append(("conditions[publication_date][gte]", since))
    params += [("fields[]", name) for name in RESULT_FIELDS]
    params += [("per_page", str(per_page)), ("order", order)]
    return f"{api_base.rstrip('/')}/documents.json?{urlencode(params)}"


class FederalRegisterSpider(UrlMapMixin, scrapy.Spider):
    name = "federal_register"
    source = "federal_register"

    @classmethod
    def arguments(cls, session, source, *, base: str, as_of, localise) -> dict[str, str]:
        """This spider's ``-a`` arguments for a configured source, from the database's crawl state."""
        args = source.args
        since = queries.crawl_window_start(
            session, source_name=source.name, first_date=source.first_date, overlap_days=source.overlap_days
        )
        return {
            "api_base": base,
            "since": since.isoformat(),
            "terms": "||".join(args.get("terms", ["1260H"])),
            "agencies": ",".join(args.get("agencies", [])),
            "types": ",".join(args.get("types", [])),
            "per_page": str(args.get("per_page", 100)),
        }

    def __init__(
        self,
        api_base: str,
        terms: str = "1260H",
        agencies: str = "defense-department",
        types: str = "NOTICE",
        since: str | None = None,
        per_page: str = "100",
        allowed: str = "",
        url_map: str = "[]",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.api_base = api_base
        self.setup_urls(api_base, allowed, url_map)
        self.terms = [t for t in terms.split("||") if t]
        self.agencies = [a for a in agencies.split(",") if a]
        self.types = [t for t in types.split(",") if t]
        self.since = since or None
        self.per_page = int(per_page)
        self._seen: set[str] = set()

    async def start(self):
        for term in self.terms:
            url = documents_search_url(
                self.api_base,
                term=term,
                agencies=self.agencies,
                types=self.types,
                since=self.since,
                per_page=self.per_page,
            )
            yield scrapy.Request(url, callback=self.parse, errback=self.listing_failed)

    def parse(self, response):
        try:
            payload = json.loads(response.text)
        except (ValueError, AttributeError, RecursionError) as exc:
            yield self._failure(
                response.url, f"search page is not JSON ({exc.__class__.__name__}: {exc})", response.body
            )
            return
        if not isinstance(payload, dict):
            yield self._failure(response.url, "search page JSON is not an object", response.body)
            return
        results = payload.get("results")
        if results is None:
            # The live API answers an empty search without a "results" key.
            if payload.get("count") == 0:
                return
            yield self._failure(response.url, "search page has no 'results'", response.body)
            return
        if not isinstance(results, list):
            yield self._failure(response.url, "search page 'results' is not a list", response.body)
            return
        for position, result in enumerate(results):
            number = result.get("document_number") if isinstance(result, dict) else None
            if not isinstance(number, str) or not number:
                yield self._failure(
                    f"{response.url}#result-{position}",
                    "search result without document_number",
                    json.dumps(result, sort_keys=True).encode(),
                )
                continue
            if number in self._seen:
                continue
            self._seen.add(number)
            # The GPO text (checked against the real notices) first; the FR's HTML rendering and
            # the XML are read by the same official-notice reader when a document has no text.
            text_url = next((result[k] for k in TEXT_URL_FIELDS if text_or_none(result.get(k))), None)
            if not text_url:
                yield self._document(
                    result, url=text_or_none(result.get("html_url")) or response.url, body=b"", content_type=None
                )
                continue
            try:
                yield response.follow(
                    text_url, callback=self.parse_full_text, errback=self.full_text_failed, cb_kwargs={"result": result}
                )
            except (TypeError, ValueError) as exc:
                yield failure_item(
                    self,
                    f"{response.url}#result-{position}",
                    unusable_link("full-text URL", text_url, exc),
                    None,
                    external_id=number,
                    meta={"result": self.canonical(result)},
                    publication_date=text_or_none(result.get("publication_date")),
                )
        next_page = payload.get("next_page_url")
        if next_page:
            try:
                yield response.follow(next_page, callback=self.parse, errback=self.listing_failed)
            except (TypeError, ValueError) as exc:
                yield self._failure(response.url, unusable_link("next page URL", next_page, exc), response.body)

    def parse_full_text(self, response, result):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        yield self._document(result, url=response.url, body=response.body, content_type=content_type)

    def full_text_failed(self, failure):
        result = failure.request.cb_kwargs.get("result", {})
        yield failure_item(
            self,
            failure.request.url,
            f"full text not fetched: {describe_failure(failure)}",
            None,
            external_id=result.get("document_number"),
            meta={"result": self.canonical(result)},
            publication_date=text_or_none(result.get("publication_date")),
        )

    def listing_failed(self, failure):
        yield failure_item(self, failure.request.url, f"search page not fetched: {describe_failure(failure)}", None)

    def _document(self, result, *, url, body, content_type):
        result = self.canonical(result)
        return DocumentItem(
            source=self.source,
            external_id=result["document_number"],
            url=text_or_none(result.get("html_url")) or self.canonical(url),
            body=body,
            content_type=content_type,
            title=(text_or_none(result.get("title")) or "").strip() or None,
            doc_type=text_or_none(result.get("type")),
            publication_date=text_or_none(result.get("publication_date")),
            language="en",
            meta={"result": result, "fetched_from": self.canonical(url)},
        )

    def _failure(self, url: str, reason: str, body: bytes | None) -> FailureItem:
        return failure_item(self, url, reason, body)

"""The Consolidated Screening List (CSL): one conditional download of the whole file per run.

The International Trade Administration rebuilds ``consolidated.json`` every hour and offers no deltas;
riskwatch keeps each changed download whole (a new version of one document, with its hash) and finds
the additions and removals by comparing it with the last applied one (``nlp.apply_lists``). The
request sends the stored ``ETag`` / ``Last-Modified`` of the last download, so an unchanged file costs
a 304 and stores nothing. The real file is about 35 MB: this spider's size limit is its own
(``RISKWATCH_CSL_MAX_BYTES``). A truncated or malformed body is stored as it came and quarantined by
the processing step, with the reason; nothing is removed because of it.
"""

from __future__ import annotations

import json
from datetime import datetime

import scrapy

from crawler.calendar import EASTERN
from crawler.items import DocumentItem
from crawler.spiders.common import UrlMapMixin, describe_failure, failure_item
from db import queries
from core.settings import get_settings
from core.vocabulary import DocType

EXTERNAL_ID = "consolidated.json"  # one document, one version per changed download
TITLE = "Consolidated Screening List (International Trade Administration)"


class CslSpider(UrlMapMixin, scrapy.Spider):
    name = "csl"
    source = "csl"
    custom_settings = {"HTTPERROR_ALLOWED_CODES": [304]}

    @classmethod
    def arguments(cls, session, source, *, base: str, as_of, localise) -> dict[str, str]:
        """The file's URL, the day the download counts for (offline: the replayed day), stored validators."""
        day = as_of or datetime.now(EASTERN).date()
        return {
            "url": base,
            "day": day.isoformat(),
            "validators": json.dumps(queries.http_validators(session, source_name=source.name)),
        }

    def __init__(
        self, url: str, day: str, validators: str = "{}", allowed: str = "", url_map: str = "[]", source: str = "", **kw
    ):
        super().__init__(**kw)
        self.url = url
        self.day = day
        self.source = source or self.source
        self.validators: dict[str, dict] = json.loads(validators or "{}")
        self.setup_urls(url, allowed, url_map)
        self.max_bytes = get_settings().csl_max_bytes

    async def start(self):
        headers = {"Accept": "application/json"}
        known = self.validators.get(self.canonical(self.url), {})
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        yield scrapy.Request(
            self.url,
            headers=headers,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
            meta={"download_maxsize": self.max_bytes, "download_warnsize": 0},
        )

    def parse(self, response):
        if response.status == 304:
            self.logger.info("%s unchanged since the last download (304)", self.canonical(response.url))
            return
        yield DocumentItem(
            source=self.source,
            external_id=EXTERNAL_ID,
            url=self.canonical(response.url),
            body=response.body,  # kept byte for byte: its hash is the download's identity
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            title=TITLE,
            doc_type=DocType.SCREENING_LIST.value,
            publication_date=self.day,
            language="en",
            meta={
                "http": {
                    "etag": response.headers.get("ETag", b"").decode("latin-1") or None,
                    "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None,
                },
                "bytes": len(response.body),
            },
        )

    def failed(self, failure):
        request = failure.request
        yield failure_item(
            self,
            request.url,
            f"Consolidated Screening List not downloaded: {describe_failure(failure)}",
            None,
            publication_date=self.day,
        )

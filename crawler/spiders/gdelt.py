"""The GDELT DOC 2.0 API in article-list mode: request URLs and answers, as pure functions.

``https://api.gdeltproject.org/api/v2/doc/doc?query=...&mode=artlist&format=json`` answers a
JSON object ``{"articles": [{"url", "url_mobile", "title", "seendate", "socialimage", "domain",
"language", "sourcecountry"}, ...]}``, at most 250 records per call, newest first with
``sort=datedesc``; no match is ``{}``. Everything else comes back as a short plain-text (or
text/html) message, often with HTTP 200: the throttle notice ("Please limit requests to one
every 5 seconds or contact ... for larger queries.", nowadays mostly with HTTP 429), or a query
error ("The specified phrase is too short.", "Queries containing OR'd terms must be surrounded
by ()."). Those are failures with GDELT's own words as the reason, never an empty result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

ENDPOINT = "https://api.gdeltproject.org/api/v2/doc/doc"
HOST = "api.gdeltproject.org"
MAX_RECORDS = 250  # GDELT's ceiling for artlist
REQUEST_INTERVAL_S = 5.0  # GDELT's rule: at most one request every 5 seconds
THROTTLE_MARKS = ("limit requests to one every", "rate limit")

# GDELT names languages in English; the documents store ISO 639-1 codes.
LANGUAGE_CODES = {
    "English": "en",
    "German": "de",
    "French": "fr",
    "Spanish": "es",
    "Italian": "it",
    "Portuguese": "pt",
    "Dutch": "nl",
    "Polish": "pl",
    "Russian": "ru",
    "Ukrainian": "uk",
    "Chinese": "zh",
    "Japanese": "ja",
    "Korean": "ko",
    "Arabic": "ar",
    "Turkish": "tr",
    "Vietnamese": "vi",
    "Indonesian": "id",
}


class GdeltAnswerError(ValueError):
    """GDELT answered something other than an article list (throttle notice, query error, bad JSON)."""

    def __init__(self, reason: str, *, throttled: bool = False):
        super().__init__(reason)
        self.throttled = throttled


@dataclass(frozen=True)
class GdeltArticle:
    """One artlist record. ``seen`` is when GDELT first saw the article (UTC), its only date."""

    url: str
    title: str
    seen: datetime | None
    domain: str
    language: str
    sourcecountry: str

    @property
    def language_code(self) -> str | None:
        return LANGUAGE_CODES.get(self.language)


def gdelt_datetime(moment: datetime) -> str:
    """``YYYYMMDDHHMMSS`` in UTC, the form of ``startdatetime`` / ``enddatetime``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y%m%d%H%M%S")


def parse_seendate(value) -> datetime | None:
    """``20260608T134500Z`` (or ``20260608134500``) as an aware UTC datetime; None when unreadable."""
    if not isinstance(value, str):
        return None
    digits = value.strip().replace("T", "").replace("Z", "")
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def artlist_url(
    endpoint: str,
    query: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    max_records: int = MAX_RECORDS,
) -> str:
    """The artlist request for ``query`` (GDELT's own syntax: quoted phrases, ``(a OR b)``,
    ``sourcelang:german``, ``domain:``), newest first, between ``start`` and ``end`` when given."""
    params = [
        ("query", query),
        ("mode", "artlist"),
        ("format", "json"),
        ("maxrecords", str(max(1, min(int(max_records), MAX_RECORDS)))),
        ("sort", "datedesc"),
    ]
    if start is not None:
        params.append(("startdatetime", gdelt_datetime(start)))
    if end is not None:
        params.append(("enddatetime", gdelt_datetime(end)))
    return f"{endpoint}?{urlencode(params)}"


def parse_artlist(body: bytes, *, status: int = 200) -> list:
    """The raw records of an artlist answer ([] for GDELT's empty answer ``{}``).

    Raises GdeltAnswerError for a throttle notice, a query error or anything not shaped like
    an artlist, with GDELT's own text in the reason.
    """
    text = (body or b"").decode("utf-8", errors="replace").strip()
    head = text[:300]
    is_json = text.startswith("{")
    if status == 429 or (not is_json and any(mark in head.lower() for mark in THROTTLE_MARKS)):
        raise GdeltAnswerError(f"GDELT throttled the request (HTTP {status}): {head!r}", throttled=True)
    if status != 200:
        raise GdeltAnswerError(f"GDELT answered HTTP {status}: {head!r}")
    if not text:
        raise GdeltAnswerError("GDELT answered an empty body (its empty result is '{}')")
    if not is_json:
        raise GdeltAnswerError(f"GDELT answered text, not JSON: {head!r}")
    try:
        payload = json.loads(text, strict=False)  # GDELT titles can carry raw control characters
    except ValueError as exc:
        raise GdeltAnswerError(f"GDELT answer is not valid JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise GdeltAnswerError(f"GDELT answer is a JSON {type(payload).__name__}, not an object")
    records = payload.get("articles")
    if records is None:
        unknown = sorted(set(payload) - {"articles"})
        if unknown:
            raise GdeltAnswerError(f"GDELT answer has no 'articles' but {unknown}")
        return []
    if not isinstance(records, list):
        raise GdeltAnswerError(f"GDELT 'articles' is a {type(records).__name__}, not a list")
    return records


def gdelt_article(record) -> GdeltArticle:
    """One record as a GdeltArticle; ValueError (with the reason) when it has no usable URL."""
    if not isinstance(record, dict):
        raise ValueError(f"record is a {type(record).__name__}, not an object")
    url = record.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError("record without a url")
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"record url {url!r} is not http(s)")

    def text(key: str) -> str:
        value = record.get(key)
        return " ".join(value.split()) if isinstance(value, str) else ""

    return GdeltArticle(
        url=url,
        title=text("title"),
        seen=parse_seendate(record.get("seendate")),
        domain=text("domain"),
        language=text("language"),
        sourcecountry=text("sourcecountry"),
    )

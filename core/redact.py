"""Keep credentials out of logs: every log record is masked when it is created.

Secrets are the Slack webhook URL (the URL is the credential; its path and token too), the
password in the database URL, both as written in the URL (percent-encoded) and decoded, and
the DoD proxy URL (with its password and the Basic credentials a proxy request carries).
Libraries log them at DEBUG (slack_sdk logs the URL it posts to) or in exception text. The
masking sits in the log-record factory rather than on handlers, so handlers created later
(Scrapy builds its own for each crawler) are covered too.
"""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.settings import Settings

MASK = "***"
MIN_SECRET_LENGTH = 3  # shorter strings would mask ordinary words; such a password is no secret anyway


def secrets_of(settings: Settings) -> list[str]:
    """The secret strings a run may know, longest first (so a URL is masked before its parts)."""
    values: set[str] = set()
    if settings.slack_webhook_url is not None:
        webhook = settings.slack_webhook_url.get_secret_value()
        path = urlsplit(webhook).path
        values |= {webhook, path, path.rstrip("/").rsplit("/", 1)[-1]}
    raw_url = settings.resolved_database_url
    try:
        password = make_url(raw_url).password
        written = urlsplit(raw_url).password  # as it stands in the URL: percent-encoded
    except (ArgumentError, ValueError):
        password = written = None
    if password:
        values |= {str(password), quote(str(password), safe="")}
    if written:
        values.add(written)
    values |= _proxy_secrets(settings)
    return sorted((v for v in values if v and len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def _proxy_secrets(settings: Settings) -> set[str]:
    """The proxy URL as configured, its password (written and decoded) and user:password in Basic form."""
    if settings.dod_proxy is None:
        return set()
    proxy = settings.dod_proxy.get_secret_value()
    values = {proxy}
    try:
        parts = urlsplit(proxy)
        user, written = parts.username, parts.password
    except ValueError:
        return values
    if written:
        password = unquote(written)
        basic = base64.b64encode(f"{unquote(user or '')}:{password}".encode()).decode()
        values |= {written, password, basic}
    return values


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def mask_record(record: logging.LogRecord, secrets: list[str]) -> logging.LogRecord:
    """Mask ``secrets`` in a record's message and traceback, in place."""
    if not secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging module's to report
        return record
    clean = redact(message, secrets)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    return record


def install(settings: Settings) -> list[str]:
    """Mask this run's secrets in every log record of this process; returns them."""
    secrets = secrets_of(settings)
    base = logging.getLogRecordFactory()
    base = getattr(base, "riskwatch_base", base)  # installing twice replaces, never stacks

    def factory(*args, **kwargs):
        return mask_record(base(*args, **kwargs), secrets)

    factory.riskwatch_base = base
    logging.setLogRecordFactory(factory)
    return secrets

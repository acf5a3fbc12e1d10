"""Keep credentials out of logs: a logging filter that masks every configured secret.

Secrets are the Slack webhook URL (the URL is the credential; its path and token too) and
the password in the database URL. Libraries log them at DEBUG (slack_sdk logs the URL it
posts to) or in exception text; the filter masks them in the message and in tracebacks
before any handler formats the record.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.settings import Settings

MASK = "***"


def secrets_of(settings: Settings) -> list[str]:
    """The secret strings a run may know, longest first (so a URL is masked before its parts)."""
    values: set[str] = set()
    if settings.slack_webhook_url is not None:
        webhook = settings.slack_webhook_url.get_secret_value()
        path = urlsplit(webhook).path
        values |= {webhook, path, path.rstrip("/").rsplit("/", 1)[-1]}
    try:
        password = make_url(settings.resolved_database_url).password
    except ArgumentError:
        password = None
    if password:
        values.add(str(password))
    return sorted((v for v in values if v and len(v) >= 6), key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class SecretFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def install(settings: Settings, logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (default: the root logger)."""
    secret_filter = SecretFilter(secrets_of(settings))
    for handler in (logger or logging.getLogger()).handlers:
        for existing in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(existing)
        handler.addFilter(secret_filter)

"""Send pending alerts to Slack through an incoming webhook (slack_sdk), exactly once per row.

Delivery: a row is marked ``sent`` right after Slack answers 200. Transient failures (HTTP
429, honouring Retry-After, 5xx, connection errors) are retried with backoff by slack_sdk's
retry handlers; a row still failing stays ``pending`` with the error and is retried next run.
A permanent error (the webhook is invalid, revoked or not found) marks the row ``failed``
with the reason. The webhook URL is a secret: it never appears in logs, errors or rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session, select

from db.models import Alert, utcnow
from scoring.status import alert_headline
from core.settings import Settings

log = logging.getLogger(__name__)

PERMANENT = {
    400: "bad request",
    401: "unauthorized",
    403: "webhook forbidden (invalid or revoked)",
    404: "webhook not found",
    410: "webhook deleted (channel archived?)",
    413: "message too large",
}
TRANSIENT = {408, 429}  # and every 5xx and connection error: retried, then left pending


def is_permanent(status: int | None) -> bool:
    """A refusal no retry can change: every 3xx/4xx answer except a timeout or a rate limit."""
    return status is not None and status != 200 and status < 500 and status not in TRANSIENT


def permanent_reason(status: int) -> str:
    return PERMANENT.get(status, "redirected (is this a Slack webhook URL?)" if 300 <= status < 400 else "refused")


ICONS = {
    "designated": ":rotating_light:",
    "removed": ":white_check_mark:",
    "proposed": ":eyes:",
    "withdrawn": ":leftwards_arrow_with_hook:",
    "score change": ":chart_with_upwards_trend:",
}


@dataclass
class SendStats:
    sent: int = 0
    pending: int = 0
    failed: int = 0
    printed: int = 0
    failed_total: int = 0  # every permanently failed alert in the outbox, not only this run's


def _text(value) -> str:
    """Plain text for Slack mrkdwn: its control characters escaped."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(alert: Alert) -> tuple[str, list[dict]]:
    """Fallback text and Block Kit blocks: who, which list, status, date, source, score change, dashboard."""
    p = alert.payload
    headline = alert_headline(alert.kind, p)
    fields = [
        {"type": "mrkdwn", "text": f"*Entity*\n{_text(p['entity'])}"},
        {"type": "mrkdwn", "text": f"*List*\n{_text(p.get('list', '-'))}"},
        {"type": "mrkdwn", "text": f"*Status*\n{ICONS.get(p.get('status'), '')} {_text(p.get('status'))}"},
        {
            "type": "mrkdwn",
            "text": f"*Effective date*\n{_text(p.get('effective_date') or '-')}"
            + (
                f" (published {_text(p['publication_date'])})"
                if p.get("publication_date") and p.get("publication_date") != p.get("effective_date")
                else ""
            ),
        },
        {
            "type": "mrkdwn",
            "text": f"*Score*\n{p.get('score_before') if p.get('score_before') is not None else '-'}"
            f" → {p.get('score_after') if p.get('score_after') is not None else '-'}",
        },
    ]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": headline[:150]}},
        {"type": "section", "fields": fields},
    ]
    if p.get("status_line"):  # the same sentence as the dashboard's header and `riskwatch history`
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Now*\n" + _text(p["status_line"])}})
    evidence = p.get("evidence") or []
    if len(evidence) > 1:  # one fact reported by several outlets (or in two languages): each named once
        lines = [_evidence_line(item) for item in evidence[:MAX_EVIDENCE_LINES]]
        if len(evidence) > MAX_EVIDENCE_LINES:
            lines.append(f"and {len(evidence) - MAX_EVIDENCE_LINES} more")
        text = f"*Reported by {len(evidence)} documents*\n" + "\n".join(lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    links = []
    if p.get("source_url"):
        links.append(f"<{p['source_url']}|{_text(p.get('document') or 'Official document')}>")
    if p.get("dashboard_url"):
        links.append(f"<{p['dashboard_url']}|Open in riskwatch>")
    if links:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": " · ".join(links)}})
    return headline, blocks


MAX_EVIDENCE_LINES = 10


def _evidence_line(item: dict) -> str:
    """One evidence document of an alert: outlet (linked), date, language."""
    outlet = _text(item.get("outlet") or "source")
    named = f"<{item['url']}|{outlet}>" if item.get("url") else outlet
    details = ", ".join(_text(v) for v in (item.get("publication_date"), item.get("language")) if v)
    return f"• {named}" + (f" ({details})" if details else "")


def client(url: str, *, max_retries: int = 2) -> WebhookClient:
    return WebhookClient(
        url,
        timeout=15,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=max_retries),  # waits for Retry-After
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ],
    )


def send_pending(session: Session, settings: Settings, *, dry_run: bool = False, echo=None) -> SendStats:
    """Send every pending alert once. Without a webhook (or with dry_run) alerts are only printed."""
    stats = SendStats()
    pending = session.exec(select(Alert).where(Alert.status == "pending").order_by(Alert.id)).all()
    url = settings.slack_webhook_url.get_secret_value() if settings.slack_webhook_url else None
    if url is None or dry_run:
        for alert in pending:
            if echo:
                echo(message(alert)[0])
            stats.printed += 1
        stats.pending = len(pending)
        return stats
    webhook = client(url, max_retries=settings.slack_max_retries)
    for position, alert in enumerate(pending):
        if stats.pending:
            # Slack did not take the previous alert even after the client's retries: it is down or
            # throttling. Stop hammering it; the rest stay pending for the next run, in order.
            stats.pending += len(pending) - position
            log.warning("Slack unavailable: %d more alerts left pending for the next run", len(pending) - position)
            break
        text, blocks = message(alert)
        alert.attempts += 1
        try:
            response = webhook.send(text=text, blocks=blocks)
            status, body = response.status_code, response.body
        except Exception as exc:  # noqa: BLE001 (network errors of every kind)
            status, body = None, exc.__class__.__name__  # never str(exc): it could carry the URL
        if status == 200:
            alert.status, alert.sent_at, alert.last_error = "sent", utcnow(), None
            stats.sent += 1
        elif is_permanent(status):
            alert.status, alert.last_error = (
                "failed",
                f"HTTP {status}: {permanent_reason(status)} ({_text(body)[:200]})",
            )
            stats.failed += 1
        else:
            alert.last_error = f"HTTP {status}: will retry next run" if status else f"{body}: will retry next run"
            stats.pending += 1
        session.add(alert)
        session.commit()  # one row at a time: a crash loses at most the alert in flight
        log.info("alert %s: %s", alert.id, alert.status if status == 200 or is_permanent(status) else alert.last_error)
    return stats


def failed_alerts(session: Session) -> int:
    """Alerts that failed permanently (they need a person: fix the webhook, then reset them)."""
    return len(session.exec(select(Alert.id).where(Alert.status == "failed")).all())

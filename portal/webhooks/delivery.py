"""Posting queued webhook deliveries: signed, with a short timeout, retried with backoff.

`send_due()` is what `flask --app wsgi send-webhooks` runs (from cron, like `send-mail`). Each
delivery is posted on its own and committed at once, so a slow receiver delays only the rest of
this run. The URL is checked again before every post (DNS may have changed since it was saved),
redirects are not followed and no proxy from the environment is used.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import WebhookDelivery
from portal.webhooks.services import refusal

SENT, PENDING, FAILED = "sent", "pending", "failed"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the X-ChannelVoice-Signature."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not an address to post to (it could be private)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


class DeliveryRun(NamedTuple):
    """What one run did: delivered, given up on, and left to retry later."""

    sent: int
    failed: int
    retrying: int


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Post one delivery: (HTTP status or None, error text, empty when it was a 2xx)."""
    endpoint = delivery.endpoint
    if problem := refusal(endpoint.url):
        return None, f"Refused: {problem}"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by refusal()
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ChannelVoice-Webhooks/1",
            "X-ChannelVoice-Event": delivery.event,
            "X-ChannelVoice-Delivery": str(delivery.id),
            "X-ChannelVoice-Timestamp": timestamp,
            "X-ChannelVoice-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"]) as reply:
            code = reply.status
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:  # refused, reset, timed out, unreadable URL
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= code < 300:
        return code, ""
    return code, f"HTTP {code}"


def _record(delivery: WebhookDelivery, code: int | None, error: str, now: datetime) -> str:
    """Apply one attempt's outcome: sent, or retried after base·2^attempts, or failed."""
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = code, error
    delivery.last_attempt_at = now
    if not error:
        delivery.status, delivery.sent_at = SENT, now
    elif delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status = FAILED
    else:
        delay = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"] * 2**delivery.attempts
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    return delivery.status


def send_due(now: datetime | None = None, limit: int = 200) -> DeliveryRun:
    """Post every pending delivery whose time has come, oldest first; commit after each."""
    now = now or utcnow()
    due = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    counts = {SENT: 0, FAILED: 0, PENDING: 0}
    for delivery in due:
        code, error = _post(delivery)
        counts[_record(delivery, code, error, now)] += 1
        db.session.commit()
    return DeliveryRun(counts[SENT], counts[FAILED], counts[PENDING])

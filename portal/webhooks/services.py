"""Webhook endpoints (create, test, delete) and `emit`, which queues an event in the action's
transaction. Payloads carry only what the board shows everyone: no revenue, no organisation names.
"""

import ipaddress
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app
from sqlalchemy import select

from portal import audit
from portal.access import can_manage_webhooks
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Brief, Requirement, Survey, User, WebhookDelivery, WebhookEndpoint
from portal.notify import external_url

EVENTS = {
    "requirement.created": "A partner posted a requirement",
    "requirement.status_changed": "The vendor changed a requirement's status",
    "requirement.merged": "A requirement was merged into another",
    "survey.closed": "A survey closed",
    "brief.published": "A brief was published",
}
PING = "ping"  # the "send test event" delivery, to one endpoint only
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
DELIVERY_LOG = 50  # deliveries shown on an endpoint's page


def _stamp(value) -> str:
    return value.isoformat(timespec="seconds")


def requirement_data(requirement: Requirement) -> dict[str, Any]:
    """A requirement as the board shows it to everyone (counts, never revenue or names)."""
    return {
        "id": requirement.id,
        "title": requirement.title,
        "status": requirement.status.value,
        "url": external_url("board.detail", requirement_id=requirement.id),
        "created_at": _stamp(requirement.created_at or utcnow()),
        "votes": requirement.vote_count or 0,
        "organisations": requirement.org_count or 0,
    }


def merge_data(duplicate: Requirement, target: Requirement) -> dict[str, Any]:
    """The merged requirement, and the one its votes and comments moved to."""
    return {**requirement_data(duplicate), "merged_into": requirement_data(target)}


def survey_data(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.id,
        "title": survey.title,
        "status": survey.status.value,
        "url": external_url("surveys.detail", survey_id=survey.id),
    }


def brief_data(brief: Brief) -> dict[str, Any]:
    return {
        "slug": brief.slug,
        "title": brief.title,
        "kind": brief.kind,
        "url": external_url("briefs.show", slug=brief.slug),
        "published_at": _stamp(brief.created_at or utcnow()),
    }


def _envelope(event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"event": event, "occurred_at": _stamp(utcnow()), "data": data}


def emit(event: str, data: dict[str, Any]) -> int:
    """Queue the event for every active endpoint that wants it (the caller commits)."""
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).all()
    wanting = [endpoint for endpoint in endpoints if event in endpoint.events]
    for endpoint in wanting:
        db.session.add(
            WebhookDelivery(endpoint_id=endpoint.id, event=event, payload=_envelope(event, data))
        )
    return len(wanting)


def refusal(url: str) -> str | None:
    """Why the portal will not post to this URL (SSRF), or None when it may.

    Only http(s); a host that resolves to a private, loopback, link-local or reserved address
    is refused unless WEBHOOKS_ALLOW_PRIVATE is set (tests and development).
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "Enter a valid URL, e.g. https://hooks.example.com/channel-voice."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter an http:// or https:// URL, e.g. https://hooks.example.com/channel-voice."
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port)}
    except (OSError, UnicodeError):
        return f"The host {parts.hostname} could not be found."
    if current_app.config["WEBHOOKS_ALLOW_PRIVATE"]:
        return None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return (
                f"{parts.hostname} is a private or local address ({ip}); webhooks go only to "
                "public addresses."
            )
    return None


def create_endpoint(user: User, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; its signing secret is returned once (it is stored to sign)."""
    if not can_manage_webhooks(user):
        raise ServiceError("Only the vendor's channel team and admins manage webhooks.")
    url = url.strip()
    if problem := refusal(url):
        raise ServiceError(problem, "url")
    events = [event for event in EVENTS if event in events]
    if not events:
        raise ServiceError("Choose at least one event.", "events")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(url=url, events=events, secret=secret, created_by_id=user.id)
    db.session.add(endpoint)
    db.session.flush()
    audit.record(user, "webhook.create", f"webhook:{endpoint.id}", url=url)
    db.session.commit()
    return endpoint, secret


def send_test(user: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `ping` for this endpoint only; `flask send-webhooks` posts it."""
    if not can_manage_webhooks(user):
        raise ServiceError("Only the vendor's channel team and admins manage webhooks.")
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event=PING,
        payload=_envelope(PING, {"endpoint": endpoint.id, "events": endpoint.events}),
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery


def delete_endpoint(user: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log; queued deliveries are never sent."""
    if not can_manage_webhooks(user):
        raise ServiceError("Only the vendor's channel team and admins manage webhooks.")
    audit.record(user, "webhook.delete", f"webhook:{endpoint.id}", url=endpoint.url)
    db.session.delete(endpoint)
    db.session.commit()


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id.desc())))


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(DELIVERY_LOG)
    )
    return list(db.session.scalars(query))

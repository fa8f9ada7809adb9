"""Writing audit events: one call per significant action, committed with the action itself."""

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, User


def record(actor: User | None, action: str, target: str = "", **details: Any) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target[:200],
        details=details,
    )
    db.session.add(event)
    return event

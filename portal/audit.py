"""Writing audit events: one call per significant action, committed with the action itself;
and saying what an event's details mean in words (`describe`)."""

import enum
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
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


def plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it: enums by value, amounts and dates as text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs between two snapshots, as {field: [old, new]}."""
    return {
        name: [plain(before.get(name)), plain(value)]
        for name, value in after.items()
        if plain(before.get(name)) != plain(value)
    }


ENUM_VALUE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _words(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, str) and ENUM_VALUE.match(value):
        return value.replace("_", " ")  # a stored enum value, e.g. under_review
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_words(v)}" for k, v in value.items())
    return str(value)


# Details whose value is a list of items (not an [old, new] pair).
LIST_DETAILS = {"years"}


def describe(details: Mapping[str, Any], action: str = "") -> list[str]:
    """An event's details in words: "display name: Ann → Anne", "status: open → planned",
    "years: 2024, 2025"; a missing value reads "none", never "None"."""
    lines = []
    if "old" in details and "new" in details:
        what = action.rpartition(".")[2].replace("_", " ")
        what = "rate" if action.startswith("exchange_rate.") else what
        lines.append(
            f"{what + ': ' if what else ''}{_words(details['old'])} → {_words(details['new'])}"
        )
    for key, value in details.items():
        if key in ("old", "new"):
            continue
        label = key.replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and key not in LIST_DETAILS:
            lines.append(f"{label}: {_words(value[0])} → {_words(value[1])}")
        else:
            lines.append(f"{label}: {_words(value)}")
    return lines

"""Typed SQLAlchemy models, one module per area; imported here so Alembic sees them all."""

from portal.models.accounts import (
    Invitation,
    Organisation,
    OrgKind,
    PartnerType,
    Region,
    Role,
    SizeBand,
    User,
)
from portal.models.audit import AuditEvent

__all__ = [
    "AuditEvent",
    "Invitation",
    "OrgKind",
    "Organisation",
    "PartnerType",
    "Region",
    "Role",
    "SizeBand",
    "User",
]

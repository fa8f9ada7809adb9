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
from portal.models.board import (
    Comment,
    Importance,
    OutboxMessage,
    Product,
    QuoteConsent,
    Requirement,
    Revision,
    Status,
    StatusChange,
    Topic,
    Vote,
    VoteConsent,
)
from portal.models.revenue import ExchangeRate, RevenueProfile

__all__ = [
    "ExchangeRate",
    "RevenueProfile",
    "AuditEvent",
    "Comment",
    "Importance",
    "OutboxMessage",
    "Product",
    "QuoteConsent",
    "Requirement",
    "Revision",
    "Status",
    "StatusChange",
    "Topic",
    "Vote",
    "VoteConsent",
    "Invitation",
    "OrgKind",
    "Organisation",
    "PartnerType",
    "Region",
    "Role",
    "SizeBand",
    "User",
]

"""Administration rules: organisations and user accounts."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.auth.services import check_role_fits, revoke_sessions
from portal.documents.files import slug as slug_of
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Organisation,
    OrgKind,
    OutboxMessage,
    Product,
    Role,
    Topic,
    User,
)

SLUG_MAX = 80  # the slug columns' length
CATALOGUES: dict[str, type[Product] | type[Topic]] = {"products": Product, "topics": Topic}


def organisations_query() -> Select:
    """All organisations with their member counts, by name."""
    members = (
        select(User.organisation_id, func.count(User.id).label("members"))
        .group_by(User.organisation_id)
        .subquery()
    )
    return (
        select(Organisation, func.coalesce(members.c.members, 0).label("members"))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )


def organisations_with_members() -> list[Row]:
    """Rows of (organisation, member count), by name."""
    return list(db.session.execute(organisations_query()).all())


def find_organisation(organisation_id: int | None) -> Organisation | None:
    """The organisation with this id; None for none (0) or an unknown id."""
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def users_query(search: str = "") -> Select:
    """Users, optionally filtered by a fragment of name or e-mail, by e-mail."""
    query = select(User).order_by(User.email)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(User.email).like(pattern) | func.lower(User.display_name).like(pattern)
        )
    return query


def audit_query(
    action: str = "", actor: str = "", since: date | None = None, until: date | None = None
) -> Select:
    """Audit events, newest first: of one action, by actors whose e-mail contains `actor`,
    from the start of `since` to the end of `until` (UTC days)."""
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if actor.strip():
        pattern = f"%{actor.strip().lower()}%"
        query = query.where(AuditEvent.actor.has(func.lower(User.email).like(pattern)))
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(
            AuditEvent.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    return query


def audit_actions() -> list[str]:
    """Every action the audit log holds, by name (for its filter)."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def _check_unique(organisation: Organisation | None, name: str, slug: str) -> None:
    others = select(Organisation.id)
    if organisation is not None and organisation.id is not None:
        others = others.where(Organisation.id != organisation.id)
    if db.session.scalar(others.where(func.lower(Organisation.name) == name.lower())):
        raise ServiceError("Another organisation already has this name.", "name")
    if db.session.scalar(others.where(Organisation.slug == slug)):
        raise ServiceError("Another organisation already uses this slug.", "slug")


def _check_partner_profile(kind: OrgKind, fields: dict) -> None:
    if kind == OrgKind.PARTNER:
        for field in ("partner_type", "region", "size_band"):
            if not fields.get(field):
                raise ServiceError("A partner organisation needs this.", field)


ORGANISATION_FIELDS = ("name", "slug", "kind", "partner_type", "region", "size_band", "verified")


def _snapshot(item: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name, None) for name in fields}


def save_organisation(actor: User, organisation: Organisation | None, **fields) -> Organisation:
    """Create (organisation=None) or update an organisation; every change is audited with what
    changed, and a save that changes nothing records nothing."""
    name = fields["name"].strip()
    slug = slug_of(fields.get("slug") or name, SLUG_MAX)
    if not slug:
        raise ServiceError("Use at least one letter or digit.", "slug")
    kind = OrgKind(fields["kind"])
    _check_partner_profile(kind, fields)
    _check_unique(organisation, name, slug)
    creating = organisation is None
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    elif organisation.kind != kind and organisation.members:
        raise ServiceError("Move or remove this organisation's members before changing its kind.")
    before = {} if creating else _snapshot(organisation, ORGANISATION_FIELDS)
    organisation.name, organisation.slug, organisation.kind = name, slug, kind
    partner = kind == OrgKind.PARTNER
    # Blank choices mean "none"; only partner organisations carry a segment profile.
    organisation.partner_type = (fields.get("partner_type") or None) if partner else None
    organisation.region = (fields.get("region") or None) if partner else None
    organisation.size_band = (fields.get("size_band") or None) if partner else None
    organisation.verified = bool(fields.get("verified"))
    changed = audit.changes(before, _snapshot(organisation, ORGANISATION_FIELDS))
    if creating:
        audit.record(actor, "organisation.create", slug, kind=kind.value)
    elif changed:
        audit.record(actor, "organisation.update", slug, **changed)
    if organisation.verified != bool(before.get("verified")):
        audit.record(actor, "organisation.verify", slug, verified=organisation.verified)
    db.session.commit()
    return organisation


def update_user(
    actor: User,
    user: User,
    role: Role,
    organisation: Organisation | None,
    is_org_manager: bool,
    active: bool,
) -> User:
    """Change a user's role, organisation, manager flag or active state (audited)."""
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise ServiceError("You cannot remove your own administrator access.")
    check_role_fits(role, organisation)
    changes: dict[str, list[str | bool | None]] = {}
    if user.role != role:
        changes["role"] = [user.role.value, role.value]
    if user.organisation_id != (organisation.id if organisation else None):
        changes["organisation"] = [
            user.organisation.slug if user.organisation else None,
            organisation.slug if organisation else None,
        ]
    manager = is_org_manager and role == Role.PARTNER
    if user.is_org_manager != manager:
        changes["is_org_manager"] = [user.is_org_manager, manager]
    if user.active != active:
        changes["active"] = [user.active, active]
    if not changes:
        return user
    user.role, user.organisation, user.is_org_manager, user.active = (
        role,
        organisation,
        manager,
        active,
    )
    if {"role", "organisation"} & changes.keys() or not active:
        revoke_sessions(user)  # a new role, organisation or a disabled account: log in again
    action = "user.role_change" if "role" in changes else "user.update"
    audit.record(actor, action, user.email, **changes)
    db.session.commit()
    return user


def save_catalogue_item(
    actor: User,
    kind: str,
    item: Product | Topic | None,
    name: str,
    slug: str,
    description: str,
    active: bool = True,
) -> Product | Topic:
    """Create or update a product or topic; names and slugs are unique, changes audited."""
    model = CATALOGUES[kind]
    name, slug = name.strip(), slug_of(slug or name, SLUG_MAX)
    if not slug:
        raise ServiceError("Use at least one letter or digit.", "slug")
    others = select(model.id)
    if item is not None:
        others = others.where(model.id != item.id)
    if db.session.scalar(others.where(func.lower(model.name) == name.lower())):
        raise ServiceError("This name is taken.", "name")
    if db.session.scalar(others.where(model.slug == slug)):
        raise ServiceError("This slug is taken.", "slug")
    creating = item is None
    if item is None:
        item = model()
        db.session.add(item)
    fields = ("name", "slug", "description", "active")
    before = {} if creating else _snapshot(item, fields)
    item.name, item.slug, item.description = name, slug, description.strip()
    if isinstance(item, Product):
        item.active = active
    changed = audit.changes(before, _snapshot(item, fields))
    if creating:
        audit.record(actor, f"{kind[:-1]}.create", slug)
    elif changed:
        audit.record(actor, f"{kind[:-1]}.update", slug, **changed)
    db.session.commit()
    return item


def catalogue_items(kind: str) -> list[Product | Topic]:
    """The products or the topics (`kind`), by name."""
    model = CATALOGUES[kind]
    return list(db.session.scalars(select(model).order_by(model.name)))


def outbox_query() -> Select:
    """Queued and sent notification e-mails, newest first."""
    return select(OutboxMessage).order_by(OutboxMessage.id.desc())


def dashboard_counts() -> dict[str, int]:
    """Headline numbers for the admin home page."""
    return {
        "organisations": db.session.scalar(select(func.count(Organisation.id))) or 0,
        "users": db.session.scalar(select(func.count(User.id))) or 0,
        "inactive": db.session.scalar(select(func.count(User.id)).where(~User.active)) or 0,
        "audit_events": db.session.scalar(select(func.count(AuditEvent.id))) or 0,
        "unsent_mail": db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
        )
        or 0,
    }


def get_organisation(organisation_id: int) -> Organisation:
    """The organisation, or a 404."""
    return db.get_or_404(Organisation, organisation_id)


def get_user(user_id: int) -> User:
    """The account, or a 404."""
    return db.get_or_404(User, user_id)


def get_catalogue_item(kind: str, item_id: int) -> Product | Topic:
    """A product or topic of the catalogue `kind`, or a 404."""
    return db.get_or_404(CATALOGUES[kind], item_id)

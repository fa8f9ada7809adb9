"""Account rules: authentication, invitations, registration, passwords."""

import hashlib
import secrets
from datetime import timedelta
from typing import cast
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import CursorResult, select, update

from portal import audit
from portal.access import can_administer, can_receive_digest
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Invitation, Organisation, Role, User
from portal.models.accounts import ROLES_FOR_KIND

WRONG_CREDENTIALS = "Wrong e-mail address or password."
DISABLED_ACCOUNT = "This account has been disabled. Please contact the portal administrator."


def normalise_email(email: str) -> str:
    """E-mail addresses are unique without regard to case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User:
    """Return the user these credentials belong to, or raise ServiceError saying why not."""
    user = find_user_by_email(email)
    if user is None or not user.check_password(password):
        raise ServiceError(WRONG_CREDENTIALS)
    if not user.active:
        raise ServiceError(DISABLED_ACCOUNT)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are followed after log-in (no open redirect)."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False  # control characters (CR, LF) would split the Location header
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def check_role_fits(role: Role, organisation: Organisation | None) -> None:
    """Partners join partner organisations, editors a publisher, vendor staff the vendor."""
    if role == Role.ADMIN:
        return
    if organisation is None:
        raise ServiceError(f"A {role.label.lower()} user needs an organisation.", "organisation")
    if role not in ROLES_FOR_KIND[organisation.kind]:
        raise ServiceError(
            f"A {role.label.lower()} cannot belong to {organisation.name}, "
            f"a {organisation.kind.label.lower()} organisation.",
            "organisation",
        )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    inviter: User,
    email: str,
    role: Role,
    organisation: Organisation | None,
    is_org_manager: bool = False,
) -> tuple[Invitation, str]:
    """Invite someone; returns the invitation and the secret token for the sign-up link."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ServiceError("Someone with this e-mail address already has an account.", "email")
    if not can_administer(inviter):
        # An org manager may only bring colleagues into their own organisation, as partners.
        if not inviter.manages_org or organisation != inviter.organisation or role != Role.PARTNER:
            raise ServiceError("You can only invite colleagues into your own organisation.")
    check_role_fits(role, organisation)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        organisation=organisation,
        is_org_manager=is_org_manager and role == Role.PARTNER,
        token_hash=_hash_token(token),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
        invited_by_id=inviter.id,
    )
    db.session.add(invitation)
    audit.record(
        inviter,
        "user.invite",
        email,
        role=role.value,
        organisation=organisation.slug if organisation else None,
    )
    db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The open invitation for this token, or ServiceError saying why it cannot be used."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None:
        raise ServiceError("This invitation link is not valid. Check that you copied all of it.")
    if invitation.used_at is not None:
        raise ServiceError("This invitation has already been used. Log in with that account.")
    if invitation.expires_at <= utcnow():
        raise ServiceError(
            "This invitation has expired. Ask the person who invited you for a new one."
        )
    return invitation


def register(token: str, display_name: str, password: str) -> User:
    """Turn an invitation into an account; the invitation can be used once only."""
    invitation = find_invitation(token)
    if find_user_by_email(invitation.email) is not None:
        raise ServiceError("Someone with this e-mail address already has an account.")
    # Claim the invitation with a conditional update so two parallel sign-ups cannot both win.
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=utcnow())
        ),
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ServiceError("This invitation has already been used. Log in with that account.")
    user = User(
        email=invitation.email,
        display_name=display_name.strip(),
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        is_org_manager=invitation.is_org_manager,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(user, "user.register", user.email, invitation=invitation.id)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one."""
    if not user.check_password(current):
        raise ServiceError("The current password is not right.", "current_password")
    user.set_password(new)
    audit.record(user, "user.password_change", user.email)
    db.session.commit()


def create_user(
    email: str,
    role: Role,
    display_name: str,
    password: str,
    organisation: Organisation | None = None,
    is_org_manager: bool = False,
) -> User:
    """Create an account directly (command line and demo data); the caller commits."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ServiceError(f"A user with e-mail {email} already exists.")
    check_role_fits(role, organisation)
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        organisation=organisation,
        is_org_manager=is_org_manager and role == Role.PARTNER,
    )
    user.set_password(password)
    db.session.add(user)
    return user


def update_settings(user: User, notify: bool, weekly_digest: bool = False) -> None:
    """Save the user's notification preferences (the digest is for vendor users)."""
    user.notify = notify
    user.weekly_digest = weekly_digest and can_receive_digest(user)
    db.session.commit()

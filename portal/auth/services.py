"""Account rules: authentication, invitations, registration, passwords."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import CursorResult, delete, select, update

from portal import audit
from portal.access import can_administer, can_receive_digest
from portal.auth import emails
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Invitation, Organisation, PasswordReset, Role, User, UserSession
from portal.models.accounts import BROWSER_MAX, NAME_MAX, ROLES_FOR_KIND, check_dummy_password
from portal.notify import external_url, queue_message
from portal.org.services import domain_for_email, domain_of

WRONG_CREDENTIALS = "Wrong e-mail address or password."
DISABLED_ACCOUNT = "This account has been disabled. Please contact the portal administrator."


def normalise_email(email: str) -> str:
    """E-mail addresses are unique without regard to case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this address, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User:
    """Return the user these credentials belong to, or raise ServiceError saying why not.

    An unknown address costs a password check too, so the answer's timing does not tell
    whether an account exists.
    """
    user = find_user_by_email(email)
    if user is None:
        check_dummy_password(password)
        raise ServiceError(WRONG_CREDENTIALS)
    if not user.check_password(password):
        raise ServiceError(WRONG_CREDENTIALS)
    if not user.active:
        raise ServiceError(DISABLED_ACCOUNT)
    check_password_allowed(user)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def check_password_allowed(user: User) -> None:
    """Refuse a password log-in where the user's domain requires single sign-on.

    Admins keep their password (so a broken identity provider cannot lock the portal out), and
    without single sign-on configured the requirement cannot apply.
    """
    if user.role == Role.ADMIN or not current_app.config.get("OIDC_ISSUER"):
        return
    mapping = domain_for_email(user.email)
    if mapping is not None and mapping.sso_required:
        label = current_app.config["OIDC_BUTTON_LABEL"]
        raise ServiceError(
            f"Your organisation signs in through {label}: use the “Sign in with {label}” button."
        )


SSO_UNVERIFIED = (
    "Your identity provider has not confirmed that {email} is your address, so it cannot sign "
    "you in here. Ask your organisation's IT to confirm the address, then try again."
)
SSO_NO_EMAIL = "Your identity provider did not tell the portal your e-mail address."
SSO_UNMAPPED = (
    "No organisation on Channel Voice signs in with {domain} addresses, so no account was made. "
    "Ask your organisation's manager for an invitation."
)
SSO_OTHER_IDENTITY = (
    "The account {email} is already linked to another identity at your identity provider. "
    "Ask the portal administrator."
)


def sign_in_from_identity(email: str, email_verified: bool, subject: str, name: str) -> User:
    """The account an identity provider's verified answer signs in, linked or created (audited).

    Found by the provider's subject first (so a changed address still finds it), then by the
    verified e-mail (linked, not duplicated); otherwise created as a partner of the organisation
    the address's domain is mapped to. An unmapped domain, an unverified address or a disabled
    account are refused, and nothing is written.
    """
    email = normalise_email(email)
    if not email:
        raise ServiceError(SSO_NO_EMAIL)
    if not email_verified:
        raise ServiceError(SSO_UNVERIFIED.format(email=email))
    user = db.session.scalar(select(User).where(User.oidc_subject == subject))
    if user is None:
        user = find_user_by_email(email)
        if user is None:
            user = _register_from_identity(email, subject, name)
        else:
            _link_identity(user, subject)
    if not user.active:
        raise ServiceError(DISABLED_ACCOUNT)
    user.last_login_at = utcnow()
    audit.record(user, "user.login_sso", user.email, subject=subject)
    db.session.commit()
    return user


def _link_identity(user: User, subject: str) -> None:
    """Remember the provider's subject on an existing account with the same verified e-mail."""
    if user.oidc_subject is not None:
        raise ServiceError(SSO_OTHER_IDENTITY.format(email=user.email))
    if user.active:
        user.oidc_subject = subject
        audit.record(user, "user.sso_link", user.email, subject=subject)


def _register_from_identity(email: str, subject: str, name: str) -> User:
    """A first sign-in from a mapped domain: a partner account in that organisation."""
    mapping = domain_for_email(email)
    if mapping is None:
        raise ServiceError(SSO_UNMAPPED.format(domain=domain_of(email)))
    display_name = (name.strip() or email.partition("@")[0])[:NAME_MAX]
    # No password anyone knows: the account signs in through the provider (or resets one).
    user = create_user(
        email, Role.PARTNER, display_name, secrets.token_urlsafe(32), mapping.organisation
    )
    user.oidc_subject = subject
    db.session.flush()  # the audit event names the new account
    audit.record(
        user,
        "user.sso_register",
        email,
        organisation=mapping.organisation.slug,
        domain=mapping.domain,
        subject=subject,
    )
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


@dataclass(frozen=True)
class LinkRefusals:
    """What to tell someone whose e-mailed link (invitation, password reset) cannot be used."""

    unknown: str
    used: str
    expired: str


INVITATION_REFUSALS = LinkRefusals(
    unknown="This invitation link is not valid. Check that you copied all of it.",
    used="This invitation has already been used. Log in with that account.",
    expired="This invitation has expired. Ask the person who invited you for a new one.",
)
RESET_REFUSALS = LinkRefusals(
    unknown="This link to set a new password is not valid. Check that you copied all of it.",
    used="This link to set a new password has already been used. Ask for a new one.",
    expired="This link to set a new password has expired. Ask for a new one.",
)


def _check_link(link: Invitation | PasswordReset | None, refusals: LinkRefusals) -> None:
    """Refuse a link that does not exist, was used or has expired."""
    if link is None:
        raise ServiceError(refusals.unknown)
    if link.used_at is not None:
        raise ServiceError(refusals.used)
    if link.expires_at <= utcnow():
        raise ServiceError(refusals.expired)


def _claim(model: type[Invitation] | type[PasswordReset], link_id: int, used: str) -> None:
    """Mark a link used with a conditional update, so two parallel uses cannot both win."""
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(model)
            .where(model.id == link_id, model.used_at.is_(None))
            .values(used_at=utcnow())
        ),
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ServiceError(used)


def create_invitation(
    inviter: User,
    email: str,
    role: Role,
    organisation: Organisation | None,
    is_org_manager: bool = False,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and the secret token for the sign-up link.

    The inviter sees the same answer whether or not the address already has an account, so the
    page cannot be used to find out who has one: an existing account is e-mailed to log in
    instead, and its invitation's link cannot create a second account (`register` refuses).
    """
    email = normalise_email(email)
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
    existing = find_user_by_email(email) is not None
    if existing:
        message = emails.existing_account(invitation, inviter)
    else:
        message = emails.invitation(invitation, inviter, external_url("auth.register", token=token))
    queue_message(email, *message)
    audit.record(
        inviter,
        "user.invite",
        email,
        role=role.value,
        organisation=organisation.slug if organisation else None,
        existing_account=existing,
    )
    db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The open invitation for this token, or ServiceError saying why it cannot be used."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    _check_link(invitation, INVITATION_REFUSALS)
    return cast(Invitation, invitation)


def register(token: str, display_name: str, password: str) -> User:
    """Turn an invitation into an account; the invitation can be used once only."""
    invitation = find_invitation(token)
    if find_user_by_email(invitation.email) is not None:
        raise ServiceError(
            "There is already an account with this e-mail address. Log in with it, or set a "
            "new password from the log-in page if you have forgotten it."
        )
    _claim(Invitation, invitation.id, INVITATION_REFUSALS.used)
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
    """Replace the password after checking the current one; every session is logged out."""
    if not user.check_password(current):
        raise ServiceError("The current password is not right.", "current_password")
    user.set_password(new)
    revoke_sessions(user)
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


SESSION_ID = re.compile(r"(\d{1,18}):([A-Za-z0-9_-]{43})", re.ASCII)
LAST_SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often per session


def _oldest_session_start() -> datetime:
    """Sessions started before this are over: the remember-me cookie lives no longer."""
    return utcnow() - current_app.config["REMEMBER_COOKIE_DURATION"]


def open_session(user: User, browser: str) -> None:
    """Record a log-in of the user and put its new key on `user` (its cookies carry it).

    The user's sessions that are over are deleted at the same time (housekeeping).
    """
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.created_at < _oldest_session_start()
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(user_id=user.id, key_hash=_hash_token(key), browser=browser[:BROWSER_MAX])
    )
    db.session.commit()
    user.session_key = key


def user_for_session(session_id: str) -> User | None:
    """The user a session or remember-me cookie names (`<id>:<session key>`), if not logged out."""
    match = SESSION_ID.fullmatch(session_id)
    if match is None:
        return None
    key = match[2]
    found = db.session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(match[1]),
            UserSession.key_hash == _hash_token(key),
            UserSession.created_at >= _oldest_session_start(),
        )
    ).first()
    if found is None:
        return None
    user, user_session = found
    now = utcnow()
    if user_session.last_seen_at < now - LAST_SEEN_EVERY:
        user_session.last_seen_at = now
        db.session.commit()
    user.session_key = key
    return user


def close_session(user: User) -> None:
    """Log out the session `user` was loaded for: copies of its cookies stop working."""
    if user.session_key:
        key_hash = _hash_token(user.session_key)
        db.session.execute(delete(UserSession).where(UserSession.key_hash == key_hash))
        db.session.commit()
    user.session_key = None


def active_sessions(user: User) -> list[tuple[UserSession, bool]]:
    """The user's sessions, this browser's first, each with whether it is this browser's."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.created_at >= _oldest_session_start())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    current = _hash_token(user.session_key) if user.session_key else None
    listed = [(row, row.key_hash == current) for row in rows]
    return sorted(listed, key=lambda item: not item[1])


def end_session(user: User, session_id: int) -> None:
    """Log out one of the user's sessions from another (audited)."""
    ended = cast(
        CursorResult,
        db.session.execute(
            delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
        ),
    )
    if ended.rowcount != 1:
        raise ServiceError("That session has already ended.")
    audit.record(user, "user.session_end", user.email, session=session_id)
    db.session.commit()


def revoke_sessions(user: User) -> None:
    """End every session and remember-me cookie of the user; the caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def end_all_sessions(user: User) -> None:
    """Log the user out on every device (audited); the caller renews this browser's session."""
    revoke_sessions(user)
    audit.record(user, "user.sessions_end", user.email)
    db.session.commit()


def request_password_reset(email: str) -> None:
    """E-mail a link to set a new password, if an active account has this address.

    Returns nothing either way, so the page says the same whether or not the account exists.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(
        PasswordReset(
            user=user,
            token_hash=_hash_token(token),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    link = external_url("auth.reset_password", token=token)
    queue_message(user.email, *emails.password_reset(user, link, minutes))
    db.session.commit()


def find_password_reset(token: str) -> PasswordReset:
    """The open password reset for this token, or ServiceError saying why it cannot be used."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _hash_token(token))
    )
    _check_link(reset, RESET_REFUSALS)
    reset = cast(PasswordReset, reset)
    if not reset.user.active:
        raise ServiceError(DISABLED_ACCOUNT)
    return reset


def reset_password(token: str, new: str) -> User:
    """Set a new password through a reset link: used once, every session logged out, audited."""
    reset = find_password_reset(token)
    _claim(PasswordReset, reset.id, RESET_REFUSALS.used)
    user = reset.user
    user.set_password(new)
    revoke_sessions(user)
    # The account's other open links stop working too: the password they were for is set.
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    audit.record(user, "user.password_reset", user.email, reset=reset.id)
    db.session.commit()
    return user

"""API tokens: created and revoked by vendor users; only a SHA-256 hash is stored."""

import hashlib
import secrets

from flask import abort
from sqlalchemy import select

from portal import audit
from portal.access import can_administer, can_hold_api_tokens
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ApiToken, User

PREFIX = "cv_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for a vendor user; the secret is returned once and never stored."""
    if not can_hold_api_tokens(user):
        raise ServiceError("Only the vendor's channel team can create API tokens.")
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the tool that will use it.", "name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:80], prefix=secret[:10], token_hash=_hash(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.create", f"api_token:{token.id}", name=token.name)
    db.session.commit()
    return token, secret


def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.id and not can_administer(user):
        raise ServiceError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(user, "api_token.revoke", f"api_token:{token.id}", name=token.name)
        db.session.commit()


def tokens_of(user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def authenticate(secret: str) -> User | None:
    """The vendor user behind a live token, or None; the use is recorded."""
    if not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if not user.active or not can_hold_api_tokens(user):
        return None
    token.last_used_at = utcnow()
    return user


def use_token(secret: str, path: str) -> User | None:
    """The vendor user behind a live token, its use recorded (`record_use`); None otherwise."""
    user = authenticate(secret)
    if user is None:
        db.session.rollback()  # end the read: nothing was written
        return None
    record_use(user, path)
    return user


def record_use(user: User, path: str) -> None:
    """Every API request is an audit event (who, which path and arguments)."""
    audit.record(user, "api.request", path[:200])
    db.session.commit()


def get_own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens, or a 404 (another user's token does not exist for them)."""
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != user.id:
        abort(404)
    return token

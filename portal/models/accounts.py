"""Organisations, users and invitations."""

import enum
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.database import utcnow
from portal.extensions import Model


def str_enum(enum_class: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum by its value as a plain string column (portable across engines)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class LabelledEnum(enum.StrEnum):
    """A string enum whose members print as human labels."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Role(LabelledEnum):
    PARTNER = "partner"
    EDITOR = "editor"
    VENDOR = "vendor"
    ADMIN = "admin"


class OrgKind(LabelledEnum):
    PARTNER = "partner"
    VENDOR = "vendor"
    PUBLISHER = "publisher"


class PartnerType(LabelledEnum):
    LARGE_ACCOUNT_RESELLER = "large_account_reseller"
    DISTRIBUTOR = "distributor"
    VAR_SI = "var_si"
    MSP_HOSTER = "msp_hoster"
    ISV = "isv"
    TELCO = "telco"

    @property
    def label(self) -> str:
        return PARTNER_TYPE_LABELS[self]


PARTNER_TYPE_LABELS = {
    PartnerType.LARGE_ACCOUNT_RESELLER: "Large account reseller",
    PartnerType.DISTRIBUTOR: "Distributor",
    PartnerType.VAR_SI: "VAR / system integrator",
    PartnerType.MSP_HOSTER: "MSP / hoster",
    PartnerType.ISV: "ISV",
    PartnerType.TELCO: "Telco",
}


class Region(LabelledEnum):
    NA = "na"
    EMEA = "emea"
    APAC = "apac"
    LATAM = "latam"

    @property
    def label(self) -> str:
        return {"na": "North America", "emea": "EMEA", "apac": "APAC", "latam": "Latin America"}[
            self.value
        ]


class SizeBand(LabelledEnum):
    MICRO = "1-10"
    SMALL = "11-50"
    MEDIUM = "51-250"
    LARGE = "251+"

    @property
    def label(self) -> str:
        return f"{self.value} employees"


# Role a user needs to belong to each kind of organisation.
ROLES_FOR_KIND = {
    OrgKind.PARTNER: {Role.PARTNER},
    OrgKind.VENDOR: {Role.VENDOR},
    OrgKind.PUBLISHER: {Role.EDITOR},
}

NAME_MAX = 120
EMAIL_MAX = 254
SUBJECT_MAX = 255  # OpenID Connect: `sub` is at most 255 ASCII characters


def hash_password(password: str) -> str:
    """A salted hash with the configured method (scrypt; tests use a cheap one)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


_dummy_hashes: dict[str, str] = {}


def check_dummy_password(password: str) -> bool:
    """Spend as long as checking a real password takes, for log-ins without a usable account.

    The hash is made once per hashing method, of a random password nobody knows; always False.
    """
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = hash_password(secrets.token_urlsafe(32))
    check_password_hash(_dummy_hashes[method], password)
    return False


class Organisation(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind), default=OrgKind.PARTNER)
    partner_type: Mapped[PartnerType | None] = mapped_column(str_enum(PartnerType), index=True)
    region: Mapped[Region | None] = mapped_column(str_enum(Region), index=True)
    size_band: Mapped[SizeBand | None] = mapped_column(str_enum(SizeBand), index=True)
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["User"]] = relationship(
        back_populates="organisation", order_by="User.display_name"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class User(UserMixin, Model):
    __allow_unmapped__ = True  # for `session_key`, which is not a column

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(256))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.PARTNER)
    active: Mapped[bool] = mapped_column(default=True)
    is_org_manager: Mapped[bool] = mapped_column(default=False)
    notify: Mapped[bool] = mapped_column(default=True)
    weekly_digest: Mapped[bool] = mapped_column(default=False)
    digest_sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The identity provider's subject once the account signed in through single sign-on.
    oidc_subject: Mapped[str | None] = mapped_column(String(SUBJECT_MAX), unique=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    # The key of the `UserSession` this request runs in (set at log-in and by the user loader).
    session_key: str | None = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember cookie: `<id>:<session key>`."""
        return f"{self.id}:{self.session_key or ''}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def manages_org(self) -> bool:
        return self.role == Role.PARTNER and self.is_org_manager

    def __repr__(self) -> str:
        return f"<User {self.email}>"


BROWSER_MAX = 80


class UserSession(Model):
    """A logged-in browser. Its cookies carry a random key; only the key's SHA-256 hash is kept.

    Logging out deletes the row, which refuses copies of that browser's cookies.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser: Mapped[str] = mapped_column(String(BROWSER_MAX), default="")  # "Firefox on Linux"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    is_org_manager: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped[User | None] = relationship()


class PasswordReset(Model):
    """A password-reset link: only the SHA-256 hash of its token is kept; used once, expires."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


DOMAIN_MAX = 253


class EmailDomain(Model):
    """An e-mail domain that belongs to one partner organisation (`northgate.example` → Northgate).

    Single sign-on admits a first sign-in from a mapped domain into that organisation, and the
    editor's inbox links a sender's e-mail to it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(DOMAIN_MAX), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    sso_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

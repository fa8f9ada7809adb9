"""The requirement board: products, topics, requirements, votes, comments, status history."""

import enum
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import SanitisedHTML, utcnow
from portal.extensions import Model, db
from portal.models.accounts import LabelledEnum, Organisation, User, str_enum

TITLE_MAX = 160
BODY_MAX = 20_000
COMMENT_MAX = 10_000


class Status(LabelledEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    DECLINED = "declined"
    SHIPPED = "shipped"
    MERGED = "merged"


# Statuses a vendor user may set (merging has its own action).
VENDOR_STATUSES = [Status.UNDER_REVIEW, Status.PLANNED, Status.DECLINED, Status.SHIPPED]


class Importance(enum.IntEnum):
    """A vote's importance; the value is its weight in the score."""

    NICE_TO_HAVE = 1
    IMPORTANT = 3
    SHOWSTOPPER = 9

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @classmethod
    def from_key(cls, key: str) -> "Importance":
        return cls[key.upper()]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.key, m.label) for m in cls]


class ImportanceType(TypeDecorator):
    """Importance stored as its weight (1, 3, 9) so SQL can take MAX and SUM directly."""

    impl = SmallInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Importance(value)


class VoteConsent(LabelledEnum):
    ANONYMOUS = "anonymous"
    NAMED_TO_VENDOR = "named_to_vendor"

    @property
    def label(self) -> str:
        return {
            "anonymous": "Anonymous: count our vote, do not show our name",
            "named_to_vendor": "Named: the vendor may see our organisation's name",
        }[self.value]


class QuoteConsent(LabelledEnum):
    NO = "no"
    ANONYMOUS = "anonymous"
    ON_RECORD = "on_record"

    @property
    def label(self) -> str:
        return {
            "no": "Not quotable",
            "anonymous": "Quotable without our name",
            "on_record": "Quotable with our organisation's name",
        }[self.value]


requirement_topic = Table(
    "requirement_topic",
    db.metadata,
    Column("requirement_id", ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Product(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class Topic(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Requirement(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup] = mapped_column(SanitisedHTML)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.OPEN, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement.id", ondelete="SET NULL")
    )
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[Markup] = mapped_column(SanitisedHTML, default=Markup(""))
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    edited_at: Mapped[datetime | None]
    # Kept aggregates, recomputed by SQL in the same transaction as every vote change.
    vote_count: Mapped[int] = mapped_column(default=0)
    org_count: Mapped[int] = mapped_column(default=0)
    showstopper_org_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[int] = mapped_column(default=0, index=True)
    nice_to_have_votes: Mapped[int] = mapped_column(default=0)
    important_votes: Mapped[int] = mapped_column(default=0)
    showstopper_votes: Mapped[int] = mapped_column(default=0)
    # Released revenue at stake as everyone but its contributors may see it (NULL: suppressed),
    # kept by portal.privacy with the released cells, for sorting the board.
    revenue_shown: Mapped[Decimal | None] = mapped_column(Numeric(20, 2), index=True)

    product: Mapped[Product] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=requirement_topic, order_by=Topic.name)
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])
    merged_into: Mapped["Requirement | None"] = relationship(remote_side=[id])

    __table_args__ = (
        Index("ix_requirement_status_score", "status", "score"),
        Index("ix_requirement_status_votes", "status", "vote_count"),
    )

    @property
    def importance_mix(self) -> dict[Importance, int]:
        return {
            Importance.NICE_TO_HAVE: self.nice_to_have_votes,
            Importance.IMPORTANT: self.important_votes,
            Importance.SHOWSTOPPER: self.showstopper_votes,
        }


class Vote(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    importance: Mapped[Importance] = mapped_column(ImportanceType())
    revenue_at_stake: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    consent: Mapped[VoteConsent] = mapped_column(
        str_enum(VoteConsent), default=VoteConsent.ANONYMOUS
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        UniqueConstraint("requirement_id", "user_id"),
        Index("ix_vote_requirement_org", "requirement_id", "organisation_id", "importance"),
        # Covering indexes for the privacy module's revenue sums and the segment breakdowns.
        Index(
            "ix_vote_revenue", "requirement_id", "organisation_id", "currency", "revenue_at_stake"
        ),
        Index("ix_vote_org_requirement", "organisation_id", "requirement_id", "importance"),
    )


class Comment(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Markup] = mapped_column(SanitisedHTML)
    quotable: Mapped[QuoteConsent] = mapped_column(str_enum(QuoteConsent), default=QuoteConsent.NO)
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    author: Mapped[User | None] = relationship()


class StatusChange(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    old_status: Mapped[Status] = mapped_column(str_enum(Status))
    new_status: Mapped[Status] = mapped_column(str_enum(Status))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class Revision(Model):
    """The text a requirement or comment had before an edit (edits are kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Model):
    """An e-mail notification; sent by SMTP when MAIL_SERVER is set, otherwise kept here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str] = mapped_column(Text, default="")

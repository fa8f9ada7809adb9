"""The editor's inbox: imported e-mails, and what was recorded from them for an organisation."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import utcnow
from portal.extensions import Model
from portal.models.accounts import LabelledEnum, Organisation, User, str_enum
from portal.models.board import Comment, Requirement, Vote


class InboxStatus(LabelledEnum):
    NEW = "new"
    RECORDED = "recorded"
    ARCHIVED = "archived"
    SPAM = "spam"


class RecordKind(LabelledEnum):
    REQUIREMENT = "requirement"
    VOTE = "vote"
    COMMENT = "comment"


class InboxItem(Model):
    """One imported e-mail (one per Message-ID), filed under the sender's organisation if known."""

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    in_reply_to: Mapped[str] = mapped_column(String(500), default="")
    from_email: Mapped[str] = mapped_column(String(254))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    body: Mapped[str] = mapped_column(Text)
    # [{"name", "content_type", "size"}]: listed, not stored.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[InboxStatus] = mapped_column(
        str_enum(InboxStatus), default=InboxStatus.NEW, index=True
    )
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    replied_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship()


class OnBehalfRecord(Model):
    """A requirement, vote or comment the editor recorded for an organisation from an e-mail.

    The vote or comment itself belongs to the organisation's stand-in user (see
    `portal.inbox.services.stand_in`); this row says where it came from and who recorded it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_item.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RecordKind] = mapped_column(str_enum(RecordKind))
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    item: Mapped[InboxItem] = relationship()
    organisation: Mapped[Organisation] = relationship()
    requirement: Mapped[Requirement] = relationship()
    vote: Mapped[Vote | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

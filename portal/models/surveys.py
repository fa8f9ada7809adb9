"""Editor surveys: questions with choices, one response per user, answers, and published briefs."""

import enum
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import SanitisedHTML, utcnow
from portal.extensions import Model, db
from portal.models.accounts import LabelledEnum, Organisation, User, str_enum
from portal.models.board import Product, QuoteConsent, Requirement

PROMPT_MAX = 500
CHOICE_MAX = 200
TEXT_ANSWER_MAX = 5_000


class SurveyStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionKind(LabelledEnum):
    SINGLE = "single"
    MULTI = "multi"
    SCALE = "scale"
    TEXT = "text"

    @property
    def label(self) -> str:
        return {
            "single": "Single choice",
            "multi": "Multiple choice",
            "scale": "Scale 1–5",
            "text": "Free text",
        }[self.value]


class BriefKind(enum.StrEnum):
    SURVEY = "survey"
    BOARD = "board"


survey_requirement = db.Table(
    "survey_requirement",
    db.metadata,
    db.Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    db.Column("requirement_id", ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True),
)


class Survey(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    intro_html: Mapped[Markup] = mapped_column(SanitisedHTML, default=Markup(""))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus), default=SurveyStatus.DRAFT, index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product | None] = relationship()
    editor: Mapped[User | None] = relationship()
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )
    requirements: Mapped[list[Requirement]] = relationship(
        secondary=survey_requirement, order_by=Requirement.score.desc()
    )


class Question(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    prompt: Mapped[str] = mapped_column(String(PROMPT_MAX))
    required: Mapped[bool] = mapped_column(default=True)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(CHOICE_MAX))

    question: Mapped[Question] = relationship(back_populates="choices")


class Response(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)


class Answer(Model):
    """One answer: a chosen choice (one row per choice for multiple choice), a scale or a text."""

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("choice.id", ondelete="CASCADE"))
    scale_value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    quotable: Mapped[QuoteConsent] = mapped_column(str_enum(QuoteConsent), default=QuoteConsent.NO)

    response: Mapped[Response] = relationship(back_populates="answers")

    __table_args__ = (
        Index("ix_answer_question_choice", "question_id", "choice_id"),
        Index("ix_answer_response", "response_id", "question_id"),
    )


class Brief(Model):
    """A frozen, public, aggregates-only snapshot of a report, at /briefs/<slug>."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

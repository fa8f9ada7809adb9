"""What the landing pages and the health check need to know: the health check, and the home
page's to-dos per role. Every to-do is one aggregate or limited query."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from portal import privacy
from portal.access import (
    can_administer,
    can_manage_org,
    can_respond,
    can_run_surveys,
    can_take_part,
)
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Brief,
    Invitation,
    OutboxMessage,
    Requirement,
    Response,
    Status,
    StatusChange,
    Survey,
    SurveyStatus,
    User,
    Vote,
)
from portal.surveys import services as surveys

LIST_LIMIT = 5
NEWS_DAYS = 30
CLOSING_SOON_DAYS = 7
NEW_REQUIREMENTS_DAYS = 7


def database_answers() -> bool:
    """Whether the database answers a trivial query; a failed one is rolled back."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def _accepting_now(now: datetime) -> Any:
    """SQL: the survey is open and inside its dates (as `surveys.services.accepting`)."""
    return (
        (Survey.status == SurveyStatus.OPEN)
        & (Survey.opens_at.is_(None) | (Survey.opens_at <= now))
        & (Survey.closes_at.is_(None) | (Survey.closes_at > now))
    )


def _by_closing(query: Select) -> Select:
    """Surveys that close first come first; those without a closing date last."""
    return query.order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id)


def surveys_to_answer(user: User, now: datetime, limit: int = LIST_LIMIT) -> list[Survey]:
    """Open surveys the user has not answered, closing first first."""
    answered = select(Response.survey_id).where(Response.user_id == user.id)
    query = select(Survey).where(_accepting_now(now), Survey.id.not_in(answered))
    return list(db.session.scalars(_by_closing(query).limit(limit)))


def news_on_voted(user: User, since: datetime, limit: int = 10) -> list[Row]:
    """Status changes and official responses since `since` on requirements the user's
    organisation voted on, newest first: rows of (change, requirement title)."""
    voted = select(Vote.requirement_id).where(Vote.organisation_id == user.organisation_id)
    query = (
        select(StatusChange, Requirement.title)
        .join(Requirement, Requirement.id == StatusChange.requirement_id)
        .where(StatusChange.requirement_id.in_(voted), StatusChange.created_at >= since)
        .order_by(StatusChange.created_at.desc(), StatusChange.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query))


def missing_revenue_year(user: User, now: datetime) -> int | None:
    """The last fiscal year when an org manager's organisation has no revenue profile for it."""
    if not can_manage_org(user) or user.organisation is None:
        return None
    year = now.year - 1
    years = {p.fiscal_year for p in privacy.own_revenue_profiles(user, user.organisation)}
    return None if year in years else year


def _editor_todos(now: datetime) -> dict[str, Any]:
    open_surveys = list(
        db.session.scalars(
            _by_closing(select(Survey).where(Survey.status == SurveyStatus.OPEN)).limit(10)
        )
    )
    soon = now + timedelta(days=CLOSING_SOON_DAYS)
    drafts = select(Survey).where(Survey.status == SurveyStatus.DRAFT)
    briefs = select(Brief).order_by(Brief.created_at.desc(), Brief.id.desc())
    return {
        "open_surveys": open_surveys,
        "closing_soon": [s for s in open_surveys if s.closes_at and now < s.closes_at <= soon],
        "responses": surveys.response_counts([s.id for s in open_surveys]),
        "drafts": list(
            db.session.scalars(drafts.order_by(Survey.created_at.desc()).limit(LIST_LIMIT))
        ),
        "briefs": list(db.session.scalars(briefs.limit(LIST_LIMIT))),
    }


def _vendor_todos(now: datetime) -> dict[str, Any]:
    since = now - timedelta(days=NEW_REQUIREMENTS_DAYS)
    new = select(Requirement).where(
        Requirement.created_at >= since, Requirement.status != Status.MERGED
    )
    unanswered = (
        select(Requirement)
        .where(
            Requirement.response == "",
            Requirement.status.not_in([Status.MERGED, Status.SHIPPED, Status.DECLINED]),
        )
        .order_by(Requirement.score.desc(), Requirement.id.desc())
    )
    count = select(func.count()).select_from
    return {
        "new_count": db.session.scalar(count(new.subquery())) or 0,
        "new_requirements": list(
            db.session.scalars(new.order_by(Requirement.created_at.desc()).limit(LIST_LIMIT))
        ),
        "unanswered_count": db.session.scalar(count(unanswered.subquery())) or 0,
        "unanswered": list(db.session.scalars(unanswered.limit(10))),
    }


def _admin_todos(now: datetime) -> dict[str, Any]:
    pending = select(Invitation).where(Invitation.used_at.is_(None), Invitation.expires_at > now)
    failed = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.error != "")
    count = select(func.count()).select_from
    recent = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(8)
    )
    return {
        "pending_count": db.session.scalar(count(pending.subquery())) or 0,
        "pending": list(
            db.session.scalars(
                pending.options(selectinload(Invitation.organisation))
                .order_by(Invitation.created_at.desc())
                .limit(LIST_LIMIT)
            )
        ),
        "failed_count": db.session.scalar(count(failed.subquery())) or 0,
        "failed": list(db.session.scalars(failed.order_by(OutboxMessage.id.desc()).limit(3))),
        "recent_audit": list(db.session.scalars(recent)),
    }


def home_todos(user: User, now: datetime | None = None) -> dict[str, Any]:
    """The to-dos on a signed-in user's home page, by role."""
    now = now or utcnow()
    if can_take_part(user):
        return {
            "surveys": surveys_to_answer(user, now),
            "news": news_on_voted(user, now - timedelta(days=NEWS_DAYS)),
            "news_days": NEWS_DAYS,
            "missing_revenue_year": missing_revenue_year(user, now),
        }
    if can_administer(user):
        return _admin_todos(now)
    if can_run_surveys(user):
        return _editor_todos(now)
    if can_respond(user):
        return _vendor_todos(now)
    return {}

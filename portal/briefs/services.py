"""Briefs: frozen, public, aggregates-only snapshots of a survey report or the board's top list."""

from sqlalchemy import select

from portal import audit, privacy
from portal.access import can_run_surveys
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Brief, BriefKind, Requirement, Status, Survey, User
from portal.surveys import release
from portal.surveys.report import shown_dict
from portal.webhooks import services as webhooks

BOARD_TOP = 10


def _check(editor: User, slug: str) -> None:
    if not can_run_surveys(editor):
        raise ServiceError("Only the editor publishes briefs.")
    if db.session.scalar(select(Brief.id).where(Brief.slug == slug)):
        raise ServiceError(f"The address /briefs/{slug} is already taken; choose another.", "slug")


def _publish(editor: User, slug: str, title: str, kind: BriefKind, snapshot, survey=None) -> Brief:
    _check(editor, slug)
    brief = Brief(
        slug=slug,
        title=title.strip(),
        kind=kind.value,
        survey_id=survey.id if survey else None,
        snapshot=snapshot,
        created_by_id=editor.id,
    )
    db.session.add(brief)
    audit.record(editor, "brief.publish", slug, kind=kind.value)
    webhooks.emit("brief.published", webhooks.brief_data(brief))
    db.session.commit()
    return brief


def publish_survey_brief(editor: User, survey: Survey, slug: str, title: str) -> Brief:
    """Freeze the survey's released report (no quotes, no names) at /briefs/<slug>.

    Never the live report: a brief published after each answer would be the tracker again.
    """
    snapshot = release.released_report(survey)
    if snapshot is None:
        raise ServiceError(
            "This survey has no released results yet: its report is released once "
            f"{privacy.threshold()} organisations have answered. Publish the brief after that."
        )
    return _publish(editor, slug, title, BriefKind.SURVEY, release.without_quotes(snapshot), survey)


def board_snapshot() -> dict:
    """The board's top requirements with their headline numbers, revenue through privacy."""
    top = db.session.scalars(
        select(Requirement)
        .where(Requirement.status != Status.MERGED)
        .order_by(Requirement.score.desc(), Requirement.id)
        .limit(BOARD_TOP)
    ).all()
    revenue = privacy.revenue_at_stake_for([r.id for r in top])
    return {
        "generated_at": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "min_orgs": privacy.threshold(),
        "requirements": [
            {
                "rank": rank,
                "title": r.title,
                "product": r.product.name,
                "status": r.status.label,
                "votes": r.vote_count,
                "organisations": r.org_count,
                "showstopper_organisations": r.showstopper_org_count,
                "score": r.score,
                "mix": [r.nice_to_have_votes, r.important_votes, r.showstopper_votes],
                "revenue": shown_dict(revenue[r.id]),
            }
            for rank, r in enumerate(top, 1)
        ],
    }


def publish_board_brief(editor: User, slug: str, title: str) -> Brief:
    return _publish(editor, slug, title, BriefKind.BOARD, board_snapshot())


def get_brief(slug: str) -> Brief:
    return db.first_or_404(select(Brief).where(Brief.slug == slug))


def unpublish(editor: User, brief: Brief) -> None:
    """Remove a brief: its address answers 404 from now on."""
    if not can_run_surveys(editor):
        raise ServiceError("Only the editor unpublishes briefs.")
    audit.record(editor, "brief.unpublish", brief.slug)
    db.session.delete(brief)
    db.session.commit()


def for_survey(survey: Survey) -> list[Brief]:
    return list(db.session.scalars(select(Brief).where(Brief.survey_id == survey.id)))


def all_briefs() -> list[Brief]:
    return list(db.session.scalars(select(Brief).order_by(Brief.created_at.desc())))

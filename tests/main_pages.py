"""The main pages as each demo role sees them: the URLs and the demo ids they need.

Shared by the HTML validity test and the browser tests (phones, accessibility).
"""

from portal.briefs import services as briefs
from portal.extensions import db
from portal.models import InboxItem, Organisation, Question, Requirement, Survey, SurveyStatus, User
from portal.seed.demo import seed_demo
from portal.surveys import services as surveys
from portal.webhooks import services as webhooks

ANONYMOUS_PAGES = ["/", "/auth/login", "/briefs/top", "/briefs/survey"]
PAGES = {
    "partner@example.com": [
        "/",
        "/requirements",
        "/requirements/{requirement}",
        "/requirements/new",
        "/surveys",
        "/surveys/{open_survey}",
        "/org/",
        "/org/invite",
        "/org/revenue",
        "/org/revenue/import",
        "/auth/settings",
        "/auth/password",
    ],
    "editor@example.com": [
        "/requirements/{requirement}",
        "/surveys",
        "/surveys/new",
        "/surveys/{closed_survey}",
        "/surveys/{closed_survey}/report",
        "/surveys/{draft}",
        "/surveys/{draft}/questions/{draft_question}",
        "/briefs",
        "/inbox/",
        "/inbox/import",
        "/inbox/{inbox_item}",
    ],
    "vendor@example.com": [
        "/reports/vendor",
        "/requirements",
        "/requirements/{requirement}",
        "/api-tokens",
        "/webhooks",
        "/webhooks/{webhook}",
        "/webhooks/{webhook}/delete",
    ],
    "admin@example.com": [
        "/admin/",
        "/admin/organisations",
        "/admin/organisations/new",
        "/admin/organisations/{organisation}",
        "/admin/organisations/{organisation}/revenue",
        "/admin/users",
        "/admin/users/{user}",
        "/admin/users/invite",
        "/admin/audit",
        "/admin/products",
        "/admin/products/new",
        "/admin/topics",
        "/admin/outbox",
        "/admin/exchange-rates",
        "/requirements/{requirement}",
    ],
}


def demo_ids() -> dict[str, int]:
    """Seeds the demo, publishes two briefs and a draft survey; returns the ids the pages need."""
    seed_demo()
    editor = db.session.scalar(db.select(User).filter_by(email="editor@example.com"))
    closed = db.session.scalar(db.select(Survey).filter_by(status=SurveyStatus.CLOSED))
    assert editor and closed
    briefs.publish_board_brief(editor, "top", "Top requirements")
    briefs.publish_survey_brief(editor, closed, "survey", "Survey brief")
    draft = surveys.duplicate_survey(editor, closed)
    vendor = db.session.scalar(db.select(User).filter_by(email="vendor@example.com"))
    webhook, _ = webhooks.create_endpoint(vendor, "http://127.0.0.1:9/hook", list(webhooks.EVENTS))
    webhooks.send_test(vendor, webhook)
    return {
        "requirement": db.session.scalar(db.select(Requirement.id).order_by(Requirement.id)),
        "open_survey": db.session.scalar(db.select(Survey.id).filter_by(status=SurveyStatus.OPEN)),
        "closed_survey": closed.id,
        "draft": draft.id,
        "draft_question": db.session.scalar(
            db.select(Question.id).filter_by(survey_id=draft.id).order_by(Question.id)
        ),
        "organisation": db.session.scalar(db.select(Organisation.id).order_by(Organisation.id)),
        "user": db.session.scalar(db.select(User.id).order_by(User.id)),
        "webhook": webhook.id,
        "inbox_item": db.session.scalar(db.select(InboxItem.id).order_by(InboxItem.id)),
    }


def main_pages(ids: dict[str, int]) -> list[tuple[str | None, list[str]]]:
    """(demo e-mail or None for a visitor, [URLs]) with the ids filled in."""
    return [
        (email, [url.format(**ids) for url in urls])
        for email, urls in [(None, ANONYMOUS_PAGES), *PAGES.items()]
    ]

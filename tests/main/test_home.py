"""The home page: each role's to-dos."""

from datetime import timedelta
from decimal import Decimal

from portal.board import services as board_services
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Brief,
    Importance,
    Invitation,
    OutboxMessage,
    Requirement,
    Response,
    RevenueProfile,
    Role,
    Status,
    Survey,
    SurveyStatus,
    User,
    VoteConsent,
)
from tests.conftest import login


def add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def home(client, user) -> str:
    login(client, user.email)
    return client.get("/").get_data(as_text=True)


def test_home_says_welcome_once(client, make):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    html = client.get("/").get_data(as_text=True)
    assert html.count("Welcome") == 1


def test_partner_sees_open_surveys_not_yet_answered(app, client, make):
    partner = make.user(Role.PARTNER)
    closes = utcnow() + timedelta(days=10)
    open_id, answered_id, _, _ = add(
        app,
        Survey(title="Open and unanswered", status=SurveyStatus.OPEN, closes_at=closes),
        Survey(title="Open but answered", status=SurveyStatus.OPEN),
        Survey(title="Still a draft", status=SurveyStatus.DRAFT),
        Survey(title="Already closed", status=SurveyStatus.CLOSED),
    )
    add(
        app,
        Response(
            survey_id=answered_id, user_id=partner.id, organisation_id=partner.organisation_id
        ),
    )
    html = home(client, partner)
    assert "Open and unanswered" in html and f"closes {closes:%Y-%m-%d}" in html
    for title in ("Open but answered", "Still a draft", "Already closed"):
        assert title not in html


def test_partner_sees_responses_on_what_their_organisation_voted_for(
    app, client, make, make_requirement
):
    partner = make.user(Role.PARTNER)
    outsider = make.user(Role.PARTNER)
    voted = make_requirement("We voted on this")
    not_voted = make_requirement("Nobody here voted")
    with app.app_context():
        user = db.session.get(User, partner.id)
        board_services.cast_vote(
            user, voted, Importance.IMPORTANT, VoteConsent.ANONYMOUS, None, None
        )
        other = db.session.get(User, outsider.id)
        board_services.cast_vote(
            other, not_voted, Importance.IMPORTANT, VoteConsent.ANONYMOUS, None, None
        )
        vendor = db.session.get(User, make.user(Role.VENDOR).id)
        for rid in (voted, not_voted):
            board_services.set_status(
                vendor, db.session.get(Requirement, rid), Status.PLANNED, "Coming soon."
            )
    html = home(client, partner)
    assert "We voted on this" in html and "Planned" in html
    assert "Nobody here voted" not in html


def test_org_manager_is_reminded_of_missing_revenue_figures(app, client, make):
    manager = make.user(Role.PARTNER, is_org_manager=True)
    last_year = utcnow().year - 1
    assert f"Revenue figures for {last_year}" in home(client, manager)
    add(
        app,
        RevenueProfile(
            organisation_id=manager.organisation_id,
            fiscal_year=last_year,
            currency="USD",
            total_revenue=Decimal(1),
            cloud_revenue=Decimal(1),
            customers=1,
            seats=1,
        ),
    )
    assert f"Revenue figures for {last_year}" not in client.get("/").get_data(as_text=True)


def test_plain_partner_gets_no_revenue_reminder(client, make):
    assert "Revenue figures for" not in home(client, make.user(Role.PARTNER))


def test_editor_sees_response_counts_drafts_closing_soon_and_briefs(app, client, make):
    editor = make.user(Role.EDITOR)
    partners = [make.user(Role.PARTNER) for _ in range(3)]
    soon, later = utcnow() + timedelta(days=2), utcnow() + timedelta(days=40)
    closing_id, later_id, _ = add(
        app,
        Survey(title="Closing soon", status=SurveyStatus.OPEN, closes_at=soon),
        Survey(title="Closing later", status=SurveyStatus.OPEN, closes_at=later),
        Survey(title="A draft survey", status=SurveyStatus.DRAFT),
    )
    add(
        app,
        *(
            Response(survey_id=closing_id, user_id=p.id, organisation_id=p.organisation_id)
            for p in partners
        ),
        Brief(slug="a-brief", title="A published brief", kind="board", snapshot={}),
    )
    html = home(client, editor)
    assert "<strong>3</strong> responses" in html and "<strong>0</strong> responses" in html
    closing = html[html.index("Closing within a week") : html.index("Drafts")]
    assert "Closing soon" in closing and "Closing later" not in closing
    assert "A draft survey" in html and "A published brief" in html


def test_vendor_sees_new_and_unanswered_requirements_by_score(app, client, make, make_requirement):
    vendor = make.user(Role.VENDOR)
    low, high, answered = (make_requirement(t) for t in ("Low score", "High score", "Answered"))
    with app.app_context():
        db.session.get(Requirement, high).score = 50
        db.session.get(Requirement, low).score = 5
        old = db.session.get(Requirement, low)
        old.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
        board_services.set_status(
            db.session.get(User, vendor.id),
            db.session.get(Requirement, answered),
            Status.PLANNED,
            "Yes.",
        )
    html = home(client, vendor)
    waiting = html[html.index("Waiting for an official response") : html.index("New this week")]
    assert waiting.index("High score") < waiting.index("Low score")
    assert "Answered" not in waiting
    new = html[html.index("New this week") :]
    assert "High score" in new and "Low score" not in new
    assert "/reports/vendor" in new


def test_admin_sees_pending_invitations_failed_mail_and_recent_audit(app, client, make):
    admin = make.user(Role.ADMIN)
    later = utcnow() + timedelta(days=3)
    add(
        app,
        Invitation(
            email="waiting@example.com", role=Role.EDITOR, token_hash="a" * 64, expires_at=later
        ),
        Invitation(
            email="expired@example.com",
            role=Role.EDITOR,
            token_hash="b" * 64,
            expires_at=utcnow() - timedelta(days=1),
        ),
        OutboxMessage(
            to_email="x@example.com", subject="Bounced note", body="", error="550 no such user"
        ),
        OutboxMessage(to_email="y@example.com", subject="Queued note", body=""),
        AuditEvent(actor_id=admin.id, action="organisation.update", target="acme"),
    )
    html = home(client, admin)
    assert "waiting@example.com" in html and "expired@example.com" not in html
    assert "Bounced note" in html and "550 no such user" in html and "Queued note" not in html
    assert "organisation.update" in html

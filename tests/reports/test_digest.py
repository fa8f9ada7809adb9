"""The weekly digest for vendor users who opt in."""

from datetime import timedelta

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxMessage, Role, User
from portal.reports.digest import send_digests
from tests.conftest import login, post_form


def test_opted_in_vendor_users_get_one_digest_a_week(ctx, make, board):
    keen = make.user(Role.VENDOR, email="keen@example.com", weekly_digest=True)
    make.user(Role.VENDOR, email="quiet@example.com")
    assert send_digests() == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.to_email == "keen@example.com"
    assert "Partner billing for BPOS" in message.body and "New requirements:" in message.body
    assert send_digests() == 0  # already sent this week
    later = utcnow() + timedelta(days=7, minutes=1)
    assert send_digests(later) == 0  # nothing changed in the following week
    assert db.session.get(User, keen.id).digest_sent_at is not None


def test_only_vendor_users_can_opt_in(app, client, make):
    partner = make.user(Role.PARTNER)
    login(client, partner.email)
    post_form(client, "/auth/settings", {"notify": "y", "weekly_digest": "y"})
    with app.app_context():
        assert db.session.get(User, partner.id).weekly_digest is False


def test_send_digests_command(runner, make, board):
    make.user(Role.VENDOR, weekly_digest=True)
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0 and "Queued 1 digest(s)." in result.output

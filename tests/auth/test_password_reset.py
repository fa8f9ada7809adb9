"""Setting a new password through an e-mailed link: random, stored hashed, used once, expiring."""

import hashlib
import re
from datetime import timedelta

import pytest

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, PasswordReset, User
from tests.conftest import PASSWORD, login, post_form

NEW_PASSWORD = "a-brand-new-password"
LINK = re.compile(r"http://localhost(/auth/reset/[\w-]+)")
SENT = "If an account exists for that address, we have sent it a link"


def ask_for_reset(client, email: str):
    return post_form(client, "/auth/reset", {"email": email})


def reset_path(app, email: str) -> str:
    """The path of the link in the newest reset e-mail to this address."""
    with app.app_context():
        message = db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.to_email == email)
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no e-mail to {email}"
        return LINK.search(message.body).group(1)


def set_password(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    data = {"new_password": password, "confirm": confirm or password}
    return post_form(client, path, data, form_page="/auth/reset")  # the session's CSRF token


def can_log_in(app, email: str, password: str) -> bool:
    data = {"email": email, "password": password}
    return post_form(app.test_client(), "/auth/login", data).status_code == 302


def test_log_in_page_links_to_the_reset(client):
    assert 'href="/auth/reset"' in client.get("/auth/login").get_data(as_text=True)


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(app, client, make):
    user = make.user()
    known = ask_for_reset(client, user.email)
    unknown = ask_for_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert SENT in known.get_data(as_text=True)
    with app.app_context():
        assert list(db.session.scalars(db.select(OutboxMessage.to_email))) == [user.email]


def test_reset_end_to_end_logs_out_every_session_and_is_audited(app, client, make):
    user = make.user()
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    ask_for_reset(client, "  " + user.email.upper())
    path = reset_path(app, user.email)
    page = client.get(path)
    assert page.status_code == 200 and "Set a new password" in page.get_data(as_text=True)
    response = set_password(client, path)
    assert response.headers["Location"] == "/auth/login"
    assert "Your new password is set" in client.get("/auth/login").get_data(as_text=True)
    assert can_log_in(app, user.email, NEW_PASSWORD)
    assert not can_log_in(app, user.email, PASSWORD)
    assert elsewhere.get("/auth/settings").status_code == 302
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent))
        assert (event.action, event.target, event.actor_id) == (
            "user.password_reset",
            user.email,
            user.id,
        )


def test_reset_token_is_random_and_only_its_hash_is_stored(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    ask_for_reset(client, user.email)
    with app.app_context():
        first, second = (
            LINK.search(m.body).group(1).rsplit("/", 1)[1]
            for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        )
        stored = set(db.session.scalars(db.select(PasswordReset.token_hash)))
    assert first != second and len(first) >= 40
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (first, second)}


def test_reset_link_works_once(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    path = reset_path(app, user.email)
    set_password(client, path)
    again = set_password(app.test_client(), path, "yet-another-password")
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert can_log_in(app, user.email, NEW_PASSWORD)


def test_setting_the_password_retires_the_accounts_other_links(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    older = reset_path(app, user.email)
    ask_for_reset(client, user.email)
    set_password(client, reset_path(app, user.email))
    assert client.get(older).status_code == 410


def test_expired_reset_link_is_refused(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    path = reset_path(app, user.email)
    with app.app_context():
        db.session.execute(
            db.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    response = set_password(client, path)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "has expired" in html and 'href="/auth/reset"' in html
    assert can_log_in(app, user.email, PASSWORD)


def test_reset_links_last_as_configured(app, client, make):
    user = make.user()
    app.config["PASSWORD_RESET_MINUTES"] = 5
    try:
        ask_for_reset(client, user.email)
    finally:
        app.config["PASSWORD_RESET_MINUTES"] = 60
    with app.app_context():
        reset = db.session.scalar(db.select(PasswordReset))
        assert timedelta(minutes=4) < reset.expires_at - utcnow() <= timedelta(minutes=5)
        assert "within 5 minutes" in db.session.scalar(db.select(OutboxMessage.body))


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 300])
def test_unknown_reset_token_gets_a_clear_page(client, token):
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_bad_new_password_is_explained_and_keeps_the_link(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    path = reset_path(app, user.email)
    short = set_password(client, path, "short")
    assert short.status_code == 200
    assert "between 10 and 128" in short.get_data(as_text=True)
    mismatch = set_password(client, path, NEW_PASSWORD, "something-else-entirely")
    assert "do not match" in mismatch.get_data(as_text=True)
    assert set_password(client, path).status_code == 302


def test_disabled_account_gets_no_reset_mail_and_its_links_stop(app, client, make):
    user = make.user()
    ask_for_reset(client, user.email)
    path = reset_path(app, user.email)
    with app.app_context():
        db.session.execute(db.update(User).values(active=False))
        db.session.commit()
    assert ask_for_reset(client, user.email).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
    refused = client.get(path)
    assert refused.status_code == 410 and "disabled" in refused.get_data(as_text=True)

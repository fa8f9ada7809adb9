"""Sign-up through invitation links, and password changes."""

from datetime import timedelta

import pytest

from portal.auth import services
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Invitation, OutboxMessage, Role, User
from tests.conftest import PASSWORD, login, post_form

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def invitation(app, make):
    """An admin's invitation to a partner organisation: (token, organisation id)."""
    admin = make.user(Role.ADMIN)
    org = make.org()
    with app.app_context():
        _, token = services.create_invitation(
            db.session.get(User, admin.id),
            "New.Person@Example.com",
            Role.PARTNER,
            db.session.get(type(org), org.id),
        )
    return token, org.id


def register(client, token, name="New Person", password=NEW_PASSWORD, confirm=None):
    data = {"display_name": name, "password": password, "confirm": confirm or password}
    return post_form(client, f"/auth/register/{token}", data)


def count_users(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(User.id)))


def test_invitation_link_creates_the_account_and_logs_in(app, client, invitation):
    token, org_id = invitation
    page = client.get(f"/auth/register/{token}").get_data(as_text=True)
    assert "new.person@example.com" in page
    response = register(client, token)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new.person@example.com"))
        assert user.organisation_id == org_id and user.role == Role.PARTNER
    assert "New Person" in client.get("/").get_data(as_text=True)


def test_used_invitation_gets_a_clear_page(app, client, invitation):
    token, _ = invitation
    register(client, token)
    other = app.test_client()
    response = other.get(f"/auth/register/{token}")
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)


def test_expired_invitation_gets_a_clear_page(app, client, invitation):
    token, _ = invitation
    with app.app_context():
        db.session.execute(db.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    response = client.get(f"/auth/register/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_unknown_token_gets_a_clear_page(client):
    response = client.get("/auth/register/not-a-real-token")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "password", "confirm", "message"),
    [
        ("x" * 121, NEW_PASSWORD, None, "at most 120"),
        ("", NEW_PASSWORD, None, "This field is required"),
        ("Ok Name", "short", None, "between 10 and 128"),
        ("Ok Name", NEW_PASSWORD, "different-password", "do not match"),
    ],
)
def test_bad_sign_up_input_is_explained_and_writes_nothing(
    app, client, invitation, name, password, confirm, message
):
    token, _ = invitation
    before = count_users(app)
    response = register(client, token, name, password, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_users(app) == before


def test_inviting_an_existing_address_in_another_case_mails_a_log_in_and_creates_nothing(ctx, make):
    admin = make.user(Role.ADMIN)
    make.user(email="alice@x.com")
    org = make.org()
    _, token = services.create_invitation(
        db.session.get(User, admin.id),
        "Alice@X.com",
        Role.PARTNER,
        db.session.get(type(org), org.id),
    )
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.to_email == "alice@x.com"
    assert "You already have an account" in message.body and token not in message.body
    with pytest.raises(ServiceError, match="already an account"):
        services.register(token, "Second Alice", NEW_PASSWORD)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # the admin and Alice


def test_an_invitation_cannot_be_claimed_twice(ctx, invitation):
    token, _ = invitation
    services.register(token, "First", NEW_PASSWORD)
    with pytest.raises(ServiceError, match="already been used"):
        services.register(token, "Second", NEW_PASSWORD)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2  # the admin and First


def test_change_password_checks_the_current_one(app, client, make):
    user = make.user()
    login(client, user.email)
    wrong = post_form(
        client,
        "/auth/password",
        {
            "current_password": "not-my-password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert "The current password is not right." in wrong.get_data(as_text=True)
    ok = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    fresh = app.test_client()
    login(fresh, user.email, NEW_PASSWORD)

"""Logging in and out."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, User
from tests.conftest import PASSWORD, csrf_token, login, post_form


def test_login_with_right_password_redirects_home(client, make):
    user = make.user()
    response = login(client, user.email)
    assert response.headers["Location"] == "/"
    assert f"Welcome back, {user.display_name}" in client.get("/").get_data(as_text=True)


def test_login_ignores_email_case_and_spaces(client, make):
    user = make.user(email="alice@example.com")
    response = post_form(
        client, "/auth/login", {"email": "  Alice@EXAMPLE.com ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert user.email == "alice@example.com"


@pytest.mark.parametrize(
    ("email", "password"),
    [("user@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_password_or_unknown_email_gets_one_clear_message(client, make, email, password):
    make.user(email="user@example.com")
    response = post_form(client, "/auth/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(client, make):
    user = make.user(active=False)
    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "This account has been disabled" in response.get_data(as_text=True)


def test_disabled_account_is_logged_out_on_next_request(app, client, make):
    user = make.user()
    login(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/org/").status_code == 302


def test_empty_form_shows_errors_beside_fields(client):
    response = post_form(client, "/auth/login", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="field-error"') == 2


def test_post_without_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/org/", "/org/"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_this_site(client, make, next_url, expected):
    user = make.user()
    url = "/auth/login?" + f"next={next_url}"
    response = post_form(client, url, {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_remember_me_sets_a_long_lived_cookie(client, make):
    user = make.user()
    post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_logout_needs_a_post_with_csrf(client, make):
    user = make.user()
    login(client, user.email)
    page = client.get("/auth/logout")
    assert page.status_code == 200
    assert "You are logged in as" in page.get_data(as_text=True)
    assert client.post("/auth/logout").status_code == 400
    token = csrf_token(client, "/")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/org/").status_code == 302


def test_overlong_email_is_refused_without_a_500(client):
    response = post_form(client, "/auth/login", {"email": "a" * 5000 + "@x.com", "password": "x"})
    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)


def test_login_writes_nothing_to_the_audit_log_on_failure(app, client, make):
    make.user(email="user@example.com")
    post_form(client, "/auth/login", {"email": "user@example.com", "password": "nope-nope"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == 0


def test_login_is_rate_limited(app, client, make):
    from portal.extensions import limiter

    user = make.user()
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    try:
        codes = [
            post_form(
                client, "/auth/login", {"email": user.email, "password": "bad-one!"}
            ).status_code
            for _ in range(12)
        ]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]

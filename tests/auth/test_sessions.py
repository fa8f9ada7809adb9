"""Sessions end on the server: logout everywhere, password changes and admin changes revoke them."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.auth import services
from portal.extensions import db
from portal.models import AuditEvent, OrgKind, Role, User
from tests.conftest import PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "a-brand-new-password"
REMEMBER = "remember_token"


def logged_in(client: FlaskClient) -> bool:
    """Whether the client's cookies still open a page that needs a log-in."""
    return client.get("/auth/settings").status_code == 200


def copy_of(app: Flask, client: FlaskClient, *names: str) -> FlaskClient:
    """Another browser holding copies of these cookies (as a thief would)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def remember_login(client: FlaskClient, email: str) -> None:
    response = post_form(
        client, "/auth/login", {"email": email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302


def change_password(client: FlaskClient):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return post_form(client, "/auth/password", data)


def log_out(client: FlaskClient, everywhere: bool = False):
    data = {"everywhere": "Log out on every device"} if everywhere else {}
    return post_form(client, "/auth/logout", data, form_page="/auth/logout")


def test_copied_session_cookie_stops_working_after_logout_everywhere(app, client, make):
    login(client, make.user().email)
    thief = copy_of(app, client, "session")
    assert logged_in(thief)
    response = log_out(client, everywhere=True)
    assert response.headers["Location"] == "/auth/login"
    assert not logged_in(thief)
    assert not logged_in(client)


def test_plain_logout_ends_this_browser_only(app, client, make):
    user = make.user()
    other_device = app.test_client()
    login(other_device, user.email)
    login(client, user.email)
    log_out(client)
    assert not logged_in(client)
    assert logged_in(other_device)


def test_copied_session_cookie_stops_working_after_password_change(app, client, make):
    login(client, make.user().email)
    thief = copy_of(app, client, "session")
    assert change_password(client).status_code == 302
    assert not logged_in(thief)


def test_password_change_logs_out_other_sessions_and_keeps_this_one(app, client, make):
    user = make.user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    remember_login(phone, user.email)
    login(client, user.email)
    response = change_password(client)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Your other sessions have been logged out." in page
    assert logged_in(client)
    assert not logged_in(laptop)
    assert not logged_in(phone)


def test_remember_me_cookie_is_deleted_at_logout(app, client, make):
    remember_login(client, make.user().email)
    assert client.get_cookie(REMEMBER) is not None
    log_out(client)
    assert client.get_cookie(REMEMBER) is None
    assert not logged_in(client)


def test_copied_remember_me_cookie_stops_working_after_logout_everywhere(app, client, make):
    remember_login(client, make.user().email)
    thief = copy_of(app, client, REMEMBER)
    assert logged_in(thief)  # the cookie alone logs in: it is what keeps a browser logged in
    log_out(client, everywhere=True)
    assert not logged_in(thief)
    assert not logged_in(copy_of(app, thief, REMEMBER))


def test_copied_remember_me_cookie_stops_working_after_password_change(app, client, make):
    remember_login(client, make.user().email)
    stolen = client.get_cookie(REMEMBER).value
    change_password(client)
    thief = app.test_client()
    thief.set_cookie(REMEMBER, stolen)
    assert not logged_in(thief)
    # This browser keeps its remember-me cookie, renewed for the new session generation.
    assert client.get_cookie(REMEMBER).value != stolen
    assert logged_in(copy_of(app, client, REMEMBER))


def test_log_out_other_sessions_keeps_this_one(app, client, make):
    user = make.user()
    other_device = app.test_client()
    login(other_device, user.email)
    login(client, user.email)
    page = client.get("/auth/settings").get_data(as_text=True)
    assert "Log out other sessions" in page
    response = post_form(client, "/auth/sessions/end-others", {}, form_page="/auth/settings")
    assert response.headers["Location"] == "/auth/settings"
    assert logged_in(client)
    assert not logged_in(other_device)
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.action)) == "user.sessions_end"


def test_log_out_other_sessions_needs_csrf(client, make):
    login(client, make.user().email)
    assert client.post("/auth/sessions/end-others").status_code == 400


def test_csrf_secret_changes_at_log_in(client, make):
    user = make.user()
    before = csrf_token(client, "/auth/login")
    login(client, user.email)
    after = csrf_token(client, "/auth/settings")
    assert before != after
    # A token read before log-in (e.g. planted by someone who shared the browser) is refused.
    stale = client.post("/auth/settings", data={"csrf_token": before, "notify": "y"})
    assert stale.status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        {"role": "editor", "organisation": "publisher", "active": "y"},
        {"role": "partner", "organisation": "own"},  # disabled (active left out)
    ],
    ids=["role change", "disabled"],
)
def test_admin_changes_end_the_users_sessions(app, client, make, change):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    admin = app.test_client()
    login(admin, make.user(Role.ADMIN).email)
    organisation = make.org(OrgKind.PUBLISHER).id if change["organisation"] == "publisher" else 0
    form = change | {"organisation": organisation or user.organisation_id}
    assert post_form(admin, f"/admin/users/{user.id}", form).status_code == 302
    if "active" not in change:  # enabled again: the old sessions stay ended
        reenable = {"role": "partner", "organisation": user.organisation_id, "active": "y"}
        post_form(admin, f"/admin/users/{user.id}", reenable)
    assert not logged_in(client)
    login(client, user.email)
    assert logged_in(client)


def test_admin_editing_only_the_manager_flag_keeps_the_session(app, client, make):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    admin = app.test_client()
    login(admin, make.user(Role.ADMIN).email)
    form = {"role": "partner", "organisation": user.organisation_id, "active": "y"}
    post_form(admin, f"/admin/users/{user.id}", form | {"is_org_manager": "y"})
    assert logged_in(client)


@pytest.mark.parametrize(
    "session_id",
    ["{id}", "{id}:0", "{id}:2", "{id}:1:0", "{id}:", ":1", "x:1", "", "١:١", "9" * 40 + ":1"],
)
def test_session_ids_without_the_current_generation_are_refused(ctx, make, session_id):
    user = db.session.get(User, make.user().id)
    services.revoke_sessions(user)
    db.session.commit()
    assert user.get_id() == f"{user.id}:1"
    assert services.user_for_session(f"{user.id}:1") == user
    assert services.user_for_session(session_id.format(id=user.id)) is None

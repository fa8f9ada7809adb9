"""Sessions end on the server: log out, logout everywhere, password and admin changes end them."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie

from portal.auth import services
from portal.auth.sessions import browser_summary
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, OrgKind, Role, User, UserSession
from tests.conftest import PASSWORD, csrf_token, login, post_form

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

NEW_PASSWORD = "a-brand-new-password"
REMEMBER = "remember_token"
END_BUTTON = re.compile(r'action="(/auth/sessions/\d+/end)"')


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


def other_devices(app: Flask, user: User, *remember: bool) -> list[FlaskClient]:
    """Other browsers logged in as the user, one per flag: whether it ticked "remember me"."""
    devices = []
    for ticked in remember:
        device = app.test_client()
        (remember_login if ticked else login)(device, user.email)
        devices.append(device)
    return devices


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
    other_device, phone = other_devices(app, user, False, True)
    login(client, user.email)
    log_out(client)
    assert not logged_in(client)
    assert logged_in(other_device)
    assert logged_in(copy_of(app, phone, REMEMBER))  # its remember-me cookie alone still works


def test_copied_session_cookie_stops_working_after_password_change(app, client, make):
    login(client, make.user().email)
    thief = copy_of(app, client, "session")
    assert change_password(client).status_code == 302
    assert not logged_in(thief)


def test_password_change_logs_out_other_sessions_and_keeps_this_one(app, client, make):
    user = make.user()
    laptop, phone = other_devices(app, user, False, True)
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
    [other_device] = other_devices(app, user, False)
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


def test_copied_session_cookie_stops_working_after_plain_logout(app, client, make):
    login(client, make.user().email)
    thief = copy_of(app, client, "session")
    assert logged_in(thief)
    log_out(client)
    assert not logged_in(thief)


def test_copied_remember_me_cookie_stops_working_after_plain_logout(app, client, make):
    remember_login(client, make.user().email)
    stolen = copy_of(app, client, REMEMBER)  # the remember-me cookie only, no session cookie
    assert logged_in(copy_of(app, stolen, REMEMBER))
    log_out(client)
    assert not logged_in(stolen)


def test_settings_lists_the_sessions_of_two_browsers(app, client, make):
    user = make.user()
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    login(phone, user.email)
    login(client, user.email)
    login(app.test_client(), make.user().email)  # someone else's session is not listed
    page = client.get("/auth/settings").get_data(as_text=True)
    assert page.count("<tr>") == 3  # the heading and two sessions
    assert "Firefox on Linux" in page and "Safari on iPhone" in page
    assert page.index("Firefox on Linux") < page.index("· this browser") < page.index("Safari")
    assert page.count("· this browser") == 1
    assert "Log out other sessions" in page


def test_settings_offers_no_log_out_of_others_with_one_session(client, make):
    login(client, make.user().email)
    page = client.get("/auth/settings").get_data(as_text=True)
    assert "· this browser" in page
    assert "Log out other sessions" not in page


def end_buttons(client: FlaskClient) -> list[str]:
    """The URLs of the settings page's "Log out" buttons (one per other session)."""
    return END_BUTTON.findall(client.get("/auth/settings").get_data(as_text=True))


def test_log_out_one_other_session_from_settings(app, client, make):
    user = make.user()
    laptop, phone = other_devices(app, user, False, False)
    login(client, user.email)
    assert len(end_buttons(client)) == 2
    log_out(phone)
    [url] = end_buttons(client)
    response = post_form(client, url, {}, form_page="/auth/settings")
    assert response.headers["Location"] == "/auth/settings"
    assert "That session has been logged out." in client.get("/auth/settings").get_data(True)
    assert not logged_in(laptop)
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.action)) == "user.session_end"
    again = post_form(client, url, {}, form_page="/auth/settings", follow_redirects=True)
    assert "That session has already ended." in again.get_data(as_text=True)


def test_cannot_log_out_someone_elses_session(app, client, make):
    victim = make.user()
    victims_browser = app.test_client()
    login(victims_browser, victim.email)
    login(client, make.user().email)
    with app.app_context():
        victims_session = db.session.scalar(db.select(UserSession.id))
    url = f"/auth/sessions/{victims_session}/end"
    page = post_form(client, url, {}, form_page="/auth/settings", follow_redirects=True)
    assert "That session has already ended." in page.get_data(as_text=True)
    assert logged_in(victims_browser)


def test_log_out_one_session_needs_csrf(app, client, make):
    user = make.user()
    [laptop] = other_devices(app, user, False)
    login(client, user.email)
    [url] = end_buttons(client)
    assert client.post(url).status_code == 400
    assert logged_in(laptop)


def test_cookies_from_before_session_keys_are_refused(app, client, make):
    """Cookies made when the id was `<id>:<generation>` name no session: log in once more."""
    user = make.user()
    with app.test_request_context():
        session_cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": f"{user.id}:0", "_fresh": True}
        )
        remember_cookie = encode_cookie(f"{user.id}:0")
    client.set_cookie("session", session_cookie)
    assert not logged_in(client)
    old_browser = app.test_client()
    old_browser.set_cookie(REMEMBER, remember_cookie)
    assert not logged_in(old_browser)


def age_sessions(app: Flask, **times: timedelta) -> None:
    """Move every session's timestamps (created_at, last_seen_at) back by the times given."""
    with app.app_context():
        for row in db.session.scalars(db.select(UserSession)):
            for name, age in times.items():
                setattr(row, name, getattr(row, name) - age)
        db.session.commit()


def test_sessions_end_with_the_remember_me_lifetime_and_go_at_the_next_log_in(app, client, make):
    user = make.user()
    login(client, user.email)
    lifetime = app.config["REMEMBER_COOKIE_DURATION"]
    age_sessions(app, created_at=lifetime - timedelta(days=1))
    assert logged_in(client)
    age_sessions(app, created_at=timedelta(days=2))
    assert not logged_in(client)
    login(client, user.email)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 1


def test_last_seen_is_written_at_most_every_few_minutes(app, client, make):
    login(client, make.user().email)
    age_sessions(app, last_seen_at=services.LAST_SEEN_EVERY - timedelta(minutes=1))
    with app.app_context():
        before = db.session.scalar(db.select(UserSession.last_seen_at))
    assert logged_in(client)
    with app.app_context():
        assert db.session.scalar(db.select(UserSession.last_seen_at)) == before
    age_sessions(app, last_seen_at=timedelta(minutes=2))
    assert logged_in(client)
    with app.app_context():
        assert db.session.scalar(db.select(UserSession.last_seen_at)) > utcnow() - timedelta(
            minutes=1
        )


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_browser_summary_names_browser_and_system(user_agent, summary):
    assert browser_summary(user_agent) == summary


def test_a_long_user_agent_is_cut_to_fit(ctx, make):
    user = db.session.get(User, make.user().id)
    services.open_session(user, "x" * 500)
    assert len(db.session.scalar(db.select(UserSession.browser))) == 80


@pytest.mark.parametrize(
    "session_id",
    [
        "{id}",
        "{id}:0",
        "{id}:1",
        "{id}:{key}:0",
        "{id}:0:{key}",
        "{id}:{key}x",
        "{id}:{key_start}",
        "{other}:{key}",
        ":{key}",
        "{key}",
        "",
        "9" * 40 + ":{key}",
    ],
)
def test_session_ids_without_a_live_session_key_are_refused(ctx, make, session_id):
    user = db.session.get(User, make.user().id)
    other = make.user()
    services.open_session(user, "Firefox on Linux")
    key = user.session_key
    assert user.get_id() == f"{user.id}:{key}"
    assert services.user_for_session(f"{user.id}:{key}") == user
    forged = session_id.format(id=user.id, other=other.id, key=key, key_start=key[:-1])
    assert services.user_for_session(forged) is None


def test_a_revoked_session_key_is_refused(ctx, make):
    user = db.session.get(User, make.user().id)
    services.open_session(user, "")
    session_id = user.get_id()
    services.revoke_sessions(user)
    db.session.commit()
    assert services.user_for_session(session_id) is None

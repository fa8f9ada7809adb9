"""Nobody can tell from the log-in or invitation pages whether an address has an account."""

import re

import pytest
from werkzeug import security

from portal.extensions import db
from portal.models import AuditEvent, Invitation, OutboxMessage, Role, User
from portal.models import accounts as accounts_module
from tests.conftest import CSRF_RE, PASSWORD, login, post_form

LINK = re.compile(r"http://localhost/auth/register/[\w-]+")


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """The method part (`pbkdf2:sha256:1000`) of every hash a password was checked against."""
    methods: list[str] = []

    def spy(pwhash: str, password: str) -> bool:
        methods.append(pwhash.split("$", 1)[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(accounts_module, "check_password_hash", spy)
    return methods


@pytest.mark.parametrize(
    "email", ["nobody@example.com", "user@example.com"], ids=["unknown", "known"]
)
def test_every_failed_log_in_checks_one_hash_of_the_configured_method(
    app, client, make, hash_checks, email
):
    user = make.user(email="user@example.com")
    response = post_form(client, "/auth/login", {"email": email, "password": "not-the-password"})
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)
    assert hash_checks == [user.password_hash.split("$", 1)[0]]
    assert hash_checks == [app.config["PASSWORD_HASH_METHOD"]]


def test_a_disabled_account_costs_the_same_hash_check(client, make, hash_checks):
    user = make.user(active=False)
    post_form(client, "/auth/login", {"email": user.email, "password": "not-the-password"})
    assert hash_checks == [user.password_hash.split("$", 1)[0]]


def invite(client, url: str, email: str, **fields):
    return post_form(client, url, {"email": email, **fields})


def normalised(html: str, email: str) -> str:
    """The page without what differs anyway: the address, the link, the time-stamped CSRF token."""
    html = CSRF_RE.sub("CSRF", html.replace(email, "EMAIL"))
    return LINK.sub("LINK", html)


@pytest.mark.parametrize("inviter", ["org manager", "admin"])
def test_invite_answers_the_same_whether_or_not_the_address_has_an_account(
    app, client, make, inviter
):
    manager = make.user(Role.PARTNER, is_org_manager=True)
    make.user(Role.VENDOR, email="taken@example.com")  # in another organisation
    if inviter == "admin":
        login(client, make.user(Role.ADMIN).email)
        url = "/admin/users/invite"
        fields = {"role": "partner", "organisation": manager.organisation_id}
    else:
        login(client, manager.email)
        url, fields = "/org/invite", {}
    existing = invite(client, url, "taken@example.com", **fields)
    new = invite(client, url, "fresh@example.com", **fields)
    assert existing.status_code == new.status_code == 200
    existing_html, new_html = existing.get_data(as_text=True), new.get_data(as_text=True)
    assert "We have e-mailed an invitation to" in new_html
    assert normalised(existing_html, "taken@example.com") == normalised(
        new_html, "fresh@example.com"
    )
    with app.app_context():
        mail = {m.to_email: m for m in db.session.scalars(db.select(OutboxMessage))}
        assert set(mail) == {"taken@example.com", "fresh@example.com"}
        assert mail["fresh@example.com"].subject == mail["taken@example.com"].subject
        # The newcomer's e-mail carries the link the page showed once ...
        assert LINK.search(mail["fresh@example.com"].body).group() in new_html
        # ... the account holder's says to log in and carries no sign-up link.
        taken = mail["taken@example.com"].body
        assert "You already have an account" in taken and "http://localhost/auth/login" in taken
        assert LINK.search(taken) is None
        assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 2
        emails = set(db.session.scalars(db.select(User.email)))
        assert "fresh@example.com" not in emails  # nobody signed up
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.details["existing_account"] for e in events] == [True, False]


def test_the_link_shown_for_an_existing_account_creates_no_second_account(app, client, make):
    manager = make.user(Role.PARTNER, is_org_manager=True)
    make.user(Role.PARTNER, email="taken@example.com")
    login(client, manager.email)
    page = invite(client, "/org/invite", "taken@example.com").get_data(as_text=True)
    path = LINK.search(page).group().removeprefix("http://localhost")
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200  # the same sign-up page as any invitation
    data = {"display_name": "Someone", "password": PASSWORD, "confirm": PASSWORD}
    refused = post_form(visitor, path, data)
    assert refused.status_code == 410
    assert "already an account" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 2


def test_invitation_page_offers_the_link_to_copy_in_a_field_that_wraps(client, make):
    login(client, make.user(Role.PARTNER, is_org_manager=True).email)
    html = invite(client, "/org/invite", "fresh@example.com").get_data(as_text=True)
    field = re.search(r'<textarea id="invite-link"[^>]*readonly[^>]*>(http[^<]+)</textarea>', html)
    assert field and LINK.fullmatch(field.group(1))
    assert '<label for="invite-link">' in html
    assert 'data-copy="invite-link" hidden' in html  # shown by copy.js; without it, copy by hand
    assert "/static/js/copy.js" in html

"""Single sign-on in Chromium, through oidc-provider-mock (a real OpenID Connect provider)."""

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from portal.extensions import db
from portal.models import EmailDomain, Organisation, User
from tests.identity_providers import BUTTON_LABEL, identity, mock_provider, sso_app


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


@pytest.fixture(scope="module")
def sso_server(app, database_url, issuer) -> Iterator[str]:
    """The portal with single sign-on, served on a free local port."""
    server = make_server("127.0.0.1", 0, sso_app(database_url, issuer), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def northgate(make, app) -> int:
    org = make.org(name="Northgate Licensing", slug="northgate")
    with app.app_context():
        db.session.add(EmailDomain(domain="northgate.example", organisation_id=org.id))
        db.session.commit()
    return org.id


def sign_in_at_provider(page: Page, portal: str, subject: str) -> None:
    page.goto(f"{portal}/auth/login")
    page.get_by_role("button", name=f"Sign in with {BUTTON_LABEL}").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def test_partner_signs_in_through_the_provider_into_their_organisation(
    page: Page, sso_server, issuer, northgate, app
):
    identity(
        issuer, "nadia", email="nadia@northgate.example", email_verified=True, name="Nadia Park"
    )
    sign_in_at_provider(page, sso_server, "nadia")
    expect(page).to_have_url(f"{sso_server}/")
    expect(page.get_by_text("Welcome, Nadia Park.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Our organisation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northgate Licensing")
    with app.app_context():
        user = db.session.scalars(db.select(User)).one()
        assert user.email == "nadia@northgate.example"
        assert db.session.get(Organisation, northgate) == user.organisation


def test_unmapped_domain_sees_why_and_gets_no_account(page: Page, sso_server, issuer, northgate):
    identity(issuer, "omar", email="omar@elsewhere.example", email_verified=True)
    sign_in_at_provider(page, sso_server, "omar")
    expect(page.get_by_role("heading", name="Sign-in could not be completed")).to_be_visible()
    expect(page.get_by_text(re.compile("Ask your organisation's manager"))).to_be_visible()
    page.get_by_role("link", name="Back to log in").click()
    expect(page).to_have_url(f"{sso_server}/auth/login")

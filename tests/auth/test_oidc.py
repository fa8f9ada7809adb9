"""Single sign-on against real providers: oidc-provider-mock, and a forging one for bad tokens."""

import logging
from collections.abc import Iterator

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from config import TestConfig
from portal import ConfigurationError, create_app
from portal.extensions import db
from portal.models import AuditEvent, EmailDomain, Role, User
from tests.conftest import PASSWORD, post_form
from tests.identity_providers import (
    BUTTON_LABEL,
    ForgingProvider,
    identity,
    local_path,
    mock_provider,
    sign_in,
    sso_app,
)

REFUSED_HEADING = "Sign-in could not be completed"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


@pytest.fixture(scope="module")
def portal(app, database_url, issuer):
    return sso_app(database_url, issuer)


@pytest.fixture
def sso(portal):
    return portal.test_client()


@pytest.fixture
def northgate(make, app):
    """Northgate Licensing, with northgate.example mapped to it."""
    org = make.org(name="Northgate Licensing", slug="northgate")
    with app.app_context():
        db.session.add(EmailDomain(domain="northgate.example", organisation_id=org.id))
        db.session.commit()
    return org


def users_named(app, email: str) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).where(User.email == email)))


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_login_page_offers_sso_only_when_configured(sso, client):
    assert f"Sign in with {BUTTON_LABEL}" in sso.get("/auth/login").get_data(as_text=True)
    assert "Sign in with" not in client.get("/auth/login").get_data(as_text=True)
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_login_sends_state_nonce_and_pkce_challenge(sso, issuer):
    location = sso.get("/auth/oidc/login").headers["Location"]
    assert location.startswith(f"{issuer}/oauth2/authorize?")
    for part in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256"):
        assert part in location
    assert "client_id=channel-voice" in location


def test_configured_issuer_needs_a_client_id():
    with pytest.raises(ConfigurationError, match="OIDC_CLIENT_ID"):
        create_app(TestConfig, OIDC_ISSUER="https://id.example")


def test_first_sign_in_from_mapped_domain_creates_partner_in_its_organisation(
    sso, app, issuer, northgate
):
    identity(issuer, "anna-1", email="Anna@Northgate.example", email_verified=True, name="Anna K")
    response = sign_in(sso, "anna-1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    [user] = users_named(app, "anna@northgate.example")
    assert (user.role, user.organisation_id, user.oidc_subject) == (
        Role.PARTNER,
        northgate.id,
        "anna-1",
    )
    assert user.display_name == "Anna K" and not user.is_org_manager
    assert actions(app) == ["user.sso_register", "user.login_sso"]
    home = sso.get("/").get_data(as_text=True)
    assert "Anna K" in home


def test_existing_account_with_same_email_is_linked_not_duplicated(
    sso, portal, app, make, issuer, northgate
):
    existing = make.user(org=northgate, email="ben@northgate.example", display_name="Ben")
    identity(issuer, "ben-1", email="ben@northgate.example", email_verified=True)
    assert sign_in(sso, "ben-1").status_code == 302
    [user] = users_named(app, "ben@northgate.example")
    assert user.id == existing.id and user.oidc_subject == "ben-1"
    assert actions(app) == ["user.sso_link", "user.login_sso"]
    # Password log-in keeps working for the linked account.
    data = {"email": user.email, "password": PASSWORD}
    assert post_form(portal.test_client(), "/auth/login", data).status_code == 302


def test_later_email_change_at_provider_still_finds_the_account(
    sso, portal, app, issuer, northgate
):
    identity(issuer, "cara-1", email="cara@northgate.example", email_verified=True)
    assert sign_in(sso, "cara-1").status_code == 302
    identity(issuer, "cara-1", email="cara.new@northgate.example", email_verified=True)
    assert sign_in(portal.test_client(), "cara-1").status_code == 302
    assert user_count(app) == 1
    assert users_named(app, "cara@northgate.example")[0].oidc_subject == "cara-1"


def test_unmapped_domain_gets_a_clear_page_and_no_account(sso, app, issuer, northgate):
    identity(issuer, "dan-1", email="dan@elsewhere.example", email_verified=True)
    response = sign_in(sso, "dan-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert REFUSED_HEADING in page and "ask your organisation&#39;s manager" in page.lower()
    assert "elsewhere.example" in page
    assert user_count(app) == 0 and actions(app) == []


def test_unverified_email_is_refused(sso, app, issuer, northgate):
    # The mock's own default: a subject without claims gets `email` and no `email_verified`.
    response = sign_in(sso, "eve@northgate.example")
    assert response.status_code == 403
    assert "has not confirmed" in response.get_data(as_text=True)
    identity(issuer, "eve-2", email="eve@northgate.example", email_verified=False)
    assert sign_in(sso, "eve-2").status_code == 403
    assert user_count(app) == 0


def test_disabled_account_is_refused(sso, app, make, issuer, northgate):
    make.user(org=northgate, email="finn@northgate.example", active=False)
    identity(issuer, "finn-1", email="finn@northgate.example", email_verified=True)
    response = sign_in(sso, "finn-1")
    assert response.status_code == 403
    assert "disabled" in response.get_data(as_text=True)
    assert users_named(app, "finn@northgate.example")[0].oidc_subject is None


def test_bad_state_is_refused(sso, app, issuer, northgate):
    identity(issuer, "gus-1", email="gus@northgate.example", email_verified=True)
    response = sign_in(sso, "gus-1", tamper=lambda url: url.replace("state=", "state=x"))
    assert response.status_code == 403
    assert REFUSED_HEADING in response.get_data(as_text=True)
    assert user_count(app) == 0


def test_callback_replayed_in_another_browser_is_refused(sso, portal, issuer, northgate):
    identity(issuer, "hal-1", email="hal@northgate.example", email_verified=True)
    urls: list[str] = []
    assert sign_in(sso, "hal-1", tamper=lambda url: urls.append(url) or url).status_code == 302
    assert portal.test_client().get(local_path(urls[0])).status_code == 403


def test_denied_at_provider_and_bare_callback_are_refused(sso, northgate):
    assert sign_in(sso, "").status_code == 403  # the person pressed Deny
    response = sso.get("/auth/oidc/callback")
    assert response.status_code == 403
    assert "Back to log in" in response.get_data(as_text=True)


def test_unreachable_provider_gets_a_page_not_a_500(app, database_url):
    portal = sso_app(database_url, "http://127.0.0.1:9")  # discard port: nothing answers
    response = portal.test_client().get("/auth/oidc/login")
    assert response.status_code == 403
    assert "does not answer" in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def forger():
    with ForgingProvider().serve() as provider:
        yield provider


@pytest.fixture
def forged(app, database_url, forger):
    forger.reset()
    return sso_app(database_url, forger.issuer).test_client()


def test_forging_provider_valid_token_signs_in(forged, app, northgate):
    """The control for the forged refusals below: the same provider's valid token is accepted."""
    assert sign_in(forged, "x").status_code == 302
    assert users_named(app, "forged@northgate.example")[0].oidc_subject == "forged-subject"


@pytest.mark.parametrize(
    ("defect", "reason"),
    [
        ("wrong audience", "'aud'"),
        ("audience authorised for us", "'aud'"),
        ("expired", "ExpiredTokenError"),
        ("bad signature", "BadSignatureError"),
        ("wrong nonce", "'nonce'"),
        ("wrong issuer", "'iss'"),
        ("no expiry", "'exp'"),
    ],
)
def test_forged_id_token_is_refused(forged, forger, app, northgate, defect, reason, caplog):
    # The test database's migration ran Alembic's fileConfig, which disables existing loggers.
    logging.getLogger("portal.auth.oidc").disabled = False
    if defect == "bad signature":
        forger.sign_with = RSAKey.generate_key(2048, parameters={"kid": "forger"}, private=True)
    else:
        forger.claims = {
            "wrong audience": {"aud": "another-client"},
            # A token for another client that names us as authorised party is still not ours.
            "audience authorised for us": {"aud": "another-client", "azp": "channel-voice"},
            "no expiry": {"exp": None},
            "expired": {"iat": 1_700_000_000, "exp": 1_700_000_300},
            "wrong nonce": {"nonce": "replayed-nonce"},
            "wrong issuer": {"iss": "https://impostor.example"},
        }[defect]
    response = sign_in(forged, "x")
    assert response.status_code == 403
    assert REFUSED_HEADING in response.get_data(as_text=True)
    assert user_count(app) == 0 and actions(app) == []
    [logged] = [r.getMessage() for r in caplog.records if r.name == "portal.auth.oidc"]
    assert reason in logged


@pytest.fixture
def sso_required(app, northgate):
    with app.app_context():
        mapping = db.session.scalar(select(EmailDomain))
        mapping.sso_required = True
        db.session.commit()


def test_required_sso_refuses_password_login_for_that_domain(sso, make, northgate, sso_required):
    make.user(org=northgate, email="ivy@northgate.example")
    data = {"email": "ivy@northgate.example", "password": PASSWORD}
    response = post_form(sso, "/auth/login", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert f"Your organisation signs in through {BUTTON_LABEL}" in page
    assert f"Sign in with {BUTTON_LABEL}" in page


def test_required_sso_leaves_admins_and_other_domains_password_login(
    portal, make, northgate, sso_required
):
    make.user(Role.ADMIN, email="root@northgate.example")
    make.user(email="jo@other.example")
    for email in ("root@northgate.example", "jo@other.example"):
        data = {"email": email, "password": PASSWORD}
        assert post_form(portal.test_client(), "/auth/login", data).status_code == 302


def test_required_sso_only_applies_when_sso_is_configured(client, make, northgate, sso_required):
    make.user(org=northgate, email="kim@northgate.example")
    data = {"email": "kim@northgate.example", "password": PASSWORD}
    assert post_form(client, "/auth/login", data).status_code == 302

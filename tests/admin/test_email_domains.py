"""Admins map e-mail domains to partner organisations; single sign-on and the inbox read them."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, EmailDomain, OrgKind, Role
from portal.org import services as org
from tests.conftest import login, post_form

URL = "/admin/domains"


@pytest.fixture
def admin_client(app, make):
    client = app.test_client()
    login(client, make.user(Role.ADMIN).email)
    return client


def test_an_admin_maps_a_domain_and_it_finds_the_organisation(app, make, admin_client):
    partner = make.org(OrgKind.PARTNER)
    data = {"domain": " @Northgate.Example ", "organisation": partner.id, "sso_required": "y"}
    response = post_form(admin_client, URL, data)
    assert response.status_code == 302
    with app.app_context():
        mapping = org.domain_for_email("Ann@NORTHGATE.example")
        assert (mapping.domain, mapping.organisation_id, mapping.sso_required) == (
            "northgate.example",
            partner.id,
            True,
        )
        assert org.domain_for_email("ann@elsewhere.example") is None
        assert db.session.query(AuditEvent).filter_by(action="email_domain.add").count() == 1
    assert "northgate.example" in admin_client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    ("domain", "kind", "field_error"),
    [
        ("not a domain", OrgKind.PARTNER, "Enter a domain such as northgate.example."),
        ("localhost", OrgKind.PARTNER, "Enter a domain such as northgate.example."),
        ("vendor.example", OrgKind.VENDOR, "Not a valid choice"),
    ],
)
def test_a_bad_domain_or_organisation_is_refused_beside_its_field(
    app, make, admin_client, domain, kind, field_error
):
    target = make.org(kind)
    response = post_form(admin_client, URL, {"domain": domain, "organisation": target.id})
    assert response.status_code == 400
    assert field_error in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(EmailDomain).count() == 0


def test_a_domain_belongs_to_one_organisation_only(app, make, admin_client):
    first, second = make.org(OrgKind.PARTNER), make.org(OrgKind.PARTNER)
    post_form(admin_client, URL, {"domain": "acme.example", "organisation": first.id})
    response = post_form(admin_client, URL, {"domain": "ACME.example", "organisation": second.id})
    assert response.status_code == 400
    assert f"acme.example already belongs to {first.name}" in response.get_data(as_text=True)


def test_removing_a_mapping_asks_first(app, make, admin_client):
    partner = make.org(OrgKind.PARTNER)
    post_form(admin_client, URL, {"domain": "acme.example", "organisation": partner.id})
    with app.app_context():
        mapping_id = db.session.query(EmailDomain).one().id
    delete_url = f"{URL}/{mapping_id}/delete"
    page = admin_client.get(delete_url).get_data(as_text=True)
    assert "Stop mapping acme.example" in page
    with app.app_context():
        assert db.session.query(EmailDomain).count() == 1
    assert post_form(admin_client, delete_url, {}).status_code == 302
    with app.app_context():
        assert db.session.query(EmailDomain).count() == 0


@pytest.mark.parametrize("role", [Role.PARTNER, Role.EDITOR, Role.VENDOR])
def test_only_admins_see_the_mapping(app, make, role):
    client = app.test_client()
    login(client, make.user(role).email)
    assert client.get(URL).status_code == 403


def test_the_service_maps_to_partner_organisations_only(app, make):
    admin, vendor = make.user(Role.ADMIN), make.org(OrgKind.VENDOR)
    with app.app_context():
        with pytest.raises(org.ServiceError, match="Choose a partner organisation"):
            org.add_email_domain(db.session.merge(admin), "vendor.example", vendor.id)

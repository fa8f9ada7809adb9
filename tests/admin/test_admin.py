"""Administration: access, organisations, users, invitations, audit log."""

import re

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Organisation, OrgKind, Role, User
from tests.conftest import PASSWORD, login, post_form

ADMIN_PAGES = [
    "/admin/",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/users",
    "/admin/users/invite",
    "/admin/audit",
]


@pytest.fixture
def admin_client(client, make):
    admin = make.user(Role.ADMIN, email="root@example.com")
    login(client, admin.email)
    client.admin = admin
    return client


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("role", [Role.PARTNER, Role.EDITOR, Role.VENDOR])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_refuse_other_roles(client, make, role, url):
    login(client, make.user(role).email)
    response = client.get(url)
    assert response.status_code == 403
    assert "does not have access" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_open_for_admins(admin_client, url):
    assert admin_client.get(url).status_code == 200


def org_form(**fields):
    return {
        "name": "Acme Cloud",
        "slug": "",
        "kind": "partner",
        "partner_type": "msp_hoster",
        "region": "latam",
        "size_band": "11-50",
        **fields,
    }


def test_admin_creates_a_partner_organisation(app, admin_client):
    response = post_form(admin_client, "/admin/organisations/new", org_form())
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "acme-cloud"))
        assert org.region.value == "latam" and not org.verified
    assert audit_actions(app) == ["organisation.create"]


@pytest.mark.parametrize(
    ("fields", "field_message"),
    [
        ({"name": "x" * 121}, "at most 120"),
        ({"name": ""}, "This field is required"),
        ({"partner_type": ""}, "A partner organisation needs this."),
        ({"slug": "!!!"}, "Use at least one letter or digit."),
        ({"kind": "bank"}, "Not a valid choice"),
    ],
)
def test_bad_organisation_input_is_explained_and_writes_nothing(
    app, admin_client, fields, field_message
):
    response = post_form(admin_client, "/admin/organisations/new", org_form(**fields))
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 0


def test_duplicate_organisation_name_in_another_case_is_refused(app, admin_client, make):
    make.org(name="Acme Cloud", slug="acme")
    response = post_form(admin_client, "/admin/organisations/new", org_form(name="ACME cloud"))
    assert response.status_code == 400
    assert "already has this name" in response.get_data(as_text=True)


def test_verifying_an_organisation_is_audited(app, admin_client, make):
    org = make.org(name="Acme Cloud", slug="acme-cloud")
    url = f"/admin/organisations/{org.id}"
    response = post_form(admin_client, url, org_form(verified="y"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, org.id).verified
    assert audit_actions(app) == ["organisation.update", "organisation.verify"]


def test_invited_user_can_sign_up_with_the_shown_link(app, admin_client, make):
    org = make.org()
    response = post_form(
        admin_client,
        "/admin/users/invite",
        {"email": "new@example.com", "role": "partner", "organisation": org.id},
    )
    assert response.status_code == 200
    link = re.search(
        r">(http://localhost/auth/register/[^<]+)</textarea>", response.get_data(as_text=True)
    )
    assert link
    newcomer = app.test_client()
    path = link.group(1).removeprefix("http://localhost")
    signed_up = post_form(
        newcomer, path, {"display_name": "New", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert signed_up.status_code == 302
    assert audit_actions(app) == ["user.invite", "user.register"]


@pytest.mark.parametrize(
    ("role", "kind", "message"),
    [
        ("editor", OrgKind.PARTNER, "cannot belong to"),
        ("partner", OrgKind.VENDOR, "cannot belong to"),
        ("vendor", None, "needs an organisation"),
    ],
)
def test_invitation_role_must_fit_the_organisation(app, admin_client, make, role, kind, message):
    org_id = make.org(kind).id if kind else 0
    response = post_form(
        admin_client,
        "/admin/users/invite",
        {"email": "new@example.com", "role": role, "organisation": org_id},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert audit_actions(app) == []


def test_changing_a_role_is_audited(app, admin_client, make):
    user = make.user(Role.PARTNER)
    publisher = make.org(OrgKind.PUBLISHER)
    response = post_form(
        admin_client,
        f"/admin/users/{user.id}",
        {"role": "editor", "organisation": publisher.id, "active": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent))
        assert event.action == "user.role_change"
        assert event.details["role"] == ["partner", "editor"]


def test_deactivated_user_cannot_log_in(app, admin_client, make):
    user = make.user(Role.PARTNER)
    post_form(
        admin_client,
        f"/admin/users/{user.id}",
        {"role": "partner", "organisation": user.organisation_id},
    )
    other = app.test_client()
    response = post_form(other, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_admin_cannot_remove_their_own_access(app, admin_client):
    admin = admin_client.admin
    response = post_form(
        admin_client,
        f"/admin/users/{admin.id}",
        {"role": "partner", "organisation": 0, "active": "y"},
    )
    assert response.status_code == 400
    assert "your own administrator access" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).role == Role.ADMIN


def test_audit_log_lists_events_with_their_actor(app, admin_client, make):
    make.org(name="Acme", slug="acme")
    post_form(admin_client, "/admin/organisations/1", org_form(name="Acme", verified="y"))
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "organisation.verify" in html and "root@example.com" in html


def test_user_search_and_absurd_page_sizes_do_not_fail(admin_client):
    response = admin_client.get("/admin/users?q=root&page=-3&per_page=1000000000")
    assert response.status_code == 200
    assert "root@example.com" in response.get_data(as_text=True)

"""Org managers invite colleagues into their own organisation."""

import pytest

from portal.extensions import db
from portal.models import Invitation, Role
from tests.conftest import login, post_form


def test_org_manager_invites_a_colleague_into_their_organisation(app, client, make):
    manager = make.user(Role.PARTNER, is_org_manager=True)
    login(client, manager.email)
    response = post_form(client, "/org/invite", {"email": "colleague@example.com"})
    assert response.status_code == 200
    assert "/auth/register/" in response.get_data(as_text=True)
    with app.app_context():
        invitation = db.session.scalar(db.select(Invitation))
        assert invitation.organisation_id == manager.organisation_id
        assert invitation.role == Role.PARTNER


@pytest.mark.parametrize(
    ("role", "manager"), [(Role.PARTNER, False), (Role.VENDOR, False), (Role.EDITOR, False)]
)
def test_others_cannot_invite_colleagues(client, make, role, manager):
    login(client, make.user(role, is_org_manager=manager).email)
    assert client.get("/org/invite").status_code == 403


def test_org_page_lists_members(client, make):
    manager = make.user(Role.PARTNER, is_org_manager=True, display_name="Manager Mia")
    login(client, manager.email)
    html = client.get("/org/").get_data(as_text=True)
    assert "Manager Mia" in html and "Invite a colleague" in html

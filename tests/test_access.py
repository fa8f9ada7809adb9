"""The named permissions: what each role may do, and how views and templates use them."""

import pytest
from flask_login import AnonymousUserMixin

from portal import access
from portal.models import Role, SurveyStatus
from tests.conftest import login

# Each role's permissions, written out once; a change to a predicate must change this table.
EXPECTED = {
    Role.PARTNER: {"read_board", "take_part"},
    Role.EDITOR: {
        "read_board",
        "run_surveys",
        "triage_inbox",
        "read_survey_reports",
        "read_vendor_report",
    },
    Role.VENDOR: {
        "read_board",
        "read_survey_reports",
        "read_vendor_report",
        "export_reports",
        "see_consented_names",
        "respond",
        "hold_api_tokens",
        "receive_digest",
        "manage_webhooks",
    },
    Role.ADMIN: {
        "read_board",
        "run_surveys",
        "triage_inbox",
        "read_survey_reports",
        "read_vendor_report",
        "export_reports",
        "see_consented_names",
        "respond",
        "manage_webhooks",
        "administer",
    },
}
PREDICATES = {
    name.removeprefix("can_"): getattr(access, name)
    for name in dir(access)
    if name.startswith("can_") and name != "can_read_survey_report"
}


class Person:
    is_authenticated = True

    def __init__(self, role: Role, manager: bool = False):
        self.role, self.is_org_manager = role, manager


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role):
    granted = {name for name, check in PREDICATES.items() if check(Person(role))}
    assert granted == EXPECTED[role]


def test_the_anonymous_visitor_has_no_permission():
    assert not any(check(AnonymousUserMixin()) for check in PREDICATES.values())


def test_only_a_managing_partner_manages_the_organisation():
    assert access.can_manage_org(Person(Role.PARTNER, manager=True))
    assert not access.can_manage_org(Person(Role.PARTNER))
    assert not access.can_manage_org(Person(Role.ADMIN, manager=True))


class Survey:
    def __init__(self, status):
        self.status = status


@pytest.mark.parametrize("status", list(SurveyStatus))
def test_the_vendor_reads_a_survey_report_only_once_closed(status):
    closed = status == SurveyStatus.CLOSED
    assert access.can_read_survey_report(Person(Role.VENDOR), Survey(status)) is closed
    assert access.can_read_survey_report(Person(Role.EDITOR), Survey(status))
    assert not access.can_read_survey_report(Person(Role.PARTNER), Survey(status))


def test_templates_get_every_permission_but_reading_the_board():
    names = set(access.permissions_for(Person(Role.VENDOR)))
    assert names == set(PREDICATES) - {"read_board"}


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.VENDOR, True), (Role.ADMIN, True), (Role.EDITOR, False)]
)
def test_a_page_shows_names_only_to_whom_they_are_consented(
    app, make, make_requirement, role, shown
):
    url = f"/requirements/{make_requirement()}"
    client = app.test_client()
    login(client, make.user(role).email)
    page = client.get(url).get_data(as_text=True)
    assert ("Organisations named to you" in page) is shown

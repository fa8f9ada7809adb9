"""Destructive actions ask first: withdraw a vote, merge, delete a revenue year, revoke a token,
unpublish a brief. GET shows what would go and changes nothing; the POST (with CSRF) acts; Cancel
leads back with nothing changed; other roles get 403; a POST without CSRF is refused."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.board import services as board
from portal.extensions import db
from portal.models import (
    ApiToken,
    Brief,
    Importance,
    Requirement,
    RevenueProfile,
    Role,
    User,
    Vote,
    VoteConsent,
)
from portal.tokens.services import create_token
from tests.conftest import login, post_form


@dataclass
class Case:
    """One confirmation: who may act, the page that asks, the URL that acts, what it says."""

    user: str
    wrong_user: str
    page: str
    says: list[str]
    state: Callable[[], object]  # a snapshot of what the action changes
    action: str = ""
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        self.action = self.action or self.page


def scalar(query):
    return db.session.scalar(query)


def withdraw_case(app, make, make_requirement) -> Case:
    partner = make.user(Role.PARTNER)
    rid = make_requirement("Let partners bill BPOS customers")
    with app.app_context():
        board.cast_vote(
            db.session.get(User, partner.id),
            rid,
            Importance.SHOWSTOPPER,
            VoteConsent.NAMED_TO_VENDOR,
            Decimal(5000),
            "USD",
        )
    return Case(
        partner.email,
        make.user(Role.VENDOR).email,
        f"/requirements/{rid}/vote/withdraw",
        [
            "Withdraw your vote on “Let partners bill BPOS customers”?",
            "showstopper",
            "named to the vendor",
            "USD 5,000",
        ],
        lambda: scalar(select(func.count(Vote.id))),
    )


def merge_case(app, make, make_requirement) -> Case:
    target = make_requirement("Keep this one")
    duplicate = make_requirement("Duplicate one")
    return Case(
        make.user(Role.VENDOR).email,
        make.user(Role.EDITOR).email,
        f"/requirements/{duplicate}/merge?target={target}",
        [
            f"Merge #{duplicate} into #{target}?",
            "Keep this one",
            "Duplicate one",
            "becomes <strong>Merged",
        ],
        lambda: scalar(select(Requirement.status).where(Requirement.id == duplicate)).value,
        action=f"/requirements/{duplicate}/merge",
        data={"target": target},
    )


def revenue_case(app, make, make_requirement) -> Case:
    org = make.org(name="Acme Partners", slug="acme")
    manager = make.user(Role.PARTNER, org=org, is_org_manager=True)
    with app.app_context():
        db.session.add(
            RevenueProfile(
                organisation_id=org.id,
                fiscal_year=2025,
                currency="EUR",
                total_revenue=Decimal(1_250_000),
                cloud_revenue=Decimal(300_000),
                customers=120,
                seats=4500,
            )
        )
        db.session.commit()
    return Case(
        manager.email,
        make.user(Role.PARTNER, org=org).email,  # a colleague who does not manage the org
        "/org/revenue/2025/delete",
        ["Delete the figures for fiscal year 2025?", "Acme Partners", "EUR 1,250,000", "4,500"],
        lambda: scalar(select(func.count(RevenueProfile.id))),
    )


def token_case(app, make, make_requirement) -> Case:
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        token, _ = create_token(db.session.get(User, vendor.id), "Planning sheet")
        token_id, prefix = token.id, token.prefix
    return Case(
        vendor.email,
        make.user(Role.PARTNER).email,
        f"/api-tokens/{token_id}/revoke",
        ["Revoke the token “Planning sheet”?", prefix, "gets “401"],
        lambda: scalar(select(ApiToken.revoked_at)) is None,
    )


def brief_case(app, make, make_requirement) -> Case:
    editor = make.user(Role.EDITOR)
    with app.app_context():
        db.session.add(Brief(slug="top-2026", title="Top ten", kind="board", snapshot={}))
        db.session.commit()
    return Case(
        editor.email,
        make.user(Role.VENDOR).email,
        "/briefs/top-2026/unpublish",
        ["Unpublish “Top ten”?", "/briefs/top-2026", "answers “not found”"],
        lambda: scalar(select(func.count(Brief.id))),
    )


CASES = {
    "withdraw": withdraw_case,
    "merge": merge_case,
    "revenue": revenue_case,
    "token": token_case,
    "brief": brief_case,
}


@pytest.fixture(params=list(CASES))
def case(request, app, make, make_requirement) -> Case:
    return CASES[request.param](app, make, make_requirement)


def state(app, case: Case):
    with app.app_context():
        return case.state()


def test_the_page_asks_and_changes_nothing(app, client, case):
    before = state(app, case)
    login(client, case.user)
    response = client.get(case.page)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for text in case.says:
        assert text in html
    assert f'action="{case.action}"' in html and 'name="csrf_token"' in html
    assert re.search(r">\s*Cancel\s*<", html)
    assert state(app, case) == before


def test_the_confirmed_post_acts(app, client, case):
    before = state(app, case)
    login(client, case.user)
    response = post_form(client, case.action, case.data, case.page)
    assert response.status_code == 302
    assert state(app, case) != before


def test_cancel_leads_back_with_everything_as_it_was(app, client, case):
    before = state(app, case)
    login(client, case.user)
    html = client.get(case.page).get_data(as_text=True)
    cancel = re.search(r'<a href="([^"]+)" role="button" class="secondary outline">Cancel', html)
    assert cancel
    assert client.get(unescape(cancel.group(1))).status_code == 200
    assert state(app, case) == before


def test_other_roles_get_403(app, client, case):
    before = state(app, case)
    login(client, case.wrong_user)
    assert client.get(case.page).status_code == 403
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/").get_data(True))
    data = {"csrf_token": token.group(1) if token else "", **case.data}
    assert client.post(case.action, data=data).status_code == 403
    assert state(app, case) == before


def test_a_post_without_csrf_is_refused(app, client, case):
    before = state(app, case)
    login(client, case.user)
    assert client.post(case.action, data=case.data).status_code == 400
    assert state(app, case) == before


def test_nothing_to_confirm_leads_back_with_a_note(app, client, make, make_requirement):
    partner = make.user(Role.PARTNER)
    rid = make_requirement()
    login(client, partner.email)
    response = client.get(f"/requirements/{rid}/vote/withdraw", follow_redirects=True)
    assert response.request.path == f"/requirements/{rid}"
    assert "You have not voted on this requirement." in response.get_data(as_text=True)


def test_a_revoked_token_is_not_asked_about_again(app, client, make):
    case = token_case(app, make, None)
    login(client, case.user)
    post_form(client, case.action, {}, case.page)
    response = client.get(case.page, follow_redirects=True)
    assert response.request.path == "/api-tokens"
    assert "is already revoked" in unescape(response.get_data(as_text=True))

"""Everyday use of surveys: brief forms that keep input, the builder, counts, briefs' wording."""

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Brief, Role
from tests.conftest import login, post_form
from tests.surveys.test_pages import form_answers


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<small class="field-error" id="{field}-error">([^<]+)</small>', html)
    return match.group(1) if match else ""


def test_a_bad_survey_brief_address_is_shown_beside_the_field_near_the_top(
    app, client, make, survey, answered_by
):
    answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    response = post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": "Partners want to bill", "slug": "Bad Address"},
        f"/surveys/{survey}/report",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "slug") == "Use lower-case letters, digits and dashes."
    assert 'value="Partners want to bill"' in html and 'value="Bad Address"' in html
    assert html.index('id="brief-form"') < html.index("Who answered")
    assert html.count('id="brief-form"') == 1
    assert f'action="/surveys/{survey}/brief#brief-form"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Brief.id))) == 0


def test_a_taken_board_brief_address_keeps_the_input(app, client, make, make_requirement):
    make_requirement("Top billing requirement")
    login(client, make.user(Role.EDITOR).email)
    post_form(client, "/briefs/board", {"title": "Top asks", "slug": "top-asks"}, "/briefs")
    again = post_form(client, "/briefs/board", {"title": "Again", "slug": "top-asks"}, "/briefs")
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "already taken" in field_error(html, "slug")
    assert 'value="Again"' in html and 'value="top-asks"' in html
    assert 'action="/briefs/board#brief-form"' in html


def test_a_public_brief_does_not_announce_quotes(
    app, client, make, survey, ids, partner_in, answered_by
):
    answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    report = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    assert "may be quoted" in report
    post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": "Partners want to bill", "slug": "billing"},
        f"/surveys/{survey}/report",
    )
    brief = app.test_client().get("/briefs/billing").get_data(as_text=True)
    assert "What else?" in brief
    assert "may be quoted" not in brief
    assert "Free-text answers are not reproduced here." in brief


def test_editor_survey_list_counts_responses(app, client, make, survey, ids, partner_in):
    for _ in range(2):
        partner = app.test_client()
        login(partner, partner_in().email)
        post_form(partner, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}")
    login(client, make.user(Role.EDITOR).email)
    html = client.get("/surveys").get_data(as_text=True)
    assert "<strong>2</strong> responses" in html

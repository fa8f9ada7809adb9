"""Everyday use of surveys: brief forms that keep input, the builder, counts, briefs' wording."""

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Brief, Role, Survey, SurveyStatus
from tests.conftest import login, post_form
from tests.surveys.test_pages import form_answers
from tests.surveys.test_release_attacks import publish


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<small class="field-error" id="{field}-error">([^<]+)</small>', html)
    return match.group(1) if match else ""


def test_a_bad_survey_brief_address_is_shown_beside_the_field_near_the_top(
    app, client, make, survey, answered_by
):
    answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    response = publish(client, survey, "Bad Address")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "slug") == "Use lower-case letters, digits and dashes."
    assert 'value="Brief Bad Address"' in html and 'value="Bad Address"' in html
    assert html.index('id="brief-form"') < html.index("Who answered")
    assert html.count('id="brief-form"') == 1
    assert f'action="/surveys/{survey}/brief#brief-form"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Brief.id))) == 0


def test_a_taken_board_brief_address_keeps_the_input(app, client, make, make_requirement):
    def publish_board(title: str):
        return post_form(client, "/briefs/board", {"title": title, "slug": "top-asks"}, "/briefs")

    make_requirement("Top billing requirement")
    login(client, make.user(Role.EDITOR).email)
    assert publish_board("Top asks").status_code == 302
    again = publish_board("Again")
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
    publish(client, survey, "billing")
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


def test_choices_are_ignored_for_scale_and_text_questions(app, client, make):
    editor = make.user(Role.EDITOR)
    with app.app_context():
        draft = Survey(title="Draft", status=SurveyStatus.DRAFT, editor_id=editor.id)
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    login(client, editor.email)
    for kind in ("scale", "text"):
        response = post_form(
            client,
            f"/surveys/{draft_id}/questions",
            {"kind": kind, "prompt": f"A {kind} question?", "required": "y", "choices": "A\nB"},
            f"/surveys/{draft_id}",
        )
        assert response.status_code == 302
    with app.app_context():
        questions = db.session.get(Survey, draft_id).questions
        assert [(q.kind.value, len(q.choices)) for q in questions] == [("scale", 0), ("text", 0)]
    html = client.get(f"/surveys/{draft_id}").get_data(as_text=True)
    assert '<div class="choices-field" data-for-kinds="single multi">' in html
    assert "/static/js/survey-builder.js" in html


def test_a_single_choice_question_turned_into_a_scale_loses_its_choices(app, client, make, survey):
    with app.app_context():
        db.session.get(Survey, survey).status = SurveyStatus.DRAFT
        db.session.commit()
        question_id = db.session.get(Survey, survey).questions[0].id
    login(client, make.user(Role.EDITOR).email)
    url = f"/surveys/{survey}/questions/{question_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Partner\nVendor" in page
    response = post_form(
        client, url, {"kind": "scale", "prompt": "How much?", "choices": "Partner\nVendor"}
    )
    assert response.status_code == 302
    with app.app_context():
        question = db.session.get(Survey, survey).questions[0]
        assert question.kind.value == "scale" and question.choices == []


def test_editor_previews_the_answer_form_read_only(app, client, make, survey):
    with app.app_context():
        db.session.get(Survey, survey).status = SurveyStatus.DRAFT
        db.session.commit()
    login(client, make.user(Role.EDITOR).email)
    assert f'href="/surveys/{survey}/preview"' in client.get(f"/surveys/{survey}").get_data(
        as_text=True
    )
    html = client.get(f"/surveys/{survey}/preview").get_data(as_text=True)
    assert "Preview: this is the form partners see once the survey opens." in html
    assert 'type="radio" name="q' in html and "<textarea" in html
    assert "May the editor quote this answer?" in html
    assert '<button type="button" disabled>Send my answers</button>' in html
    assert 'type="submit">Send my answers' not in html


def test_partners_cannot_open_the_preview(client, make, survey):
    login(client, make.user(Role.PARTNER).email)
    assert client.get(f"/surveys/{survey}/preview").status_code == 403


def test_related_requirements_are_a_filterable_checkbox_list(app, client, make, make_requirement):
    first, second = make_requirement("Invoice in our name"), make_requirement("Own price lists")
    login(client, make.user(Role.EDITOR).email)
    page = client.get("/surveys/new").get_data(as_text=True)
    assert "<select" not in page.split('id="requirements"')[1].split("</fieldset>")[0]
    assert f'<input type="checkbox" name="requirements" value="{second}">' in page
    assert 'class="picker-filter"' in page and "/static/js/picker.js" in page
    response = post_form(
        client,
        "/surveys/new",
        {"title": "Billing", "product": "0", "requirements": [str(second)]},
    )
    assert response.status_code == 302
    edit = client.get(response.headers["Location"] + "/edit").get_data(as_text=True)
    picker = edit.split('class="picker-list">')[1]
    assert picker.index(f'value="{second}" checked') < picker.index(f'value="{first}"')

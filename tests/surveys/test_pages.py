"""Survey pages: who may see what, answering through the form, exports, briefs."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Brief, Response, Role, Survey, SurveyStatus
from tests.conftest import login, post_form


def set_status(app, survey_id, status):
    with app.app_context():
        db.session.get(Survey, survey_id).status = status
        db.session.commit()


def form_answers(ids, **changes):
    data = {
        f"q{ids['single']}": str(ids["partner"]),
        f"q{ids['multi']}": [str(ids["backup"]), str(ids["security"])],
        f"q{ids['scale']}": "5",
        f"q{ids['text']}": "Bill it ourselves.",
        f"q{ids['text']}_quotable": "anonymous",
    }
    data.update(changes)
    return data


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)))


def test_partner_answers_through_the_form(app, client, survey, ids, partner_in):
    login(client, partner_in().email)
    page = client.get(f"/surveys/{survey}").get_data(as_text=True)
    assert "Who bills?" in page and "Send my answers" in page
    response = post_form(
        client, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}"
    )
    assert response.status_code == 302
    again = client.get(f"/surveys/{survey}").get_data(as_text=True)
    assert "Update my answers" in again and "Bill it ourselves." in again
    post_form(client, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}")
    assert responses(app) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scale": "7"}, "Choose a value from 1 to 5."),
        ({"single": ""}, "This question needs an answer."),
        ({"text": "x" * 100_000}, "under 5,000 characters"),
    ],
)
def test_bad_answers_are_shown_beside_their_question(
    app, client, survey, ids, partner_in, changes, message
):
    login(client, partner_in().email)
    data = form_answers(ids, **{f"q{ids[k]}": v for k, v in changes.items()})
    response = post_form(client, f"/surveys/{survey}/answer", data, f"/surveys/{survey}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert responses(app) == 0


def test_a_choice_from_another_question_is_refused(app, client, survey, ids, partner_in):
    login(client, partner_in().email)
    data = form_answers(ids, **{f"q{ids['single']}": str(ids["backup"])})
    assert (
        post_form(client, f"/surveys/{survey}/answer", data, f"/surveys/{survey}").status_code
        == 400
    )
    assert responses(app) == 0


def test_answering_a_closed_survey_is_refused(app, client, survey, ids, partner_in):
    set_status(app, survey, SurveyStatus.CLOSED)
    login(client, partner_in().email)
    response = post_form(
        client, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}"
    )
    assert response.status_code == 409 and "This survey is closed." in response.get_data(
        as_text=True
    )
    assert responses(app) == 0


def test_draft_surveys_are_hidden_from_partners(app, client, survey, partner_in):
    set_status(app, survey, SurveyStatus.DRAFT)
    login(client, partner_in().email)
    assert client.get(f"/surveys/{survey}").status_code == 404
    assert "Billing survey" not in client.get("/surveys").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.PARTNER, SurveyStatus.CLOSED, 403),
        (Role.VENDOR, SurveyStatus.OPEN, 403),
        (Role.VENDOR, SurveyStatus.CLOSED, 200),
        (Role.EDITOR, SurveyStatus.OPEN, 200),
        (Role.ADMIN, SurveyStatus.OPEN, 200),
    ],
)
def test_who_reads_the_report(app, client, make, survey, answered_by, role, status, expected):
    answered_by(5)
    set_status(app, survey, status)
    login(client, make.user(role).email)
    for suffix in ("", ".csv"):
        assert client.get(f"/surveys/{survey}/report{suffix}").status_code == expected


def test_anonymous_visitors_cannot_read_reports(client, survey):
    assert client.get(f"/surveys/{survey}/report.pdf").status_code == 302


def test_exports_are_audited_pdf_and_csv(app, client, make, survey, ids, partner_in, answered_by):
    answered_by(4)
    partner = app.test_client()
    login(partner, partner_in().email)
    post_form(partner, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}")
    login(client, make.user(Role.EDITOR).email)
    pdf = client.get(f"/surveys/{survey}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv_text = client.get(f"/surveys/{survey}/report.csv").data.decode("utf-8-sig")
    assert csv_text.startswith("section,question,segment,group,answer,count,percent,organisations")
    assert "Answers,Q1. Who bills?,All,,Partner,5,100%,,," in csv_text
    assert "Breakdowns by segment show only groups of at least 5 organisations" in csv_text
    assert "Note,,,,,,,,,Billing survey — Results as of " in csv_text
    with app.app_context():
        formats = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "export.survey_report")
        ).all()
        assert [d["format"] for d in formats] == ["pdf", "csv"]


def test_editor_builds_a_survey_through_the_pages(app, client, make):
    login(client, make.user(Role.EDITOR).email)
    created = post_form(
        client, "/surveys/new", {"title": "Intune survey", "intro": "Hello *all*", "product": 0}
    )
    assert created.status_code == 302
    survey_url = created.headers["Location"]
    survey_id = int(survey_url.rsplit("/", 1)[1])
    added = post_form(
        client,
        f"/surveys/{survey_id}/questions",
        {"kind": "single", "prompt": "Sell it?", "required": "y", "choices": "Yes\nNo"},
        survey_url,
    )
    assert added.status_code == 302
    bad = post_form(
        client,
        f"/surveys/{survey_id}/questions",
        {"kind": "single", "prompt": "One?", "choices": "Only"},
        survey_url,
    )
    assert bad.status_code == 400 and "at least two choices" in bad.get_data(as_text=True)
    post_form(client, f"/surveys/{survey_id}/open", {}, survey_url)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.status == SurveyStatus.OPEN and [q.prompt for q in survey.questions] == [
            "Sell it?"
        ]


def test_partners_cannot_edit_surveys(client, survey, partner_in):
    login(client, partner_in().email)
    assert client.get(f"/surveys/{survey}/edit").status_code == 403
    assert post_form(client, f"/surveys/{survey}/close", {}, "/surveys").status_code == 403


def test_a_published_brief_is_public_and_frozen(
    app, client, make, survey, ids, partner_in, answered_by
):
    answered_by(4)
    partner = app.test_client()
    login(partner, partner_in(name="Secret Partner Ltd").email)
    post_form(partner, f"/surveys/{survey}/answer", form_answers(ids), f"/surveys/{survey}")
    login(client, make.user(Role.EDITOR).email)
    published = post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": "Partners want to bill", "slug": "billing-2026"},
        f"/surveys/{survey}/report",
    )
    assert published.headers["Location"] == "/briefs/billing-2026"
    public = app.test_client().get("/briefs/billing-2026")
    html = public.get_data(as_text=True)
    assert public.status_code == 200
    assert "Partners want to bill" in html and "results as of" in html
    assert "Bill it ourselves." not in html and "Secret Partner Ltd" not in html
    taken = post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": "Again", "slug": "billing-2026"},
        f"/surveys/{survey}/report",
    )
    assert taken.status_code == 400 and "already taken" in taken.get_data(as_text=True)
    post_form(client, "/briefs/billing-2026/unpublish", {}, "/briefs")
    assert app.test_client().get("/briefs/billing-2026").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Brief.id))) == 0


@pytest.mark.parametrize("slug", ["Has Spaces", "UPPER", "-dash", "a" * 81, ""])
def test_bad_brief_addresses_are_refused(app, client, make, survey, slug):
    login(client, make.user(Role.EDITOR).email)
    post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": "T", "slug": slug},
        f"/surveys/{survey}/report",
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Brief.id))) == 0


def test_board_brief_publishes_top_requirements(app, client, make, make_requirement):
    make_requirement("Top billing requirement")
    login(client, make.user(Role.EDITOR).email)
    post_form(client, "/briefs/board", {"title": "Top asks", "slug": "top-asks"}, "/briefs")
    html = app.test_client().get("/briefs/top-asks").get_data(as_text=True)
    assert "Top billing requirement" in html and "Top asks" in html

"""Survey rules: building, status, locking, answering with every kind of bad input."""

import pytest
from sqlalchemy import func, select

from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Answer, QuestionKind, Response, Role, Survey, SurveyStatus
from portal.surveys import services
from portal.surveys.services import SubmittedAnswer as A
from tests.surveys.conftest import good_answers as good
from tests.surveys.conftest import user


def get(survey_id) -> Survey:
    return db.session.get(Survey, survey_id)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_partner_answers_and_can_change_the_answers(ctx, survey, ids, partner_in):
    partner = partner_in()
    response, problems = services.submit_response(user(partner), get(survey), good(ids))
    assert problems == {}
    assert len(response.answers) == 5  # single, two multi choices, scale, text
    services.submit_response(user(partner), get(survey), good(ids, {ids["multi"]: A([])}))
    assert count(Response) == 1 and count(Answer) == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"single": A([])}, "single", "needs an answer"),
        ({"single": A(["backup"])}, "single", "Choose from the listed answers."),
        ({"single": A(["partner", "vendor"])}, "single", "Choose one answer."),
        ({"multi": A(["backup", "backup"])}, "multi", "Choose each answer once."),
        ({"multi": A(["partner"])}, "multi", "Choose from the listed answers."),
        ({"multi": A(["not-a-number"])}, "multi", "Choose from the listed answers."),
        ({"scale": A([], scale="7")}, "scale", "Choose a value from 1 to 5."),
        ({"scale": A([], scale="")}, "scale", "needs an answer"),
        ({"text": A([], text="x" * 100_000)}, "text", "under 5,000 characters"),
        ({"text": A([], text="hi", quotable="always")}, "text", "may quote you"),
    ],
)
def test_bad_answers_are_explained_and_nothing_is_saved(
    ctx, survey, ids, partner_in, changes, field, message
):
    resolved = {}
    for key, answer in changes.items():
        answer.choice_ids = [str(ids.get(c, c)) for c in answer.choice_ids]
        resolved[ids[key]] = answer
    response, problems = services.submit_response(
        user(partner_in()), get(survey), good(ids, resolved)
    )
    assert response is None
    assert message in problems[f"q{ids[field]}"]
    assert count(Response) == 0 and count(Answer) == 0


@pytest.mark.parametrize(
    ("status", "message"), [(SurveyStatus.CLOSED, "closed"), (SurveyStatus.DRAFT, "not open")]
)
def test_closed_and_draft_surveys_refuse_answers(ctx, survey, ids, partner_in, status, message):
    get(survey).status = status
    db.session.commit()
    with pytest.raises(ServiceError, match=message):
        services.submit_response(user(partner_in()), get(survey), good(ids))
    assert count(Response) == 0


def test_a_survey_past_its_closing_date_refuses_answers(ctx, survey, ids, partner_in):
    from datetime import timedelta

    from portal.database import utcnow

    get(survey).closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(ServiceError):
        services.submit_response(user(partner_in()), get(survey), good(ids))


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VENDOR, Role.ADMIN])
def test_only_partners_answer(ctx, make, survey, ids, role):
    with pytest.raises(ServiceError, match="Only partner"):
        services.submit_response(user(make.user(role)), get(survey), good(ids))


def test_questions_are_locked_once_answered(ctx, make, survey, ids, partner_in):
    editor = user(make.user(Role.EDITOR))
    services.submit_response(user(partner_in()), get(survey), good(ids))
    with pytest.raises(ServiceError, match="already answered"):
        services.save_question(editor, get(survey), None, QuestionKind.TEXT, "New?", False, [])
    question = get(survey).questions[0]
    with pytest.raises(ServiceError, match="already answered"):
        services.delete_question(editor, question)
    copy = services.duplicate_survey(editor, get(survey))
    assert copy.status == SurveyStatus.DRAFT and len(copy.questions) == 4
    assert [c.label for c in copy.questions[0].choices] == ["Partner", "Vendor"]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        (QuestionKind.SINGLE, ["Only one"], "at least two choices"),
        (QuestionKind.MULTI, ["A", "a"], "must be different"),
        (QuestionKind.SINGLE, ["x" * 201, "y"], "under 200 characters"),
    ],
)
def test_bad_questions_are_refused(ctx, make, kind, choices, message):
    editor = user(make.user(Role.EDITOR))
    draft = services.save_survey(editor, None, "Draft", "", None, None, None)
    with pytest.raises(ServiceError, match=message):
        services.save_question(editor, draft, None, kind, "Prompt?", True, choices)


def test_status_goes_draft_open_closed_only(ctx, make):
    editor = user(make.user(Role.EDITOR))
    draft = services.save_survey(editor, None, "Draft", "", None, None, None)
    with pytest.raises(ServiceError, match="at least one question"):
        services.set_status(editor, draft, SurveyStatus.OPEN)
    services.save_question(editor, draft, None, QuestionKind.SCALE, "How much?", True, [])
    services.set_status(editor, draft, SurveyStatus.OPEN)
    with pytest.raises(ServiceError, match="cannot become draft"):
        services.set_status(editor, draft, SurveyStatus.DRAFT)
    services.set_status(editor, draft, SurveyStatus.CLOSED)
    with pytest.raises(ServiceError, match="cannot become open"):
        services.set_status(editor, draft, SurveyStatus.OPEN)


def test_closing_date_must_follow_opening_date(ctx, make):
    from datetime import UTC, datetime

    editor = user(make.user(Role.EDITOR))
    with pytest.raises(ServiceError, match="after the opening"):
        services.save_survey(
            editor,
            None,
            "T",
            "",
            None,
            datetime(2026, 5, 2, tzinfo=UTC),
            datetime(2026, 5, 1, tzinfo=UTC),
        )


def test_reordering_questions(ctx, make, survey):
    editor = user(make.user(Role.EDITOR))
    third = get(survey).questions[2]
    services.move_question(editor, third, -1)
    assert [q.prompt for q in get(survey).questions] == [
        "Who bills?",
        "What would you bundle?",
        "Sales impact?",
        "What else?",
    ][:1] + ["Sales impact?", "What would you bundle?", "What else?"]

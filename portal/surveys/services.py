"""Survey rules: editors build and run surveys; partners answer once (editable until closing)."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.access import can_run_surveys, can_take_part
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.markup import render_markdown
from portal.models import (
    Answer,
    Choice,
    Question,
    QuestionKind,
    QuoteConsent,
    Requirement,
    Response,
    Survey,
    SurveyStatus,
    User,
)
from portal.models.surveys import CHOICE_MAX, TEXT_ANSWER_MAX
from portal.surveys import release
from portal.webhooks import services as webhooks

MAX_CHOICES = 20


def _check_editor(user: User) -> None:
    if not can_run_surveys(user):
        raise ServiceError("Only the editor can change surveys.")


def response_count(survey: Survey) -> int:
    query = select(func.count(Response.id)).where(Response.survey_id == survey.id)
    return db.session.execute(query).scalar_one()


def response_counts(survey_ids: list[int]) -> dict[int, int]:
    """Responses per survey id, in one GROUP BY (surveys without any are left out)."""
    if not survey_ids:
        return {}
    query = (
        select(Response.survey_id, func.count(Response.id))
        .where(Response.survey_id.in_(survey_ids))
        .group_by(Response.survey_id)
    )
    return {survey_id: count for survey_id, count in db.session.execute(query)}


def is_locked(survey: Survey) -> bool:
    """A survey with responses keeps its questions (close or duplicate it instead)."""
    return response_count(survey) > 0


def _check_unlocked(survey: Survey) -> None:
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError("The survey is closed. Duplicate it to run it again.")
    if is_locked(survey):
        raise ServiceError(
            "Partners have already answered: the questions can no longer change. "
            "Close the survey or duplicate it."
        )


def accepting(survey: Survey, now: datetime | None = None) -> bool:
    """Whether partners can answer now: open, and inside its dates when it has them."""
    now = now or utcnow()
    return (
        survey.status == SurveyStatus.OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )


def surveys_for(user: User) -> Select:
    """Editors and admins see every survey; others see open and closed ones, newest first."""
    query = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if not can_run_surveys(user):
        query = query.where(Survey.status != SurveyStatus.DRAFT)
    return query


def own_response(survey: Survey, user: User) -> Response | None:
    return db.session.scalar(
        select(Response).where(Response.survey_id == survey.id, Response.user_id == user.id)
    )


def answered_surveys(user: User) -> set[int]:
    """Ids of the surveys the user has answered."""
    return set(db.session.scalars(select(Response.survey_id).where(Response.user_id == user.id)))


def record_report_export(user: User, survey: Survey, fmt: str) -> None:
    """Every export of a survey report is an audit event."""
    audit.record(user, "export.survey_report", f"survey:{survey.id}", format=fmt)
    db.session.commit()


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise ServiceError("The closing date must be after the opening date.", "closes_at")


def save_survey(
    editor: User,
    survey: Survey | None,
    title: str,
    intro: str,
    product_id: int | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    requirement_ids: list[int] | None = None,
) -> Survey:
    """Create a draft survey or change its title, intro, product, dates and related requirements."""
    _check_editor(editor)
    _check_dates(opens_at, closes_at)
    intro_html = render_markdown(intro)
    if survey is None:
        survey = Survey(editor_id=editor.id)
        db.session.add(survey)
    survey.title, survey.intro, survey.intro_html = title.strip(), intro, intro_html
    survey.product_id = product_id or None
    survey.opens_at, survey.closes_at = opens_at, closes_at
    if requirement_ids is not None:
        survey.requirements = list(
            db.session.scalars(select(Requirement).where(Requirement.id.in_(requirement_ids)))
        )
    db.session.flush()
    audit.record(editor, "survey.save", f"survey:{survey.id}")
    db.session.commit()
    return survey


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTI)


def _clean_choices(kind: QuestionKind, choices: list[str]) -> list[str]:
    """The choice labels of a choice question; scale and free-text questions have none, so
    whatever the (hidden) choices box still holds is ignored for them."""
    if kind not in CHOICE_KINDS:
        return []
    labels = [c.strip() for c in choices if c.strip()]
    if kind in CHOICE_KINDS:
        if len(labels) < 2:
            raise ServiceError("A choice question needs at least two choices.", "choices")
        if len(labels) > MAX_CHOICES:
            raise ServiceError(f"Use at most {MAX_CHOICES} choices.", "choices")
        if len({c.lower() for c in labels}) != len(labels):
            raise ServiceError("Each choice must be different.", "choices")
        if any(len(c) > CHOICE_MAX for c in labels):
            raise ServiceError(f"Keep each choice under {CHOICE_MAX} characters.", "choices")
        return labels
    return []


def save_question(
    editor: User,
    survey: Survey,
    question: Question | None,
    kind: QuestionKind,
    prompt: str,
    required: bool,
    choices: list[str],
) -> Question:
    """Add a question at the end, or change one; refused once partners have answered."""
    _check_editor(editor)
    _check_unlocked(survey)
    labels = _clean_choices(kind, choices)
    if question is None:
        position = db.session.execute(
            select(func.coalesce(func.max(Question.position), 0)).where(
                Question.survey_id == survey.id
            )
        ).scalar_one()
        question = Question(survey_id=survey.id, position=position + 1)
        db.session.add(question)
    question.kind, question.prompt, question.required = kind, prompt.strip(), required
    question.choices = [Choice(position=i, label=label) for i, label in enumerate(labels, 1)]
    db.session.commit()
    return question


def delete_question(editor: User, question: Question) -> None:
    _check_editor(editor)
    _check_unlocked(question.survey)
    db.session.delete(question)
    db.session.commit()


def move_question(editor: User, question: Question, offset: int) -> None:
    """Swap a question with its neighbour above (-1) or below (+1)."""
    _check_editor(editor)
    _check_unlocked(question.survey)
    questions = list(question.survey.questions)
    index = questions.index(question)
    other = index + offset
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        for position, item in enumerate(questions, 1):
            item.position = position
    db.session.commit()


TRANSITIONS = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
    SurveyStatus.CLOSED: set(),
}


def set_status(editor: User, survey: Survey, status: SurveyStatus) -> None:
    """Draft → open → closed, audited; closing releases the report if enough answers wait."""
    _check_editor(editor)
    if status not in TRANSITIONS[survey.status]:
        raise ServiceError(f"A {survey.status.value} survey cannot become {status.value}.")
    if status == SurveyStatus.OPEN and not survey.questions:
        raise ServiceError("Add at least one question before opening the survey.")
    old = survey.status
    survey.status = status
    if status == SurveyStatus.CLOSED:
        # Only when enough organisations wait: a release forced at closing would differ from
        # the last one by whoever answered just before.
        release.release_if_due(survey)
        webhooks.emit("survey.closed", webhooks.survey_data(survey))
    audit.record(editor, "survey.status", f"survey:{survey.id}", old=old.value, new=status.value)
    db.session.commit()


def duplicate_survey(editor: User, survey: Survey) -> Survey:
    """A new draft with the same intro, questions and related requirements."""
    _check_editor(editor)
    copy = Survey(
        title=f"{survey.title} (copy)"[:200],
        intro=survey.intro,
        intro_html=survey.intro_html,
        product_id=survey.product_id,
        editor_id=editor.id,
        requirements=list(survey.requirements),
        questions=[
            Question(
                position=q.position,
                kind=q.kind,
                prompt=q.prompt,
                required=q.required,
                choices=[Choice(position=c.position, label=c.label) for c in q.choices],
            )
            for q in survey.questions
        ],
    )
    db.session.add(copy)
    db.session.flush()
    audit.record(editor, "survey.duplicate", f"survey:{copy.id}", source=survey.id)
    db.session.commit()
    return copy


# -- Answering ------------------------------------------------------------------------------------


@dataclass
class SubmittedAnswer:
    """What the form sent for one question, before validation."""

    choice_ids: list[str]
    scale: str = ""
    text: str = ""
    quotable: str = QuoteConsent.NO.value


def _validate(question: Question, submitted: SubmittedAnswer) -> list[Answer]:
    """Answers for one question, or ServiceError naming the problem (field = question id)."""
    field = f"q{question.id}"
    valid_ids = {c.id for c in question.choices}
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        try:
            ids = [int(c) for c in submitted.choice_ids if c != ""]
        except ValueError:
            raise ServiceError("Choose from the listed answers.", field) from None
        if any(i not in valid_ids for i in ids):
            raise ServiceError("Choose from the listed answers.", field)
        if question.kind == QuestionKind.SINGLE and len(ids) > 1:
            raise ServiceError("Choose one answer.", field)
        if len(set(ids)) != len(ids):
            raise ServiceError("Choose each answer once.", field)
        return [Answer(question_id=question.id, choice_id=i) for i in ids]
    if question.kind == QuestionKind.SCALE:
        if submitted.scale == "":
            return []
        if submitted.scale not in {"1", "2", "3", "4", "5"}:
            raise ServiceError("Choose a value from 1 to 5.", field)
        return [Answer(question_id=question.id, scale_value=int(submitted.scale))]
    text = submitted.text.strip()
    if len(text) > TEXT_ANSWER_MAX:
        raise ServiceError(f"Keep the answer under {TEXT_ANSWER_MAX:,} characters.", field)
    try:
        quotable = QuoteConsent(submitted.quotable or QuoteConsent.NO.value)
    except ValueError:
        raise ServiceError("Choose whether the editor may quote you.", field) from None
    return [Answer(question_id=question.id, text=text, quotable=quotable)] if text else []


def submit_response(
    user: User, survey: Survey, submitted: dict[int, SubmittedAnswer]
) -> tuple[Response | None, dict[str, str]]:
    """Record or replace the user's answers, all or nothing.

    Returns the response and an empty dict, or (None, problems by field) when anything is wrong.
    The report is released in the same transaction when enough organisations wait.
    """
    if not can_take_part(user) or user.organisation_id is None:
        raise ServiceError("Only partner organisations' members answer surveys.")
    if not accepting(survey):
        raise ServiceError(
            "This survey is closed."
            if survey.status == SurveyStatus.CLOSED
            else "This survey is not open for answers."
        )
    problems: dict[str, str] = {}
    answers: list[Answer] = []
    for question in survey.questions:
        try:
            found = _validate(question, submitted.get(question.id, SubmittedAnswer([])))
        except ServiceError as error:
            problems[f"q{question.id}"] = error.message
            continue
        if question.required and not found:
            problems[f"q{question.id}"] = "This question needs an answer."
        answers += found
    if problems:
        return None, problems
    response = own_response(survey, user)
    if response is None:
        response = Response(
            survey_id=survey.id, user_id=user.id, organisation_id=user.organisation_id
        )
        db.session.add(response)
    response.answers = answers
    # Stamped after taking the survey's lock, so a release running at the same time either
    # includes these answers or counts them as pending.
    release.lock(survey)
    response.updated_at = utcnow()
    release.release_if_due(survey)
    try:
        db.session.commit()
    except IntegrityError:
        # A parallel first submission by the same user won: keep theirs, ask to retry.
        db.session.rollback()
        raise ServiceError(
            "Your answers were just saved from another window; please reload."
        ) from None
    return response, {}


def answers_by_question(response: Response | None) -> dict[int, list[Answer]]:
    """The user's saved answers, to fill the form again."""
    grouped: dict[int, list[Answer]] = {}
    for answer in response.answers if response else []:
        grouped.setdefault(answer.question_id, []).append(answer)
    return grouped


def get_survey(survey_id: int, viewer: User) -> Survey:
    """The survey, or a 404; drafts exist only for those who run surveys."""
    survey = db.get_or_404(Survey, survey_id)
    if survey.status == SurveyStatus.DRAFT and not can_run_surveys(viewer):
        abort(404)
    return survey


def get_question(survey: Survey, question_id: int) -> Question:
    """The survey's question, or a 404 (also for another survey's question)."""
    question = db.get_or_404(Question, question_id)
    if question.survey_id != survey.id:
        abort(404)
    return question

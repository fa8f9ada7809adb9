"""Survey pages under /surveys, and the public briefs under /briefs."""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import (
    can_read_board,
    can_read_survey_report,
    can_read_survey_reports,
    can_run_surveys,
    can_take_part,
    require,
)
from portal.board import services as board
from portal.briefs import services as briefs
from portal.briefs.forms import BriefForm
from portal.database import utcnow
from portal.documents.files import (
    csv_response,
    dated_filename,
    pdf_response,
    render_pdf,
    slug,
)
from portal.models import QuestionKind, SurveyStatus
from portal.models import Survey as SurveyModel
from portal.surveys import release, report, services
from portal.surveys.forms import QuestionForm, SurveyForm, end_of, start_of
from portal.web.forms import REFUSED, ActionForm, attempt, form_status
from portal.web.pagination import paginate

bp = Blueprint("surveys", __name__)

PRIVACY_FOOTNOTE = (
    "Results are released, not live: they change only once at least {n} organisations have "
    "answered or changed their answers since the last release. A question's results are shown "
    "only when at least {n} organisations answered it. Breakdowns by segment show only groups of "
    "at least {n} organisations; smaller groups, and where needed the next smallest, are "
    "suppressed. Quotes are printed only as their authors consented."
)


def survey_form(survey: SurveyModel | None = None) -> SurveyForm:
    form = SurveyForm(obj=survey)
    form.product.choices = [(0, "— any product —"), *((p.id, p.name) for p in board.products())]
    form.requirements.choices = [(i, f"#{i} {t}") for i, t in board.requirement_titles()]
    if survey is not None and request.method == "GET":
        form.product.data = survey.product_id or 0
        form.opens_at.data = survey.opens_at.date() if survey.opens_at else None
        form.closes_at.data = survey.closes_at.date() if survey.closes_at else None
        form.requirements.data = [r.id for r in survey.requirements]
    return form


@bp.route("")
@require(can_read_board)
def index():
    """Partners see open surveys to answer; the editor sees every survey."""
    pagination = paginate(services.surveys_for(current_user), per_page=20)
    answered, counts = set(), {}
    if can_take_part(current_user):
        answered = services.answered_surveys(current_user)
    if can_run_surveys(current_user):
        counts = services.response_counts([s.id for s in pagination.items])
    return render_template(
        "surveys/index.html",
        pagination=pagination,
        answered=answered,
        responses=counts,
        accepting=services.accepting,
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@require(can_run_surveys)
def edit(survey_id: int | None = None):
    survey = services.get_survey(survey_id, current_user) if survey_id else None
    form = survey_form(survey)
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.save_survey,
            current_user,
            survey,
            form.title.data or "",
            form.intro.data or "",
            form.product.data,
            start_of(form.opens_at.data),
            end_of(form.closes_at.data),
            form.requirements.data,
        )
        if saved is not REFUSED:
            flash("The survey is saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=saved.id))
    return render_template("surveys/form.html", form=form, survey=survey), form_status(form)


def render_manage(survey: SurveyModel, question_form: QuestionForm | None = None, status=200):
    return render_template(
        "surveys/manage.html",
        survey=survey,
        question_form=question_form or QuestionForm(),
        action_form=ActionForm(),
        brief_form=BriefForm(),
        locked=services.is_locked(survey),
        responses=services.response_count(survey),
        accepting=services.accepting(survey),
    ), status


def render_answer(survey: SurveyModel, problems=None, submitted=None, status=200, preview=False):
    response = None if preview else services.own_response(survey, current_user)
    return render_template(
        "surveys/answer.html",
        survey=survey,
        response=response,
        saved=services.answers_by_question(response),
        submitted=submitted,
        problems=problems or {},
        form=ActionForm(),
        accepting=services.accepting(survey),
        preview=preview,
    ), status


@bp.route("/<int:survey_id>")
@require(can_read_board)
def detail(survey_id: int):
    """Editors manage the survey; partners answer it; others read what it asks."""
    survey = services.get_survey(survey_id, current_user)
    if can_run_surveys(current_user):
        return render_manage(survey)
    return render_answer(survey)


@bp.route("/<int:survey_id>/preview")
@require(can_run_surveys)
def preview(survey_id: int):
    """The answer form as a partner sees it, read-only, for the editor (drafts included)."""
    return render_answer(services.get_survey(survey_id, current_user), preview=True)


def submitted_answers(survey: SurveyModel) -> dict[int, services.SubmittedAnswer]:
    answers = {}
    for question in survey.questions:
        name = f"q{question.id}"
        answers[question.id] = services.SubmittedAnswer(
            choice_ids=request.form.getlist(name)
            if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI)
            else [],
            scale=request.form.get(name, "") if question.kind == QuestionKind.SCALE else "",
            text=request.form.get(name, "") if question.kind == QuestionKind.TEXT else "",
            quotable=request.form.get(f"{name}_quotable", "no"),
        )
    return answers


@bp.route("/<int:survey_id>/answer", methods=["POST"])
@require(can_take_part)
def answer(survey_id: int):
    survey = services.get_survey(survey_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    submitted = submitted_answers(survey)
    result = attempt(None, services.submit_response, current_user, survey, submitted)
    if result is REFUSED:
        return render_answer(survey, status=409)
    _, problems = result
    if problems:
        return render_answer(survey, problems, submitted, 400)
    flash(
        "Thank you: your answers are saved. You can change them until the survey closes.", "success"
    )
    return redirect(url_for("surveys.detail", survey_id=survey.id))


def editor_action(survey_id: int) -> SurveyModel:
    survey = services.get_survey(survey_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    return survey


@bp.route("/<int:survey_id>/questions", methods=["POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@require(can_run_surveys)
def question(survey_id: int, question_id: int | None = None):
    survey = services.get_survey(survey_id, current_user)
    existing = services.get_question(survey, question_id) if question_id else None
    form = QuestionForm(obj=existing)
    if existing is not None and request.method == "GET":
        form.kind.data = existing.kind.value
        form.choices.data = "\n".join(c.label for c in existing.choices)
        return render_template("surveys/question.html", survey=survey, form=form, question=existing)
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.save_question,
            current_user,
            survey,
            existing,
            QuestionKind(form.kind.data),
            form.prompt.data or "",
            form.required.data,
            (form.choices.data or "").splitlines(),
        )
        if saved is not REFUSED:
            flash("The question is saved.", "success")
            return redirect(url_for("surveys.detail", survey_id=survey.id) + "#questions")
    if existing is not None:
        return render_template(
            "surveys/question.html", survey=survey, form=form, question=existing
        ), form_status(form)
    return render_manage(survey, form, form_status(form))


@bp.route(
    "/<int:survey_id>/questions/<int:question_id>/<any(up, down, delete):action>", methods=["POST"]
)
@require(can_run_surveys)
def question_action(survey_id: int, question_id: int, action: str):
    survey = editor_action(survey_id)
    item = services.get_question(survey, question_id)
    if action == "delete":
        attempt(None, services.delete_question, current_user, item)
    else:
        attempt(None, services.move_question, current_user, item, -1 if action == "up" else 1)
    return redirect(url_for("surveys.detail", survey_id=survey.id) + "#questions")


@bp.route("/<int:survey_id>/<any(open, close):action>", methods=["POST"])
@require(can_run_surveys)
def change_status(survey_id: int, action: str):
    survey = editor_action(survey_id)
    status = SurveyStatus.OPEN if action == "open" else SurveyStatus.CLOSED
    changed = attempt(None, services.set_status, current_user, survey, status)
    if changed is not REFUSED:
        flash(f"The survey is {status.value}.", "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))


@bp.route("/<int:survey_id>/duplicate", methods=["POST"])
@require(can_run_surveys)
def duplicate(survey_id: int):
    copy = services.duplicate_survey(current_user, editor_action(survey_id))
    flash("A draft copy is ready to edit.", "success")
    return redirect(url_for("surveys.detail", survey_id=copy.id))


def report_survey(survey_id: int) -> SurveyModel:
    """Editors and admins read any report; vendor users once the survey is closed."""
    survey = services.get_survey(survey_id, current_user)
    if not can_read_survey_report(current_user, survey):
        abort(403)
    return survey


def render_report(survey: SurveyModel, brief_form: BriefForm | None = None, status=200):
    """The report page: the released report, how current it is, and the brief form."""
    state = release.release_state(survey)
    return render_template(
        "surveys/report.html",
        survey=survey,
        state=state,
        report=state.report,
        brief_form=brief_form or BriefForm(),
        published=briefs.for_survey(survey),
        footnote=PRIVACY_FOOTNOTE.format(n=state.min_orgs),
    ), status


@bp.route("/<int:survey_id>/report")
@require(can_read_survey_reports)
def survey_report(survey_id: int):
    """The survey's report as last released."""
    return render_report(report_survey(survey_id))


def exported_report(
    survey_id: int, fmt: str
) -> tuple[SurveyModel, release.ReleaseState, dict[str, Any]]:
    """The survey and its released report for an export.

    Before the first release there is nothing to export: back to the report page, which says why.
    """
    survey = report_survey(survey_id)
    state = release.release_state(survey)
    if state.report is None:
        flash(state.note, "info")
        abort(redirect(url_for("surveys.survey_report", survey_id=survey.id)))
    return survey, state, state.report


def audited(survey: SurveyModel, fmt: str) -> Callable[[], None]:
    """Every export is an audit event, recorded once the whole file was handed to the server."""
    return partial(services.record_report_export, current_user._get_current_object(), survey, fmt)


@bp.route("/<int:survey_id>/report.csv")
@require(can_read_survey_reports)
def report_csv(survey_id: int):
    survey, state, released = exported_report(survey_id, "csv")
    notes = [f"{survey.title} — {state.note}", PRIVACY_FOOTNOTE.format(n=state.min_orgs)]
    return csv_response(
        report_filename(survey, "csv"),
        report.CSV_HEADER,
        report.csv_rows(released, notes),
        on_complete=audited(survey, "csv"),
    )


@bp.route("/<int:survey_id>/report.pdf")
@require(can_read_survey_reports)
def report_pdf(survey_id: int):
    survey, state, released = exported_report(survey_id, "pdf")
    pdf = render_pdf(
        "surveys/report_pdf.html",
        report=released,
        state=state,
        subtitle=report.period_sentence(released["survey"]),
        footnote=PRIVACY_FOOTNOTE.format(n=state.min_orgs),
    )
    return pdf_response(report_filename(survey, "pdf"), pdf, audited(survey, "pdf"))


def report_filename(survey: SurveyModel, fmt: str) -> str:
    """survey-<title slug or id>-report_<date>.<fmt>"""
    day = utcnow().date()
    return dated_filename(f"survey-{slug(survey.title) or survey.id}-report", [], day, fmt)


@bp.route("/<int:survey_id>/brief", methods=["POST"])
@require(can_run_surveys)
def publish_brief(survey_id: int):
    survey = services.get_survey(survey_id, current_user)
    form = BriefForm()
    if form.validate_on_submit():
        brief = attempt(
            form,
            briefs.publish_survey_brief,
            current_user,
            survey,
            form.slug.data or "",
            form.title.data or "",
        )
        if brief is not REFUSED:
            flash("The brief is published.", "success")
            return redirect(url_for("briefs.show", slug=brief.slug))
    return render_report(survey, form, form_status(form))

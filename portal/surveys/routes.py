"""Survey pages under /surveys, and the public briefs under /briefs."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.access import role_required
from portal.briefs import services as briefs
from portal.briefs.forms import BriefForm
from portal.documents.files import csv_response, pdf_response, render_pdf
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Product, Question, QuestionKind, Requirement, Role, Status, SurveyStatus
from portal.models import Survey as SurveyModel
from portal.surveys import release, report, services
from portal.surveys.forms import QuestionForm, SurveyForm, end_of, start_of
from portal.web.forms import ActionForm, apply_error, form_status
from portal.web.pagination import page_args

bp = Blueprint("surveys", __name__)

EDITORS = (Role.EDITOR, Role.ADMIN)
PRIVACY_FOOTNOTE = (
    "Results are released, not live: they change only once at least {n} organisations have "
    "answered or changed their answers since the last release. A question's results are shown "
    "only when at least {n} organisations answered it. Breakdowns by segment show only groups of "
    "at least {n} organisations; smaller groups, and where needed the next smallest, are "
    "suppressed. Quotes are printed only as their authors consented."
)


def get_survey(survey_id: int) -> SurveyModel:
    survey = db.get_or_404(SurveyModel, survey_id)
    if survey.status == SurveyStatus.DRAFT and current_user.role not in EDITORS:
        abort(404)
    return survey


def survey_form(survey: SurveyModel | None = None) -> SurveyForm:
    form = SurveyForm(obj=survey)
    products = db.session.scalars(select(Product).order_by(Product.name))
    form.product.choices = [(0, "— any product —"), *((p.id, p.name) for p in products)]
    requirements = db.session.execute(
        select(Requirement.id, Requirement.title)
        .where(Requirement.status != Status.MERGED)
        .order_by(Requirement.score.desc())
    )
    form.requirements.choices = [(i, f"#{i} {t}") for i, t in requirements]
    if survey is not None and request.method == "GET":
        form.product.data = survey.product_id or 0
        form.opens_at.data = survey.opens_at.date() if survey.opens_at else None
        form.closes_at.data = survey.closes_at.date() if survey.closes_at else None
        form.requirements.data = [r.id for r in survey.requirements]
    return form


@bp.route("")
@role_required()
def index():
    """Partners see open surveys to answer; the editor sees every survey."""
    pagination = db.paginate(services.surveys_for(current_user), **page_args(per_page=20))
    answered = set()
    if current_user.role == Role.PARTNER:
        from portal.models import Response

        answered = set(
            db.session.scalars(
                select(Response.survey_id).where(Response.user_id == current_user.id)
            )
        )
    return render_template(
        "surveys/index.html", pagination=pagination, answered=answered, accepting=services.accepting
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(survey_id: int | None = None):
    survey = db.get_or_404(SurveyModel, survey_id) if survey_id else None
    form = survey_form(survey)
    if form.validate_on_submit():
        try:
            saved = services.save_survey(
                current_user,
                survey,
                form.title.data or "",
                form.intro.data or "",
                form.product.data,
                start_of(form.opens_at.data),
                end_of(form.closes_at.data),
                form.requirements.data,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
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


def render_answer(survey: SurveyModel, problems=None, submitted=None, status=200):
    response = services.own_response(survey, current_user)
    return render_template(
        "surveys/answer.html",
        survey=survey,
        response=response,
        saved=services.answers_by_question(response),
        submitted=submitted,
        problems=problems or {},
        form=ActionForm(),
        accepting=services.accepting(survey),
    ), status


@bp.route("/<int:survey_id>")
@role_required()
def detail(survey_id: int):
    """Editors manage the survey; partners answer it; others read what it asks."""
    survey = get_survey(survey_id)
    if current_user.role in EDITORS:
        return render_manage(survey)
    return render_answer(survey)


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
@role_required(Role.PARTNER)
def answer(survey_id: int):
    survey = get_survey(survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    submitted = submitted_answers(survey)
    try:
        response, problems = services.submit_response(current_user, survey, submitted)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_answer(survey, status=409)
    if problems:
        return render_answer(survey, problems, submitted, 400)
    flash(
        "Thank you: your answers are saved. You can change them until the survey closes.", "success"
    )
    return redirect(url_for("surveys.detail", survey_id=survey.id))


def editor_action(survey_id: int) -> SurveyModel:
    survey = db.get_or_404(SurveyModel, survey_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return survey


@bp.route("/<int:survey_id>/questions", methods=["POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def question(survey_id: int, question_id: int | None = None):
    survey = db.get_or_404(SurveyModel, survey_id)
    existing = db.get_or_404(Question, question_id) if question_id else None
    if existing is not None and existing.survey_id != survey.id:
        abort(404)
    form = QuestionForm(obj=existing)
    if existing is not None and request.method == "GET":
        form.kind.data = existing.kind.value
        form.choices.data = "\n".join(c.label for c in existing.choices)
        return render_template("surveys/question.html", survey=survey, form=form, question=existing)
    if form.validate_on_submit():
        try:
            services.save_question(
                current_user,
                survey,
                existing,
                QuestionKind(form.kind.data),
                form.prompt.data or "",
                form.required.data,
                (form.choices.data or "").splitlines(),
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
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
@role_required(*EDITORS)
def question_action(survey_id: int, question_id: int, action: str):
    survey = editor_action(survey_id)
    item = db.get_or_404(Question, question_id)
    if item.survey_id != survey.id:
        abort(404)
    try:
        if action == "delete":
            services.delete_question(current_user, item)
        else:
            services.move_question(current_user, item, -1 if action == "up" else 1)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("surveys.detail", survey_id=survey.id) + "#questions")


@bp.route("/<int:survey_id>/<any(open, close):action>", methods=["POST"])
@role_required(*EDITORS)
def change_status(survey_id: int, action: str):
    survey = editor_action(survey_id)
    status = SurveyStatus.OPEN if action == "open" else SurveyStatus.CLOSED
    try:
        services.set_status(current_user, survey, status)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(f"The survey is {status.value}.", "success")
    return redirect(url_for("surveys.detail", survey_id=survey.id))


@bp.route("/<int:survey_id>/duplicate", methods=["POST"])
@role_required(*EDITORS)
def duplicate(survey_id: int):
    copy = services.duplicate_survey(current_user, editor_action(survey_id))
    flash("A draft copy is ready to edit.", "success")
    return redirect(url_for("surveys.detail", survey_id=copy.id))


def report_survey(survey_id: int) -> SurveyModel:
    """Editors and admins read any report; vendor users once the survey is closed."""
    survey = get_survey(survey_id)
    if current_user.role == Role.VENDOR and survey.status != SurveyStatus.CLOSED:
        abort(403)
    return survey


REPORT_READERS = (Role.EDITOR, Role.ADMIN, Role.VENDOR)


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
@role_required(*REPORT_READERS)
def survey_report(survey_id: int):
    """The survey's report as last released."""
    return render_report(report_survey(survey_id))


def exported_report(
    survey_id: int, fmt: str
) -> tuple[SurveyModel, release.ReleaseState, dict[str, Any]]:
    """The survey and its released report for an export; every export is an audit event.

    Before the first release there is nothing to export: back to the report page, which says why.
    """
    survey = report_survey(survey_id)
    state = release.release_state(survey)
    if state.report is None:
        flash(state.note, "info")
        abort(redirect(url_for("surveys.survey_report", survey_id=survey.id)))
    audit.record(current_user, "export.survey_report", f"survey:{survey.id}", format=fmt)
    db.session.commit()
    return survey, state, state.report


@bp.route("/<int:survey_id>/report.csv")
@role_required(*REPORT_READERS)
def report_csv(survey_id: int):
    survey, state, released = exported_report(survey_id, "csv")
    return csv_response(
        f"survey-{survey.id}-report.csv",
        report.CSV_HEADER,
        report.csv_rows(released),
        [f"{survey.title} — {state.note}", PRIVACY_FOOTNOTE.format(n=state.min_orgs)],
    )


@bp.route("/<int:survey_id>/report.pdf")
@role_required(*REPORT_READERS)
def report_pdf(survey_id: int):
    survey, state, _ = exported_report(survey_id, "pdf")
    pdf = render_pdf(
        "surveys/report_pdf.html",
        report=state.report,
        state=state,
        footnote=PRIVACY_FOOTNOTE.format(n=state.min_orgs),
    )
    return pdf_response(f"survey-{survey.id}-report.pdf", pdf)


@bp.route("/<int:survey_id>/brief", methods=["POST"])
@role_required(*EDITORS)
def publish_brief(survey_id: int):
    survey = get_survey(survey_id)
    form = BriefForm()
    if form.validate_on_submit():
        try:
            brief = briefs.publish_survey_brief(
                current_user, survey, form.slug.data or "", form.title.data or ""
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash("The brief is published.", "success")
            return redirect(url_for("briefs.show", slug=brief.slug))
    return render_report(survey, form, form_status(form))

"""The vendor report page and its exports under /reports."""

from collections.abc import Callable
from functools import partial

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from portal import privacy
from portal.access import (
    can_export_reports,
    can_read_vendor_report,
    can_see_consented_names,
    require,
)
from portal.board.services import catalogue
from portal.database import utcnow
from portal.documents.files import csv_response, download_response
from portal.models import Status
from portal.reports import exports, jobs, queries
from portal.web.pagination import paginate

bp = Blueprint("reports", __name__)

PAGE_NAMES = 12  # names shown per requirement on the page; exports carry every name


def parse_filters() -> queries.ReportFilters:
    try:
        return queries.ReportFilters.from_args(request.args)
    except queries.FilterError as error:
        abort(400, description=" ".join(error.problems))


@bp.route("/vendor")
@require(can_read_vendor_report)
def vendor():
    """Requirements ranked by score with revenue, segments and trend; paginated."""
    try:
        filters = queries.ReportFilters.from_args(request.args)
    except queries.FilterError as error:
        filters, problems = queries.ReportFilters(), error.problems
    else:
        problems = []
    pagination = paginate(queries.requirements_query(filters), per_page=25)
    products, topics = catalogue()
    first = (pagination.page - 1) * pagination.per_page + 1
    return render_template(
        "reports/vendor.html",
        filters=filters,
        problems=problems,
        pagination=pagination,
        rows=queries.rows_for(list(pagination.items), current_user, first, names=PAGE_NAMES),
        summary=queries.summary(filters),
        breakdowns=queries.breakdowns(filters),
        trend=queries.trend(filters),
        products=products,
        topics=topics,
        statuses=list(Status),
        can_export=can_export_reports(current_user),
        show_names=can_see_consented_names(current_user),
    ), (400 if problems else 200)


def export(fmt: str):
    """An export of the filtered report: at once when small, as a background job when large.

    A small export's audit event is recorded once the whole file was handed to the server.
    """
    filters = parse_filters()
    if jobs.needs_job(filters):
        job = jobs.start(current_user, fmt, filters)
        return redirect(url_for("reports.export_job", job_id=job.id), 303)
    audited = partial(jobs.record_export, current_user._get_current_object(), filters, fmt)
    if fmt == "csv":
        now = utcnow()
        generated = now.strftime("%Y-%m-%d %H:%M UTC")
        return csv_response(
            exports.filename(filters, now.date(), "csv"),
            exports.HEADER,
            exports.csv_rows(filters, privacy.Viewer.of(current_user)),
            exports.footnotes(filters, generated),
            on_complete=audited,
        )
    return download(jobs.build(fmt, filters, current_user), audited)


def download(export, on_complete: Callable[[], None] | None = None) -> Response:
    return download_response(export.filename, export.mimetype, export.content, on_complete)


@bp.route("/vendor.csv")
@require(can_export_reports)
def vendor_csv():
    return export("csv")


@bp.route("/vendor.xlsx")
@require(can_export_reports)
def vendor_xlsx():
    return export("xlsx")


@bp.route("/vendor.pdf")
@require(can_export_reports)
def vendor_pdf():
    return export("pdf")


@bp.route("/exports/<int:job_id>")
@require(can_export_reports)
def export_job(job_id: int):
    """A large export's progress; it refreshes itself until the file is ready."""
    job = jobs.job_for(current_user, job_id)
    if job is None:
        abort(404)
    return render_template("reports/export_job.html", job=job)


@bp.route("/exports/<int:job_id>/download")
@require(can_export_reports)
def export_download(job_id: int):
    job = jobs.job_for(current_user, job_id)
    if job is None or job.status != "done" or job.content is None:
        abort(404)
    return download(jobs.Export(job.filename, job.mimetype, job.content))

"""The vendor report page and its exports under /reports."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from portal import audit, privacy
from portal.access import role_required
from portal.database import utcnow
from portal.exports import csv_response, pdf_response, render_pdf, xlsx_response
from portal.extensions import db
from portal.models import Product, Role, Status, Topic
from portal.pagination import page_args
from portal.reports import exports, queries

bp = Blueprint("reports", __name__)

READERS = (Role.VENDOR, Role.ADMIN, Role.EDITOR)  # the editor reads, without exporting
EXPORTERS = (Role.VENDOR, Role.ADMIN)


def parse_filters() -> queries.ReportFilters:
    try:
        return queries.ReportFilters.from_args(request.args)
    except queries.FilterError as error:
        abort(400, description=" ".join(error.problems))


def record_export(filters: queries.ReportFilters, fmt: str) -> None:
    audit.record(
        current_user,
        "export.vendor_report",
        "reports/vendor",
        format=fmt,
        filters=dict(filters.describe()),
    )
    db.session.commit()


@bp.route("/vendor")
@role_required(*READERS)
def vendor():
    """Requirements ranked by score with revenue, segments and trend; paginated."""
    try:
        filters = queries.ReportFilters.from_args(request.args)
    except queries.FilterError as error:
        filters, problems = queries.ReportFilters(), error.problems
    else:
        problems = []
    pagination = db.paginate(queries.requirements_query(filters), **page_args(per_page=25))
    first = (pagination.page - 1) * pagination.per_page + 1
    return render_template(
        "reports/vendor.html",
        filters=filters,
        problems=problems,
        pagination=pagination,
        rows=queries.rows_for(list(pagination.items), current_user, first),
        summary=queries.summary(filters),
        breakdowns=queries.breakdowns(filters),
        trend=queries.trend(filters),
        products=db.session.scalars(select(Product).order_by(Product.name)).all(),
        topics=db.session.scalars(select(Topic).order_by(Topic.name)).all(),
        statuses=list(Status),
        can_export=current_user.role in EXPORTERS,
        show_names=current_user.role in EXPORTERS,  # names are consented to the vendor only
    ), (400 if problems else 200)


@bp.route("/vendor.csv")
@role_required(*EXPORTERS)
def vendor_csv():
    filters = parse_filters()
    record_export(filters, "csv")
    generated = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    return csv_response(
        "vendor-report.csv",
        exports.HEADER,
        exports.csv_rows(filters, privacy.Viewer.of(current_user)),  # read before streaming
        exports.footnotes(filters, generated),
    )


@bp.route("/vendor.xlsx")
@role_required(*EXPORTERS)
def vendor_xlsx():
    filters = parse_filters()
    record_export(filters, "xlsx")
    generated = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    return xlsx_response("vendor-report.xlsx", exports.xlsx(filters, generated, current_user))


@bp.route("/vendor.pdf")
@role_required(*EXPORTERS)
def vendor_pdf():
    filters = parse_filters()
    record_export(filters, "pdf")
    generated = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    rows = list(queries.all_rows(filters, current_user))
    pdf = render_pdf(
        "reports/vendor_pdf.html",
        filters=filters,
        rows=rows,
        summary=queries.summary(filters),
        breakdowns=queries.breakdowns(filters),
        trend=queries.trend(filters),
        generated=generated,
        footnotes=exports.footnotes(filters, generated),
    )
    return pdf_response("vendor-report.pdf", pdf)

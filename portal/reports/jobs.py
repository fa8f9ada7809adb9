"""Vendor report exports, small ones at once and large ones as background jobs.

A large export (more rows than EXPORT_SYNC_ROWS) could outlast the web worker's timeout, and a
stream cut by a killed worker looks like a complete file. So it becomes an `ExportJob`: built in
a background thread with its progress in the database (any worker can show it), then downloaded
with a Content-Length, so a dropped connection can never pass for the whole report.
"""

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import Flask, current_app
from pypdf import PdfReader, PdfWriter
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict
from werkzeug.local import LocalProxy

from portal import audit, privacy
from portal.access import can_administer
from portal.database import MAX_ID, utcnow
from portal.documents.files import render_pdf, stream_csv
from portal.extensions import db
from portal.models import ExportJob, User
from portal.reports import exports, queries

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
KEEP = timedelta(days=1)  # finished exports are deleted after a day
STALLED = timedelta(hours=1)  # a job running this long died with its worker
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    content: bytes


def record_export(user: User, filters: queries.ReportFilters, fmt: str) -> None:
    """Every export of the report is an audit event with its filters."""
    audit.record(
        user, "export.vendor_report", "reports/vendor", format=fmt, filters=dict(filters.describe())
    )
    db.session.commit()


def row_count(filters: queries.ReportFilters) -> int:
    ids = queries.requirement_ids(filters).subquery()
    return db.session.execute(select(func.count()).select_from(ids)).scalar_one()


def needs_job(filters: queries.ReportFilters) -> bool:
    """Whether this export is too large to build while the browser waits."""
    return row_count(filters) > current_app.config["EXPORT_SYNC_ROWS"]


def build(
    fmt: str,
    filters: queries.ReportFilters,
    viewer: Any,
    progress: Callable[[int], None] = lambda done: None,
) -> Export:
    """The whole export file; `progress(rows)` is told how far it got every few hundred rows
    (for a PDF, after each part of PDF_PART_ROWS rows is laid out)."""
    now = utcnow()
    generated = now.strftime("%Y-%m-%d %H:%M UTC")
    viewer = privacy.Viewer.of(viewer)
    rows = _counted(exports.csv_rows(filters, viewer), progress)
    if fmt == "csv":
        text = "".join(stream_csv(exports.HEADER, rows, exports.footnotes(filters, generated)))
        content = text.encode()  # the text starts with a byte order mark: UTF-8 with BOM
    elif fmt == "xlsx":
        content = exports.xlsx(filters, generated, viewer, rows=rows)
    else:
        content = _pdf(filters, viewer, generated, progress)
    return Export(exports.filename(filters, now.date(), fmt), FORMATS[fmt], content)


def _pdf(filters, viewer, generated: str, progress: Callable[[int], None]) -> bytes:
    """The PDF, laid out PDF_PART_ROWS rows at a time and joined: layout memory stays bounded.

    A small report is one part with "Page N of M"; a large one numbers pages on across parts:
    the title and the first rows, more rows, the charts and segments, the appendix. Progress
    is saved after each part of the table.
    """
    rows = list(queries.all_rows(filters, viewer))
    context = {
        "filters": filters,
        "description": exports.describe(filters),
        "top_rows": rows[:12],
        "summary": queries.summary(filters),
        "breakdowns": queries.breakdowns(filters),
        "trend": queries.trend(filters),
        "generated": generated,
        "footnotes": exports.footnotes(filters, generated),
    }
    size = current_app.config["PDF_PART_ROWS"]
    if len(rows) <= size:
        return render_pdf("reports/vendor_pdf.html", rows=rows, **context)
    named = [row for row in rows if row["named_organisations"]]
    parts: list[dict[str, Any]] = [
        {"sections": ("table",), "rows": rows[i : i + size]} for i in range(0, len(rows), size)
    ]
    parts[0]["sections"] = ("head", "table")
    parts += [{"sections": ("charts", "who"), "rows": []}]
    parts += [
        {"sections": ("appendix",), "rows": [], "named_rows": named[i : i + size]}
        for i in range(0, len(named), size)
    ]
    parts[-1]["sections"] += ("footnote",)
    writer, pages, done = PdfWriter(), 0, 0
    for part in parts:
        rendered = PdfReader(
            io.BytesIO(
                render_pdf("reports/vendor_pdf.html", first_page=pages + 1, **context | part)
            )
        )
        writer.append(rendered)
        pages += len(rendered.pages)
        if "table" in part["sections"]:
            done += len(part["rows"])
            progress(done)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _counted(rows: Iterable, progress: Callable[[int], None]) -> Iterator:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)


# -- Background jobs ------------------------------------------------------------------------------


def start(user: User, fmt: str, filters: queries.ReportFilters) -> ExportJob:
    """Queue an export of the report as `user` sees it, and start building it."""
    db.session.execute(delete(ExportJob).where(ExportJob.created_at < utcnow() - KEEP))
    job = ExportJob(
        user_id=user.id, format=fmt, filters=filters.as_args(), rows_total=row_count(filters)
    )
    db.session.add(job)
    record_export(user, filters, fmt)  # commits
    if current_app.config["EXPORT_JOBS_INLINE"]:
        run(job.id)
    else:
        app = cast("LocalProxy[Flask]", current_app)._get_current_object()
        threading.Thread(target=_run_in_app, args=(app, job.id), daemon=True).start()
    return job


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        run(job_id)


def run(job_id: int) -> None:
    """Build a queued job's file, saving progress as it goes; failures are kept on the job."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.started_at = "running", utcnow()
    db.session.commit()

    def progress(done: int) -> None:
        db.session.execute(
            ExportJob.__table__.update().where(ExportJob.id == job_id).values(rows_done=done)
        )
        db.session.commit()

    try:
        user = db.session.get(User, job.user_id)
        filters = queries.ReportFilters.from_args(MultiDict(job.filters))
        export = build(job.format, filters, user, progress)
    except Exception as error:  # noqa: BLE001 - whatever broke, the user must be told
        db.session.rollback()
        current_app.logger.exception("export job %s failed", job_id)
        job = db.session.get(ExportJob, job_id)
        if job is None:
            return  # deleted while it ran: nobody waits for it
        job.status, job.error = "failed", f"The export could not be built ({type(error).__name__})."
        job.finished_at = utcnow()
        db.session.commit()
        return
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return
    job.content, job.size = export.content, len(export.content)
    job.filename, job.mimetype = export.filename, export.mimetype
    job.rows_done = job.rows_total
    job.status, job.finished_at = "done", utcnow()
    db.session.commit()


def job_for(user: User, job_id: int) -> ExportJob | None:
    """The user's own export job (admins see every one); a job stalled with its worker fails."""
    if not 0 < job_id <= MAX_ID:
        return None  # no such row, and PostgreSQL refuses to compare an integer beyond its range
    job = db.session.get(ExportJob, job_id)
    if job is None or (job.user_id != user.id and not can_administer(user)):
        return None
    if job.status in ("queued", "running") and utcnow() - job.created_at > STALLED:
        job.status, job.error = "failed", "The export stopped before it was finished."
        job.finished_at = utcnow()
        db.session.commit()
    return job

"""Large exports run as background jobs: progress page, complete download, failures told."""

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, ExportJob, Role
from portal.reports import jobs
from tests.conftest import login


@pytest.fixture
def large(app):
    """Every export counts as large: more than one row."""
    app.config["EXPORT_SYNC_ROWS"] = 1
    yield
    app.config["EXPORT_SYNC_ROWS"] = 2_000


@pytest.fixture
def vendor_client(client, make):
    login(client, make.user(Role.VENDOR).email)
    return client


def job_url(response) -> str:
    assert response.status_code == 303
    assert re.fullmatch(r"/reports/exports/\d+", response.headers["Location"])
    return response.headers["Location"]


def running(app, client, url: str, rows_done: int) -> str:
    """The progress page of the job at `url`, as if its builder had got to `rows_done`."""
    with app.app_context():
        job = db.session.get(ExportJob, int(url.rsplit("/", 1)[1]))
        job.status, job.rows_done = "running", rows_done
        db.session.commit()
    return client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_a_large_export_becomes_a_job_with_a_complete_download(
    app, vendor_client, board, large, fmt
):
    url = job_url(vendor_client.get(f"/reports/vendor.{fmt}?status=open"))
    page = vendor_client.get(url).get_data(as_text=True)
    assert "Ready." in page and "2 rows" in page
    download = vendor_client.get(url + "/download")
    assert download.status_code == 200
    assert int(download.headers["Content-Length"]) == len(download.data)
    day = utcnow().date().isoformat()
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="vendor-report_open_{day}.{fmt}"'
    )
    if fmt == "csv":
        assert download.data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
        assert rows[0][0] == "rank" and [r[0] for r in rows[1:3]] == ["1", "2"]
        assert rows[3] == [] and rows[4][0].startswith("# Channel Voice vendor report")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.vendor_report")
        ).all()
        assert [(e.details["format"], e.details["filters"]["Status"]) for e in events] == [
            (fmt, "Open")
        ]


def test_small_exports_are_still_sent_at_once(vendor_client, board):
    response = vendor_client.get("/reports/vendor.xlsx")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_someone_elses_job_is_not_found(app, client, make, vendor_client, board, large):
    url = job_url(vendor_client.get("/reports/vendor.csv"))
    other = app.test_client()
    login(other, make.user(Role.VENDOR).email)
    assert other.get(url).status_code == 404
    assert other.get(url + "/download").status_code == 404
    assert other.get("/reports/exports/999999999999").status_code == 404


def test_a_failed_build_is_told_and_offers_nothing_to_download(
    vendor_client, board, large, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "build", broken)
    url = job_url(vendor_client.get("/reports/vendor.pdf"))
    page = vendor_client.get(url).get_data(as_text=True)
    assert "could not be built" in page and "Try again" in page and "Download" not in page
    assert vendor_client.get(url + "/download").status_code == 404


def test_a_job_whose_worker_died_is_reported_as_stopped(app, vendor_client, board, large):
    url = job_url(vendor_client.get("/reports/vendor.csv"))
    with app.app_context():
        job = db.session.get(ExportJob, int(url.rsplit("/", 1)[1]))
        job.status, job.created_at = "running", utcnow() - timedelta(hours=1)
        db.session.commit()
    page = vendor_client.get(url).get_data(as_text=True)
    assert "stopped before it was finished" in page


def test_a_running_job_shows_progress_and_refreshes_itself(app, vendor_client, board, large):
    url = job_url(vendor_client.get("/reports/vendor.csv"))
    page = running(app, vendor_client, url, rows_done=1)
    assert "1 of 2 rows (50%)" in page and 'http-equiv="refresh"' in page and "<progress" in page


def test_in_a_background_thread_the_job_finishes_on_its_own(app, vendor_client, board, large):
    app.config["EXPORT_JOBS_INLINE"] = False
    try:
        url = job_url(vendor_client.get("/reports/vendor.csv"))
        deadline = time.monotonic() + 20
        while "Ready." not in vendor_client.get(url).get_data(as_text=True):
            assert time.monotonic() < deadline, "the export job did not finish"
            time.sleep(0.1)
    finally:
        app.config["EXPORT_JOBS_INLINE"] = True
    assert vendor_client.get(url + "/download").data.startswith(b"\xef\xbb\xbfrank,id,title")


def test_a_large_pdf_is_laid_out_in_parts_with_pages_numbered_on(app, vendor_client, board):
    from pypdf import PdfReader

    app.config["PDF_PART_ROWS"] = 1
    try:
        response = vendor_client.get("/reports/vendor.pdf")
    finally:
        app.config["PDF_PART_ROWS"] = 1_000
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]
    text = "\n".join(pages)
    assert "What partners need from billing" in text and "Who is asking" in text
    assert "Partner billing for BPOS" in text and "(from #2)" in text
    assert "Appendix: organisations named to the vendor" in text and "Voter 0" in text
    assert text.count("Channel Voice vendor report, generated") == 1  # footnotes once, at the end
    numbers = [int(re.search(r"Page (\d+)", page).group(1)) for page in pages]
    assert numbers == list(range(1, len(pages) + 1)) and " of " not in pages[-1].split("Page")[-1]


def test_a_pdf_job_saves_its_progress_after_each_part(
    app, vendor_client, board, large, monkeypatch
):
    """Seen from another connection while the job runs, as the progress page sees it."""
    app.config["PDF_PART_ROWS"] = 1
    seen: list[tuple[str, int, int]] = []
    render = jobs.render_pdf

    def watched(template, **context):
        with db.engine.connect() as other:
            row = other.execute(select(ExportJob.status, ExportJob.rows_done, ExportJob.rows_total))
            seen.append(tuple(row.one()))
        return render(template, **context)

    monkeypatch.setattr(jobs, "render_pdf", watched)
    try:
        url = job_url(vendor_client.get("/reports/vendor.pdf"))
    finally:
        app.config["PDF_PART_ROWS"] = 1_000
    # Parts: title and row 1, row 2, charts and segments, the appendix's two named rows; the
    # rows laid out are saved after each part of the table.
    assert [done for _, done, _ in seen] == [0, 1, 2, 2, 2]
    assert all(status == "running" and total == 2 for status, _, total in seen)
    assert "Ready." in vendor_client.get(url).get_data(as_text=True)


def test_a_running_pdf_job_says_which_part_it_lays_out(app, vendor_client, board, large):
    app.config["PDF_PART_ROWS"] = 1
    try:
        page = running(app, vendor_client, job_url(vendor_client.get("/reports/vendor.pdf")), 1)
    finally:
        app.config["PDF_PART_ROWS"] = 1_000
    assert "Laying out the pages: 1 of 3 parts done (33%), 1 of 2 rows" in page
    assert 'http-equiv="refresh"' in page

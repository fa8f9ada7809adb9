"""The vendor report: access, filters, numbers, privacy, and the same numbers in every export."""

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.reports import queries
from tests.conftest import RELEASED_MEDIAN, RELEASED_SUM, login
from tests.pdfs import assert_headings_keep_their_content, pdf_pages

EXPORTS = ["/reports/vendor.csv", "/reports/vendor.xlsx", "/reports/vendor.pdf"]


@pytest.fixture
def vendor_client(client, make):
    login(client, make.user(Role.VENDOR).email)
    return client


def csv_table(response) -> list[dict]:
    """The data rows of a CSV export (after its byte order mark): everything before the blank
    line and the footnotes."""
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    end = rows.index([]) if [] in rows else len(rows)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:end]]


@pytest.mark.parametrize("url", ["/reports/vendor", *EXPORTS])
def test_partners_are_refused_and_visitors_sent_to_log_in(app, client, make, url):
    assert client.get(url).status_code == 302
    login(client, make.user(Role.PARTNER).email)
    assert client.get(url).status_code == 403


def test_the_editor_reads_but_does_not_export(client, make, board):
    login(client, make.user(Role.EDITOR).email)
    assert client.get("/reports/vendor").status_code == 200
    for url in EXPORTS:
        assert client.get(url).status_code == 403


def test_rows_have_hand_computed_numbers(ctx, make, board):
    vendor = make.user(Role.VENDOR)
    rows = {r["title"]: r for r in queries.all_rows(queries.ReportFilters(), vendor)}
    big = rows["Partner billing for BPOS"]
    assert (big["rank"], big["votes"], big["organisations"], big["score"]) == (
        1,
        6,
        6,
        9 * 2 + 3 * 4,
    )
    assert big["showstopper_share"] == 33  # 2 of 6 organisations
    # Released when the fifth organisation entered its amount; the sixth waits for four more.
    assert big["revenue_sum"].value == RELEASED_SUM
    assert big["revenue_sum"].orgs == 5
    assert big["revenue_median"].value == RELEASED_MEDIAN
    assert big["named_organisations"] == ["Voter 0"]
    small = next(r for t, r in rows.items() if t.startswith("=HYPERLINK"))
    assert small["revenue_sum"].suppressed and small["revenue_median"].suppressed


def test_page_csv_xlsx_and_api_agree(app, vendor_client, make, board):
    page = vendor_client.get("/reports/vendor").get_data(as_text=True)
    assert "6,000" not in page  # single amounts never appear
    assert f"{RELEASED_SUM:,}" in page and f"{RELEASED_MEDIAN:,}" in page
    rows = csv_table(vendor_client.get("/reports/vendor.csv"))
    big = rows[0]
    assert (big["title"], big["score"], big["organisations"]) == (
        "Partner billing for BPOS",
        "30",
        "6",
    )
    assert (big["revenue_at_stake_sum"], big["revenue_at_stake_median"]) == (
        str(RELEASED_SUM),
        str(RELEASED_MEDIAN),
    )
    assert big["revenue_note"] == ""
    sheet = load_workbook(io.BytesIO(vendor_client.get("/reports/vendor.xlsx").data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["Score"] == 30 and first["Revenue at stake (sum)"] == RELEASED_SUM
    assert first["Revenue at stake (median)"] == RELEASED_MEDIAN
    from portal.models import User
    from portal.tokens.services import create_token

    vendor = make.user(Role.VENDOR)
    with app.app_context():
        _, secret = create_token(db.session.get(User, vendor.id), "test")
    api = (
        app.test_client()
        .get("/api/v1/reports/vendor", headers={"Authorization": f"Bearer {secret}"})
        .json
    )
    item = api["items"][0]
    assert (item["score"], item["revenue_at_stake"]["sum"]["value"]) == (30, RELEASED_SUM)
    assert item["revenue_at_stake"]["median"]["value"] == RELEASED_MEDIAN
    assert api["items"][1]["revenue_at_stake"]["sum"] == {
        "value": None,
        "suppressed": True,
        "organisations": None,
        "note": "fewer than 5 organisations",
        "released_at": None,
    }


def test_formulas_are_neutralised_in_csv_and_xlsx(vendor_client, board):
    rows = csv_table(vendor_client.get("/reports/vendor.csv"))
    assert rows[1]["title"].startswith("'=HYPERLINK(")
    sheet = load_workbook(io.BytesIO(vendor_client.get("/reports/vendor.xlsx").data)).worksheets[0]
    title = sheet.cell(row=3, column=3)
    assert title.value.startswith("'=HYPERLINK(") and title.data_type == "s"


def test_csv_streams_and_carries_the_privacy_footnote(vendor_client, board):
    response = vendor_client.get("/reports/vendor.csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert "# Revenue at stake is per year in USD" in text and "at least 5 organisations" in text


def test_csv_has_a_bom_and_keeps_accents_and_dashes(vendor_client, make_requirement, board):
    make_requirement("Cóndor — facturación por el socio")
    response = vendor_client.get("/reports/vendor.csv")
    assert response.data.startswith("\ufeffrank,id,title,".encode())
    titles = [row["title"] for row in csv_table(response)]
    assert "Cóndor — facturación por el socio" in titles


def test_suppressed_revenue_leaves_number_cells_empty_and_says_why(vendor_client, board):
    small = csv_table(vendor_client.get("/reports/vendor.csv"))[1]
    assert small["revenue_at_stake_sum"] == small["revenue_at_stake_median"] == ""
    assert small["revenue_note"] == "suppressed: fewer than 5 organisations"
    assert all(value != "suppressed" for value in small.values())
    sheet = load_workbook(io.BytesIO(vendor_client.get("/reports/vendor.xlsx").data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[3]], strict=True))
    assert row["Revenue at stake (sum)"] is None and row["Revenue at stake (median)"] is None
    assert row["Revenue note"] == "suppressed: fewer than 5 organisations"


def test_xlsx_has_typed_cells_frozen_header_and_notes(vendor_client, board):
    book = load_workbook(io.BytesIO(vendor_client.get("/reports/vendor.xlsx?status=open").data))
    data, notes = book.worksheets
    assert data.freeze_panes == "A2"
    assert all(cell.font.bold for cell in data[1])
    assert isinstance(data.cell(row=2, column=7).value, int)
    notes_text = {row[0].value: row[1].value for row in notes.iter_rows()}
    assert notes_text["Status"] == "Open" and "at least 5 organisations" in notes_text["Privacy"]


def test_xlsx_has_readable_headers_real_dates_a_filter_and_wide_enough_columns(
    vendor_client, board
):
    data = load_workbook(io.BytesIO(vendor_client.get("/reports/vendor.xlsx").data)).worksheets[0]
    header = [cell.value for cell in data[1]]
    assert header[:3] == ["Rank", "ID", "Requirement"]
    assert "Revenue at stake (sum)" in header and "Showstopper share (%)" in header
    assert not any("_" in title for title in header)
    posted = data.cell(row=2, column=header.index("Posted") + 1)
    assert isinstance(posted.value, datetime) and posted.is_date
    assert posted.value.date() == utcnow().date() and posted.number_format == "yyyy-mm-dd"
    assert data.auto_filter.ref == "A1:R3"  # the header and both rows
    assert data.column_dimensions["C"].width >= 50  # the titles
    for index, title in enumerate(header, 1):  # every header fits, wrapped onto two lines
        letter = data.cell(row=1, column=index).column_letter
        assert data.column_dimensions[letter].width * 2 >= len(title)


def test_pdf_has_title_filters_tables_and_footnote(vendor_client, board):
    response = vendor_client.get("/reports/vendor.pdf?status=open")
    assert response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "What partners need from billing" in text
    assert "Status: Open" in text and "Partner billing for BPOS" in text
    assert "suppressed" in text and "consented to be named" in text


def test_pdf_describes_its_filters_in_a_sentence(vendor_client, board):
    response = vendor_client.get("/reports/vendor.pdf?product=bpos&to=2026-12-31")
    first = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Filters. Product: BPOS · All but merged · Posted until 31 Dec 2026" in first
    unfiltered = vendor_client.get("/reports/vendor.pdf")
    first = PdfReader(io.BytesIO(unfiltered.data)).pages[0].extract_text()
    assert "Filters. All requirements but merged ones" in first


def test_pdf_starts_the_ranking_on_page_one_and_keeps_headings_with_their_content(
    vendor_client, make_requirement, board
):
    for index in range(40):  # enough rows to push later headings near page ends
        make_requirement(f"Requirement number {index:02d} with a longer title to wrap")
    pages = pdf_pages(vendor_client.get("/reports/vendor.pdf").data)
    assert "Requirements ranked by score" in pages[0]  # no page break after the title block
    assert_headings_keep_their_content(
        pages,
        [
            ("Requirements ranked by score", "Partner billing for BPOS"),
            ("How important, and since when", "Nice to have"),
            ("Who is asking", "By partner type"),
            ("Appendix: organisations named to the vendor", "Voter 0"),
        ],
    )


def test_every_export_is_audited_with_its_filters(app, vendor_client, board):
    for url in EXPORTS:
        response = vendor_client.get(url + "?status=open")
        assert response.status_code == 200 and response.get_data()  # the whole file was read
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.vendor_report")
        ).all()
        assert [e.details["format"] for e in events] == ["csv", "xlsx", "pdf"]
        assert all(e.details["filters"]["Status"] == "Open" for e in events)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("product=nope", "There is no product"),
        ("topic=nope", "There is no topic"),
        ("status=bogus", "is not a status"),
        ("from=2026-05-01&to=2026-01-01", "start date is after the end date"),
        ("from=yesterday", "must be a date"),
    ],
)
def test_bad_filters_get_a_clear_message(vendor_client, board, query, message):
    page = vendor_client.get(f"/reports/vendor?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    for url in EXPORTS:
        response = vendor_client.get(f"{url}?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_absurd_page_sizes_are_clamped_on_the_page(vendor_client, board):
    assert vendor_client.get("/reports/vendor?per_page=1000000000&page=-5").status_code == 200


def test_filters_select_the_same_rows_everywhere(vendor_client, board):
    rows = csv_table(vendor_client.get("/reports/vendor.csv?from=2000-01-01&to=2000-12-31"))
    assert rows == []
    assert "No requirements match" in vendor_client.get(
        "/reports/vendor?from=2000-01-01&to=2000-12-31"
    ).get_data(as_text=True)


def test_breakdowns_protect_small_groups(ctx, board):
    who = queries.breakdowns(queries.ReportFilters())
    by_region = {b["label"]: b for b in who["breakdowns"]}["Region"]
    rows = {row["key"]: row for row in by_region["rows"]}
    # Released at the fifth vote: EMEA 3 and North America 2 voting organisations, both under 5,
    # so both are left out; APAC's vote (the sixth) is not released yet.
    assert (rows["emea"]["voters"], rows["emea"]["voters_hidden"]) == (0, 1)
    assert (rows["na"]["voters"], rows["na"]["voters_hidden"]) == (0, 1)
    assert (rows["apac"]["voters"], rows["apac"]["voters_hidden"]) == (0, 0)
    # The small requirement's two voters were never released: "All" covers 1 of 2.
    assert who["requirements"] == 2
    assert (by_region["all"]["voters"], by_region["all"]["voter_cells"]) == (5, 1)
    assert by_region["all"]["revenue"] == RELEASED_SUM


def test_trend_counts_votes_per_month(ctx, board):
    points = queries.trend(queries.ReportFilters())
    assert len(points) == 12
    # Six organisations voted on the big requirement and two of them on the small one too:
    # organisations are counted per requirement and added up, so 6 + 2.
    assert points[-1]["votes"] == 8 and points[-1]["organisations"] == 8


def test_an_expired_session_downloading_an_export_is_sent_to_log_in(app, board):
    client = app.test_client()
    response = client.get("/reports/vendor.xlsx")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("url", EXPORTS)
def test_exports_are_attachments_that_no_cache_keeps(vendor_client, board, url):
    response = vendor_client.get(url)
    extension = url.rsplit(".", 1)[1]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="vendor-report_{utcnow().date().isoformat()}.{extension}"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_trend_and_summary_follow_withdrawals_from_kept_counts(ctx, board):
    from portal.board import services
    from portal.models import Organisation, User

    org = db.session.scalar(select(Organisation).where(Organisation.slug == "voter-5"))
    voter = db.session.scalar(select(User).where(User.organisation_id == org.id))
    services.withdraw_vote(voter, board["big"])
    assert queries.trend(queries.ReportFilters())[-1] == {
        "month": queries.trend(queries.ReportFilters())[-1]["month"],
        "votes": 7,
        "organisations": 7,
    }
    assert queries.summary(queries.ReportFilters()) == {
        "requirements": 2,
        "votes": 7,
        "organisations": 7,
    }


def test_exports_read_every_row_in_order_across_batches(ctx, make, board, monkeypatch):
    from portal.markup import render_markdown
    from portal.models import Product, Requirement

    product_id = db.session.scalar(select(Product.id))
    for index in range(3):  # ties on score and organisations: the id decides
        db.session.add(
            Requirement(
                title=f"Tied {index}", body="", body_html=render_markdown(""), product_id=product_id
            )
        )
    db.session.commit()
    vendor = make.user(Role.VENDOR)
    expected = [
        r.id for r in db.session.scalars(queries.requirements_query(queries.ReportFilters()))
    ]
    monkeypatch.setattr(queries, "BATCH", 1)
    rows = list(queries.all_rows(queries.ReportFilters(), vendor))
    assert [r["id"] for r in rows] == expected and len(expected) == 5
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_file_names_carry_the_filters_and_the_date(vendor_client, board, fmt):
    query = "product=bpos&topic=billing&status=open&from=2026-01-01&to=2026-12-31"
    response = vendor_client.get(f"/reports/vendor.{fmt}?{query}")
    name = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["Content-Disposition"])
    assert name is not None
    assert name.group(1) == (
        f"vendor-report_bpos_billing_open_from-2026-01-01_to-2026-12-31_{utcnow().date()}.{fmt}"
    )

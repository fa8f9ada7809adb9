"""The survey report's CSV and PDF: readable in Excel, complete, and laid out for print."""

import csv
import io
from datetime import datetime

import pytest

from portal.database import utcnow
from portal.extensions import db
from portal.models import Product, Region, Requirement, Role, Survey
from tests.conftest import login
from tests.pdfs import assert_headings_keep_their_content, pdf_pages


@pytest.fixture
def editor(client, make):
    login(client, make.user(Role.EDITOR).email)
    return client


@pytest.fixture
def linked(app, survey, make_requirement):
    """The survey about a product, closing 31 Dec 2026, with one related requirement."""
    requirement = make_requirement("Partner-led invoices")
    with app.app_context():
        item = db.session.get(Survey, survey)
        item.product = db.session.get(Product, db.session.get(Requirement, requirement).product_id)
        item.closes_at = datetime(2026, 12, 31, 18, 0)
        item.requirements = [db.session.get(Requirement, requirement)]
        db.session.commit()
    return requirement


def csv_rows(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_has_notes_first_the_average_and_the_related_requirements(
    editor, survey, linked, answered_by
):
    answered_by(5)  # everyone answers 4 on the scale
    rows = csv_rows(editor.get(f"/surveys/{survey}/report.csv"))
    header, body = rows[0], rows[1:]
    assert (
        header
        == "section,question,segment,group,answer,count,percent,organisations,average,note".split(
            ","
        )
    )
    assert all(len(row) == len(header) for row in body)  # one table: no comment lines, no gaps
    sections = [row[0] for row in body]
    notes = [i for i, section in enumerate(sections) if section == "Note"]
    assert notes == [0, 1]  # before the data
    assert body[0][-1].startswith("Billing survey — Results as of")
    assert not any(row[0].startswith("#") for row in rows)
    average = next(row for row in body if row[0] == "Average")
    assert average == [
        "Average",
        "Q3. Sales impact?",
        "All",
        "",
        "",
        "5",
        "",
        "5",
        "4.0",
        average[-1],
    ]
    related = {row[4]: row for row in body if row[0] == "Related requirement"}
    assert set(related) == {
        "Votes",
        "Organisations",
        "Showstopper organisations",
        "Score",
        "Revenue at stake per year",
    }
    assert related["Votes"][1] == f"#{linked} Partner-led invoices" and related["Votes"][5] == "0"
    revenue = related["Revenue at stake per year"]
    assert revenue[5] == "" and revenue[-1] == "suppressed: fewer than 5 organisations"
    assert sections.index("Related requirement") > sections.index("Average")


def test_csv_leaves_suppressed_numbers_empty(editor, survey, answered_by):
    answered_by(2, region=Region.APAC)  # too few: suppressed, and EMEA (3) with it
    answered_by(5, region=Region.NA)
    answered_by(3)  # the tenth organisation releases the report again
    rows = csv_rows(editor.get(f"/surveys/{survey}/report.csv"))
    suppressed = [row for row in rows if row[-1].startswith("suppressed:")]
    assert suppressed  # small segment groups
    assert all(row[5:9] == ["", "", "", ""] for row in suppressed)
    assert not any("suppressed" in cell for row in rows for cell in row[5:9])


def test_exports_are_named_after_the_survey_and_the_day(editor, survey, answered_by):
    answered_by(5)
    day = utcnow().date().isoformat()
    for fmt in ("csv", "pdf"):
        response = editor.get(f"/surveys/{survey}/report.{fmt}")
        assert response.data  # read the whole stream: it holds the request open
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="survey-billing-survey-report_{day}.{fmt}"'
        )


def test_pdf_subtitle_is_a_sentence_and_headings_keep_their_content(
    editor, survey, linked, answered_by
):
    answered_by(5)
    pages = pdf_pages(editor.get(f"/surveys/{survey}/report.pdf").data)
    assert "Survey report · Product: BPOS · Until 31 Dec 2026" in pages[0]
    assert_headings_keep_their_content(
        pages,
        [
            ("Q1. Who bills?", "answered by 5 of 5 respondents"),
            ("Q2. What would you bundle?", "answered by 5 of 5 respondents"),
            ("Q3. Sales impact?", "Average: 4.0"),
            ("Q4. What else?", "One invoice, please."),
            ("On the requirement board", "Partner-led invoices"),
        ],
    )

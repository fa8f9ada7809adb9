"""Parsing revenue files: every accepted format, and every problem listed by row and column."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from portal.revenue.importer import Problem, RevenueRow, parse_revenue_file, template_csv

HEADER = "fiscal_year,currency,total_revenue,cloud_revenue,customers,seats"
CURRENCIES = {"USD", "EUR", "GBP"}


def parse(data: bytes | str, filename="revenue.csv", max_bytes=100_000):
    if isinstance(data, str):
        data = data.encode()
    return parse_revenue_file(
        filename, data, currencies=CURRENCIES, max_bytes=max_bytes, this_year=2026
    )


def rows_of(*years):
    return [RevenueRow(y, "EUR", Decimal(1_234_567), Decimal(234_567), 120, 4_500) for y in years]


@pytest.mark.parametrize(
    "text",
    [
        f"{HEADER}\n2024,EUR,1234567,234567,120,4500\n2025,EUR,1234567,234567,120,4500\n",
        f"\ufeff{HEADER}\r\n2024,eur,1234567,234567,120,4500\r\n2025,EUR,1234567,234567,120,4500\r\n",
        f'{HEADER}\n2024,EUR,"1,234,567","234,567",120,"4,500"\n2025,EUR,1234567.00,234567,120,4500\n\n\n',
        "fiscal_year;currency;total_revenue;cloud_revenue;customers;seats\n"
        "2024;EUR;1.234.567;234.567;120;4.500\n2025;EUR;1 234 567;234567,00;120;4500\n",
        " fiscal_year , currency,total_revenue,cloud_revenue,customers,seats\n"
        " 2024 , EUR , 1234567 , 234567 , 120 , 4500 \n2025,EUR,1234567,234567,120,4500",
    ],
    ids=["plain", "bom-crlf-lowercase", "quoted-thousands-blank-lines", "semicolons", "spaces"],
)
def test_accepted_csv_formats(text):
    parsed = parse(text)
    assert parsed.problems == []
    assert parsed.rows == rows_of(2024, 2025)


def test_columns_may_come_in_any_order():
    parsed = parse(
        "seats,customers,cloud_revenue,total_revenue,currency,fiscal_year\n4500,120,234567,1234567,EUR,2024\n"
    )
    assert parsed.rows == rows_of(2024)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numeric_cells():
    data = xlsx(
        [
            HEADER.split(","),
            [2024, "EUR", 1234567, 234567.0, 120, 4500],
            [2025, "EUR", 1234567, 234567, 120, 4500],
        ]
    )
    parsed = parse(data, "figures.xlsx")
    assert parsed.problems == [] and parsed.rows == rows_of(2024, 2025)


def test_xlsx_problems_are_listed_too():
    data = xlsx([HEADER.split(","), [2024, "XXX", -5, 10, 1.5, 4500]])
    parsed = parse(data, "figures.xlsx")
    assert [(p.row, p.column) for p in parsed.problems] == [
        (2, "currency"),
        (2, "total_revenue"),
        (2, "customers"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{HEADER}\n2024,EUR,-5,0,1,1\n", [(2, "total_revenue", "cannot be negative")]),
        (
            f"{HEADER}\n2024,EUR,100,200,1,1\n",
            [(2, "cloud_revenue", "Cloud revenue (200) is above total revenue (100)")],
        ),
        (f"{HEADER}\n2024,XYZ,100,50,1,1\n", [(2, "currency", "Unknown currency")]),
        (f"{HEADER}\n1989,EUR,100,50,1,1\n", [(2, "fiscal_year", "outside 1990–2027")]),
        (f"{HEADER}\n2028,EUR,100,50,1,1\n", [(2, "fiscal_year", "outside 1990–2027")]),
        (
            f"{HEADER}\n2024,EUR,100,50,1,1\n2024,EUR,100,50,1,1\n",
            [(3, "fiscal_year", "appears twice (rows 2 and 3)")],
        ),
        (f"{HEADER}\n2024,EUR,lots,50,1,1\n", [(2, "total_revenue", "“lots” is not an amount")]),
        (f"{HEADER}\n2024,EUR,100.123,50,1,1\n", [(2, "total_revenue", "is not an amount")]),
        (f"{HEADER}\n2024,EUR,100,50,1.5,1\n", [(2, "customers", "not a whole number")]),
        (f"{HEADER}\n2024,EUR,100,50,1,\n", [(2, "seats", "is empty")]),
        (
            "fiscal_year,currency,total_revenue\n2024,EUR,100\n",
            [(1, None, "Missing column(s): cloud_revenue, customers, seats")],
        ),
        (f"{HEADER},notes\n2024,EUR,100,50,1,1,x\n", [(1, None, "Unknown column(s): notes")]),
        (f"{HEADER}\n", [(None, None, "no data rows")]),
        ("", [(None, None, "The file is empty.")]),
        ("\n\n  \n", [(None, None, "The file is empty.")]),
    ],
    ids=[
        "negative",
        "cloud-above-total",
        "currency",
        "year-too-early",
        "year-too-late",
        "duplicate-year",
        "text-amount",
        "three-decimals",
        "fractional-count",
        "empty-cell",
        "missing-columns",
        "unknown-column",
        "header-only",
        "empty",
        "blank-lines",
    ],
)
def test_bad_files_are_refused_with_row_and_column(text, expected):
    parsed = parse(text)
    assert parsed.rows == []
    assert [(p.row, p.column) for p in parsed.problems] == [(r, c) for r, c, _ in expected]
    for problem, (_, _, message) in zip(parsed.problems, expected, strict=True):
        assert message in problem.message


def test_every_problem_is_listed_not_only_the_first():
    text = f"{HEADER}\n2024,EUR,100,50,1,1\n2024,ABC,-1,x,-2,y\n1900,EUR,10,20,0,0\n"
    parsed = parse(text)
    assert parsed.rows == []
    assert [(p.row, p.column) for p in parsed.problems] == [
        (3, "currency"),
        (3, "total_revenue"),
        (3, "cloud_revenue"),
        (3, "customers"),
        (3, "seats"),
        (4, "fiscal_year"),
        (4, "cloud_revenue"),
    ]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "logo.png", "not UTF-8"),
        (b"caf\xe9,1\n", "latin1.csv", "not UTF-8"),
        (b"PK\x03\x04not really a zip", "fake.xlsx", "cannot be read"),
        (b"a" * 2_000, "big.csv", "larger than 1,000 bytes"),
    ],
)
def test_unreadable_files_get_one_clear_problem(data, filename, message):
    parsed = parse(data, filename, max_bytes=1_000)
    assert parsed.rows == [] and len(parsed.problems) == 1
    assert message in parsed.problems[0].message


def test_too_many_rows_are_refused():
    body = "".join(f"{1990 + i % 30},EUR,1,1,1,1\n" for i in range(201))
    parsed = parse(f"{HEADER}\n{body}", max_bytes=1_000_000)
    assert parsed.rows == [] and "more than 200 data rows" in parsed.problems[0].message


def test_problem_prints_row_and_column():
    assert str(Problem(4, "seats", "The number is empty.")) == "row 4, seats: The number is empty."


def test_template_parses_cleanly():
    parsed = parse(template_csv())
    assert parsed.problems == [] and len(parsed.rows) == 1

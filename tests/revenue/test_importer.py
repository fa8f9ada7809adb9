"""Parsing revenue files: every accepted format, and every problem listed by row and column."""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.revenue import importer
from portal.revenue.importer import (
    Problem,
    RevenueRow,
    parse_amount,
    parse_count,
    parse_revenue_file,
    template_csv,
)

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
        "fiscal_year;currency;total_revenue;cloud_revenue;customers;seats\n"
        "2024;EUR;1\u00a0234\u00a0567,00;234\u202f567;120;4\u00a0500\n"
        "2025;EUR;1234567;234.567,0;120;4500\n",
        f"\n\n{HEADER}\n2024,EUR,1234567,234567,120,4500\n\n2025,EUR,1234567,234567,120,4500\n",
        f"{HEADER},\n2024,EUR,1234567,234567,120,4500,\n2025,EUR,1234567,234567,120,4500\n",
    ],
    ids=[
        "plain",
        "bom-crlf-lowercase",
        "quoted-thousands-blank-lines",
        "semicolons",
        "spaces",
        "semicolons-non-breaking-spaces",
        "blank-lines-around",
        "trailing-empty-column",
    ],
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


def test_xlsx_with_text_cells_and_blank_rows_around():
    data = xlsx(
        [
            [],
            HEADER.split(","),
            ["2024", "eur", "1,234,567", "234567.00", "120", "4,500"],
            [],
            [2025, " EUR ", 1234567, 234567, 120.0, 4500],
        ]
    )
    parsed = parse(data, "figures.xlsx")
    assert parsed.problems == [] and parsed.rows == rows_of(2024, 2025)


def test_xlsx_formatted_empty_rows_below_the_data_are_ignored():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([2024, "EUR", 1234567, 234567, 120, 4500])
    for row in range(3, 600):  # what a sheet formatted far below its data looks like
        sheet.cell(row=row, column=1).font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue(), "figures.xlsx")
    assert parsed.problems == [] and parsed.rows == rows_of(2024)


def test_xlsx_is_recognised_by_content_whatever_its_name():
    data = xlsx([HEADER.split(","), [2024, "EUR", 1234567, 234567, 120, 4500]])
    assert parse(data, "upload").rows == rows_of(2024)


def test_xlsx_row_numbers_are_the_sheets():
    data = xlsx([HEADER.split(","), [2024, "EUR", 1, 1, 1, 1], [], [2025, "EUR", 1, 5, 1, 1]])
    parsed = parse(data, "figures.xlsx")
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "cloud_revenue")]


def test_xlsx_with_too_many_rows_is_refused():
    rows = [HEADER.split(",")] + [[1990 + i % 30, "EUR", 1, 1, 1, 1] for i in range(201)]
    parsed = parse(xlsx(rows), "figures.xlsx", max_bytes=1_000_000)
    assert parsed.rows == []
    assert [p.message for p in parsed.problems] == ["The file has more than 200 data rows."]


def test_a_sheet_going_on_past_the_scan_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importer, "MAX_SHEET_ROWS", 50)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([2024, "EUR", 1, 1, 1, 1])
    sheet.cell(row=51, column=1, value="stray")
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue(), "figures.xlsx")
    assert parsed.rows == [] and "past row 50" in parsed.problems[0].message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (2024, "2024"),
        (2024.0, "2024"),
        (1234567.5, "1234567.5"),
        (1100 * 1.1, "1210"),  # 1210.0000000000002: float noise, not a third decimal
        (0.1 + 0.2, "0.3"),
        (1234567.125, "1234567.125"),  # a real third decimal: refused later
        (1e-05, "0.00001"),
        (" EUR ", "EUR"),
    ],
)
def test_xlsx_cells_become_the_text_a_csv_would_hold(value, text):
    assert importer._cell_text(value) == text


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
        (f"{HEADER}\n2024,EUR,5,-0.5,1,1\n", [(2, "cloud_revenue", "cannot be negative (-0.50)")]),
        (
            f'{HEADER}\n2024,EUR,"1,200,000","1,200,000.01",1,1\n',
            [
                (
                    2,
                    "cloud_revenue",
                    "Cloud revenue (1,200,000.01) is above total revenue (1,200,000).",
                )
            ],
        ),
        (
            f"{HEADER}\n2024,EUR,100,200,1,1\n",
            [(2, "cloud_revenue", "Cloud revenue (200) is above total revenue (100)")],
        ),
        (f"{HEADER}\n2024,XYZ,100,50,1,1\n", [(2, "currency", "Unknown currency")]),
        (f"{HEADER}\n1989,EUR,100,50,1,1\n", [(2, "fiscal_year", "outside 1990–2027")]),
        (f"{HEADER}\n,EUR,100,50,1,1\n", [(2, "fiscal_year", "The fiscal year is empty.")]),
        (f"{HEADER}\nFY24,EUR,100,50,1,1\n", [(2, "fiscal_year", "“FY24” is not a year")]),
        (f'{HEADER}\n"2,024",EUR,100,50,1,1\n', [(2, "fiscal_year", "“2,024” is not a year")]),
        (f"{HEADER}\n2024.0,EUR,100,50,1,1\n", [(2, "fiscal_year", "“2024.0” is not a year")]),
        (f"{HEADER}\n2024,,100,50,1,1\n", [(2, "currency", "The currency is empty.")]),
        (f"{HEADER}\n2028,EUR,100,50,1,1\n", [(2, "fiscal_year", "outside 1990–2027")]),
        (
            f"{HEADER}\n2024,EUR,100,50,1,1\n2024,EUR,100,50,1,1\n",
            [(3, "fiscal_year", "appears twice (rows 2 and 3)")],
        ),
        (f"{HEADER}\n2024,EUR,lots,50,1,1\n", [(2, "total_revenue", "“lots” is not an amount")]),
        (f"{HEADER}\n2024,EUR,100.123,50,1,1\n", [(2, "total_revenue", "is not an amount")]),
        (f"{HEADER}\n2024,EUR,$100,50,1,1\n", [(2, "total_revenue", "“$100” is not an amount")]),
        (f'{HEADER}\n2024,EUR,"1,5",1,1,1\n', [(2, "total_revenue", "“1,5” is not an amount")]),
        (f'{HEADER}\n2024,EUR,"12,34,567",1,1,1\n', [(2, "total_revenue", "not an amount")]),
        (
            f"{HEADER}\n2024,EUR,1000000000000001,1,1,1\n",
            [(2, "total_revenue", "1,000,000,000,000,001 is above 1,000,000,000,000,000")],
        ),
        (f"{HEADER}\n2024,EUR,100,50,1000000001,1\n", [(2, "customers", "is above 1,000,000,000")]),
        (f"{HEADER}\n2024,EUR,100,50,-3,1\n", [(2, "customers", "cannot be negative")]),
        (f"{HEADER}\n2024,EUR,100,50,many,1\n", [(2, "customers", "“many” is not a whole number")]),
        (f"{HEADER}\n2024,EUR,100,50,1.5,1\n", [(2, "customers", "not a whole number")]),
        (f"{HEADER}\n2024,EUR,100,50,1,\n", [(2, "seats", "is empty")]),
        (
            "fiscal_year,currency,total_revenue\n2024,EUR,100\n",
            [(1, None, "Missing column(s): cloud_revenue, customers, seats")],
        ),
        (f"{HEADER},notes\n2024,EUR,100,50,1,1,x\n", [(1, None, "Unknown column(s): notes")]),
        (
            "fiscal_year,currency,total_revenue,profit,customers\n2024,EUR,100,1,1\n",
            [
                (1, None, "Missing column(s): cloud_revenue, seats."),
                (1, None, "Unknown column(s): profit."),
            ],
        ),
        (f"{HEADER},seats\n2024,EUR,100,50,1,1,1\n", [(1, None, "Repeated column(s): seats.")]),
        (
            f"{HEADER}\n2024,EUR,1,234,567,100,1,1\n",
            [(2, None, "The row has 8 values but the header has 6 columns. Put amounts with")],
        ),
        (f"{HEADER},\n2024,EUR,100,50,1,1,x\n", [(2, None, "The row has 7 values")]),
        (f"{HEADER}\n", [(None, None, "no data rows")]),
        ("", [(None, None, "The file is empty.")]),
        ("\n\n  \n", [(None, None, "The file is empty.")]),
    ],
    ids=[
        "negative",
        "negative-decimals",
        "cloud-above-total",
        "cloud-above-total-thousands",
        "currency",
        "year-too-early",
        "year-empty",
        "year-text",
        "year-with-separator",
        "year-with-decimals",
        "currency-empty",
        "year-too-late",
        "duplicate-year",
        "text-amount",
        "three-decimals",
        "currency-sign",
        "decimal-comma-in-comma-file",
        "indian-grouping",
        "amount-too-large",
        "count-too-large",
        "negative-count",
        "text-count",
        "fractional-count",
        "empty-cell",
        "missing-columns",
        "unknown-column",
        "missing-and-unknown",
        "repeated-column",
        "unquoted-thousands",
        "value-under-unnamed-column",
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


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.234 567", "“1.234 567” is not an amount (e.g. 1.234.567 or 1234567,50)"),
        ("1.5", "“1.5” is not an amount"),
        ("1234567.50", "“1234567.50” is not an amount"),
        ("1,234", "“1,234” is not an amount"),
    ],
    ids=["mixed-separators", "decimal-point", "decimal-point-with-cents", "three-decimals"],
)
def test_semicolon_files_refuse_ambiguous_amounts(amount, message):
    parsed = parse(
        "fiscal_year;currency;total_revenue;cloud_revenue;customers;seats\n"
        f"2024;EUR;{amount};0;1;1\n"
    )
    assert parsed.rows == []
    assert [(p.row, p.column) for p in parsed.problems] == [(2, "total_revenue")]
    assert message in parsed.problems[0].message


@pytest.mark.parametrize(
    ("text", "separator", "amount"),
    [
        ("0", ",", Decimal(0)),
        ("-0", ",", Decimal(0)),
        ("1234567", ",", Decimal(1234567)),
        ("1,234,567.5", ",", Decimal("1234567.5")),
        ("999.99", ",", Decimal("999.99")),
        ("1.234.567,89", ";", Decimal("1234567.89")),
        ("1 234 567", ";", Decimal(1234567)),
        ("123", ";", Decimal(123)),
        ("0,5", ";", Decimal("0.5")),
        ("1.234", ";", Decimal(1234)),  # a thousands separator, never a decimal point
    ],
)
def test_amount_notations(text, separator, amount):
    assert parse_amount(text, separator) == amount


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("", ","),
        ("1.2.3", ","),
        ("1 234", ","),
        ("1,2345", ","),
        (".5", ","),
        ("5.", ","),
        ("1e6", ","),
        ("1.234,567", ";"),
        ("1,234.5", ";"),
        ("1 234.567", ";"),
        ("١٢٣", ","),  # digits of other scripts
    ],
)
def test_refused_amount_notations(text, separator):
    with pytest.raises(ValueError):
        parse_amount(text, separator)


def test_counts_are_whole_numbers():
    assert parse_count("4,500", ",") == 4500
    assert parse_count("4.500", ";") == 4500
    assert parse_count("120.00", ",") == 120
    with pytest.raises(ValueError, match="not a whole number"):
        parse_count("1.5", ",")


def test_header_problems_name_the_headers_row():
    parsed = parse(
        "\n\nfiscal_year,currency,total_revenue,cloud_revenue,customers\n2024,EUR,1,1,1\n"
    )
    assert [(p.row, p.column) for p in parsed.problems] == [(3, None)]


def test_a_duplicate_year_is_reported_even_when_the_row_has_other_problems():
    parsed = parse(f"{HEADER}\n2024,EUR,100,50,1,1\n2024,XXX,100,50,1,1\n2024,EUR,1,1,1,1\n")
    assert [(p.row, p.column, p.message) for p in parsed.problems] == [
        (3, "fiscal_year", "2024 appears twice (rows 2 and 3)."),
        (3, "currency", "Unknown currency “XXX”."),
        (4, "fiscal_year", "2024 appears twice (rows 2 and 4)."),
    ]


def test_every_problem_is_listed_not_only_the_first():
    text = f"{HEADER}\n2024,EUR,100,50,1,1\n2024,ABC,-1,x,-2,y\n1900,EUR,10,20,0,0\n"
    parsed = parse(text)
    assert parsed.rows == []
    assert [(p.row, p.column) for p in parsed.problems] == [
        (3, "fiscal_year"),
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
        (b"PK\x03\x04not really a zip", "fake.xlsx", "cannot be read as an Excel workbook"),
        (b"a" * 2_000, "big.csv", "larger than 1,000 bytes"),
        (f"{HEADER}\n2024,EUR,1,1,1,1\n".encode(), "renamed.xlsx", "is named .xlsx but is not"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xls", "old-format Excel"),
        (b"\xef\xbb\xbf", "bom-only.csv", "The file is empty."),
        (f'{HEADER}\n2024,EUR,"1"x,1,1,1\n'.encode(), "quotes.csv", "not a valid CSV file: line 2"),
        (b"fiscal_year\x00,currency\n", "nul.csv", "binary data"),
    ],
)
def test_unreadable_files_get_one_clear_problem(data, filename, message):
    parsed = parse(data, filename, max_bytes=1_000)
    assert parsed.rows == [] and len(parsed.problems) == 1
    assert message in parsed.problems[0].message


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_that_is_not_a_workbook_is_refused():
    parsed = parse(zip_of({"notes.txt": b"hello"}), "figures.zip")
    assert parsed.rows == [] and len(parsed.problems) == 1
    assert "cannot be read as an Excel workbook" in parsed.problems[0].message


def test_a_workbook_that_unpacks_too_far_is_refused_before_reading():
    bomb = zip_of({"xl/worksheets/sheet1.xml": bytes(21_000_000)})
    assert len(bomb) < 100_000
    parsed = parse(bomb, "figures.xlsx")
    assert parsed.rows == [] and "unpacks to more than 20 MB" in parsed.problems[0].message


def test_too_many_rows_are_refused():
    body = "".join(f"{1990 + i % 30},EUR,1,1,1,1\n" for i in range(201))
    parsed = parse(f"{HEADER}\n{body}", max_bytes=1_000_000)
    assert parsed.rows == [] and "more than 200 data rows" in parsed.problems[0].message


def test_problem_prints_row_and_column():
    assert str(Problem(4, "seats", "The number is empty.")) == "Row 4, seats: The number is empty."
    assert str(Problem(1, None, "Missing column(s): seats.")) == "Row 1: Missing column(s): seats."
    assert str(Problem(None, None, "The file is empty.")) == "The file is empty."


def test_a_business_readable_message_in_full():
    parsed = parse(
        f'{HEADER}\n2023,EUR,1,1,1,1\n2024,EUR,1,1,1,1\n2025,usd,"900,000","1,200,000",1,1\n'
    )
    assert [str(p) for p in parsed.problems] == [
        "Row 4, cloud_revenue: Cloud revenue (1,200,000) is above total revenue (900,000)."
    ]


def test_template_parses_cleanly():
    parsed = parse(template_csv())
    assert parsed.problems == [] and len(parsed.rows) == 1

"""Parsing revenue files (CSV or XLSX) into rows, listing every problem by row and column.

Accepted: UTF-8 with or without BOM; `,` or `;` as separator (detected from the header line);
amounts with up to two decimals, written `1234567`, `1,234,567` or `1234567.50` in comma files
(quote them when they contain commas) and `1.234.567`, `1 234 567` or `1234567,50` in semicolon
files (the European convention); blank lines ignored. XLSX: the first sheet, same header.
Nothing is returned unless the whole file is valid (all or nothing).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

COLUMNS = ["fiscal_year", "currency", "total_revenue", "cloud_revenue", "customers", "seats"]
MAX_ROWS = 200
EARLIEST_YEAR = 1990


@dataclass(frozen=True)
class Problem:
    """A problem with the file; row numbers are the spreadsheet's (the header is row 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            p for p in (f"row {self.row}" if self.row else "", self.column or "") if p
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class RevenueRow:
    fiscal_year: int
    currency: str
    total_revenue: Decimal
    cloud_revenue: Decimal
    customers: int
    seats: int


@dataclass
class ParsedFile:
    rows: list[RevenueRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class FileRefused(Exception):
    """The file as a whole cannot be read."""


def template_csv() -> str:
    """The header and an example row, for the downloadable template."""
    return ",".join(COLUMNS) + "\n2025,EUR,12500000,1800000,140,5200\n"


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def parse_amount(text: str, separator: str) -> Decimal:
    """A non-negative-looking amount in the file's convention; raises ValueError with a reason."""
    raw = text.strip().replace("\u00a0", " ")
    if not raw:
        raise ValueError("is empty")
    if separator == ";":
        if re.fullmatch(r"-?\d{1,3}([. ]\d{3})+(,\d{1,2})?|-?\d+(,\d{1,2})?", raw) is None:
            raise ValueError(f"“{text.strip()}” is not an amount (e.g. 1.234.567 or 1234567,50)")
        normalised = raw.replace(".", "").replace(" ", "").replace(",", ".")
    else:
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d{1,2})?|-?\d+(\.\d{1,2})?", raw) is None:
            raise ValueError(f"“{text.strip()}” is not an amount (e.g. 1,234,567 or 1234567.50)")
        normalised = raw.replace(",", "")
    return Decimal(normalised)


def parse_count(text: str, separator: str) -> int:
    amount = parse_amount(text, separator)
    if amount != amount.to_integral_value():
        raise ValueError(f"“{text.strip()}” is not a whole number")
    return int(amount)


def _read_csv(data: bytes) -> tuple[list[list[str]], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel .xlsx file."
        ) from None
    if "\x00" in text:
        raise FileRefused("The file is not a CSV file (it contains binary data).")
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=separator, strict=True))
    except csv.Error as error:
        raise FileRefused(f"The file is not a valid CSV file ({error}).") from None
    return rows, separator


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(f"The Excel file cannot be read ({type(error).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for index, values in enumerate(sheet.iter_rows(values_only=True)):
            if index > MAX_ROWS + 1:
                rows.append(["…"])  # enough to report "too many rows" without reading on
                break
            rows.append([_cell_text(v) for v in values])
        return rows
    finally:
        workbook.close()


def _check_header(header: list[str]) -> list[Problem]:
    names = [h.strip().lower() for h in header]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in header if h.strip() and h.strip().lower() not in COLUMNS]
    if missing:
        problems.append(Problem(1, None, "Missing column(s): " + ", ".join(missing) + "."))
    if unknown:
        problems.append(
            Problem(
                1,
                None,
                "Unknown column(s): "
                + ", ".join(unknown)
                + ". Expected exactly: "
                + ",".join(COLUMNS)
                + ".",
            )
        )
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        problems.append(Problem(1, None, "Repeated column(s): " + ", ".join(duplicates) + "."))
    return problems


def parse_revenue_file(
    filename: str, data: bytes, *, currencies: set[str], max_bytes: int, this_year: int
) -> ParsedFile:
    """Parse and validate a whole revenue file; rows come back only when there is no problem."""
    if len(data) > max_bytes:
        return ParsedFile(
            problems=[Problem(None, None, f"The file is larger than {max_bytes:,} bytes.")]
        )
    if not data.strip():
        return ParsedFile(problems=[Problem(None, None, "The file is empty.")])
    try:
        if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
            table, separator = _read_xlsx(data), ","
        else:
            table, separator = _read_csv(data)
    except FileRefused as refusal:
        return ParsedFile(problems=[Problem(None, None, str(refusal))])
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(c.strip() for c in row)]
    if not numbered:
        return ParsedFile(problems=[Problem(None, None, "The file is empty.")])
    (_, header), body = numbered[0], numbered[1:]
    problems = _check_header(header)
    if problems:
        return ParsedFile(problems=problems)
    if not body:
        return ParsedFile(problems=[Problem(None, None, "The file has a header but no data rows.")])
    if len(body) > MAX_ROWS:
        return ParsedFile(
            problems=[Problem(None, None, f"The file has more than {MAX_ROWS} data rows.")]
        )
    positions = {h.strip().lower(): i for i, h in enumerate(header)}
    rows, seen_years = [], {}
    known = {c.upper() for c in currencies}
    for number, cells in body:
        row, row_problems = _parse_row(number, cells, positions, separator, known, this_year)
        problems += row_problems
        if row is not None:
            if row.fiscal_year in seen_years:
                problems.append(
                    Problem(
                        number,
                        "fiscal_year",
                        f"{row.fiscal_year} appears twice (rows {seen_years[row.fiscal_year]} "
                        f"and {number}).",
                    )
                )
            seen_years.setdefault(row.fiscal_year, number)
            rows.append(row)
    return ParsedFile(rows=[] if problems else rows, problems=problems)


def _parse_row(number, cells, positions, separator, currencies, this_year):
    problems: list[Problem] = []

    def cell(column: str) -> str:
        index = positions[column]
        return cells[index].strip() if index < len(cells) else ""

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    if len(cells) > len(positions) and any(c.strip() for c in cells[len(positions) :]):
        problems.append(Problem(number, None, "The row has more values than the header."))
    year = None
    try:
        year = parse_count(cell("fiscal_year"), ",")
        if not EARLIEST_YEAR <= year <= this_year + 1:
            problem("fiscal_year", f"{year} is outside {EARLIEST_YEAR}–{this_year + 1}.")
            year = None
    except (ValueError, InvalidOperation) as reason:
        problem("fiscal_year", f"The fiscal year {reason}.")
    currency = cell("currency").upper()
    if not currency:
        problem("currency", "The currency is empty.")
    elif currency not in currencies:
        problem("currency", f"Unknown currency “{cell('currency')}”.")
    amounts = {}
    for column in ("total_revenue", "cloud_revenue"):
        try:
            amounts[column] = parse_amount(cell(column), separator)
            if amounts[column] < 0:
                problem(column, f"The amount cannot be negative ({_fmt(amounts[column])}).")
                del amounts[column]
        except (ValueError, InvalidOperation) as reason:
            problem(column, f"The amount {reason}.")
    if len(amounts) == 2 and amounts["cloud_revenue"] > amounts["total_revenue"]:
        problem(
            "cloud_revenue",
            f"Cloud revenue ({_fmt(amounts['cloud_revenue'])}) is above total revenue "
            f"({_fmt(amounts['total_revenue'])}).",
        )
    counts = {}
    for column in ("customers", "seats"):
        try:
            counts[column] = parse_count(cell(column), separator)
            if counts[column] < 0:
                problem(column, "The number cannot be negative.")
        except (ValueError, InvalidOperation) as reason:
            problem(column, f"The number {reason}.")
    if problems or year is None:
        return None, problems
    return (
        RevenueRow(
            year,
            currency,
            amounts["total_revenue"],
            amounts["cloud_revenue"],
            counts["customers"],
            counts["seats"],
        ),
        problems,
    )

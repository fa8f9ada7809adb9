"""Parsing revenue files (CSV or XLSX) into rows, listing every problem by row and column.

The header is `fiscal_year,currency,total_revenue,cloud_revenue,customers,seats`, in any order,
one row per fiscal year. Nothing is returned unless the whole file is valid (all or nothing).

CSV: UTF-8 with or without BOM; `,` or `;` as separator, whichever the header line uses more;
surrounding spaces and blank lines ignored. Amounts are whole or have one or two decimals:
- comma files: `1234567`, `1234567.50`, or with `,` thousands separators `"1,234,567.50"`
  (quoted, since the comma also separates the values);
- semicolon files (the European convention): `1234567`, `1234567,50`, or with `.` or space
  thousands separators, the same one throughout: `1.234.567,50`, `1 234 567`.
A value that fits neither pattern (`1.5` in a semicolon file, `1,5` in a comma file, three
decimals, a currency sign) is refused rather than guessed. Customers and seats are whole
numbers in the same notation; the fiscal year is four digits.

XLSX: the first sheet, the same header; number cells are taken as numbers, text cells are read
like a comma file; only the first 50 columns and 10,000 rows are read (a longer sheet is refused).
Detected by content (a ZIP archive) or by the `.xlsx` extension.
"""

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

COLUMNS = ["fiscal_year", "currency", "total_revenue", "cloud_revenue", "customers", "seats"]
MAX_ROWS = 200
EARLIEST_YEAR = 1990
MAX_AMOUNT = Decimal(10**15)  # the revenue form's limit; the database column holds 16 digits
MAX_COUNT = 10**9
# Bounds on the work an uploaded workbook can cause: a few kilobytes of ZIP can unpack to
# gigabytes of XML, and a sheet can claim a million rows by one cell at its bottom.
MAX_XLSX_UNPACKED = 20_000_000
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 50  # columns further right are not read

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 binary formats (.xls, .doc)

# ASCII digits only: Decimal would also take other scripts' digits, which no sheet means here.
_COMMA_AMOUNT = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?", re.ASCII)
_SEMICOLON_AMOUNT = re.compile(r"-?(\d{1,3}([. ])\d{3}(\2\d{3})*|\d+)(,\d{1,2})?", re.ASCII)
_YEAR = re.compile(r"\d{4}", re.ASCII)


@dataclass(frozen=True)
class Problem:
    """A problem with the file; row numbers are the spreadsheet's (the header is row 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"Row {self.row}" if self.row else "", self.column) if p)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class RevenueRow:
    """One fiscal year's figures, validated."""

    fiscal_year: int
    currency: str
    total_revenue: Decimal
    cloud_revenue: Decimal
    customers: int
    seats: int


@dataclass
class ParsedFile:
    """The rows of a valid file, or every problem found (and then no rows)."""

    rows: list[RevenueRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no problem."""
        return not self.problems


class FileRefused(Exception):
    """The file as a whole cannot be read."""


def template_csv() -> str:
    """The header and an example row, for the downloadable template."""
    return ",".join(COLUMNS) + "\n2025,EUR,12500000,1800000,140,5200\n"


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def parse_amount(text: str, separator: str) -> Decimal:
    """An amount in the notation of a `,` or `;` file; raises ValueError saying why not."""
    raw = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not raw:
        raise ValueError("is empty")
    if separator == ";":
        if _SEMICOLON_AMOUNT.fullmatch(raw) is None:
            raise ValueError(f"“{text.strip()}” is not an amount (e.g. 1.234.567 or 1234567,50)")
        normalised = raw.replace(".", "").replace(" ", "").replace(",", ".")
    else:
        if _COMMA_AMOUNT.fullmatch(raw) is None:
            raise ValueError(f"“{text.strip()}” is not an amount (e.g. 1,234,567 or 1234567.50)")
        normalised = raw.replace(",", "")
    return Decimal(normalised) + 0  # + 0 turns "-0" into 0


def parse_count(text: str, separator: str) -> int:
    """A whole number in the notation of a `,` or `;` file; raises ValueError saying why not."""
    if not text.strip():
        raise ValueError("is empty")
    try:
        amount = parse_amount(text, separator)
    except ValueError:
        example = "4.500" if separator == ";" else "4,500"
        raise ValueError(f"“{text.strip()}” is not a whole number (e.g. {example})") from None
    if amount != amount.to_integral_value():
        raise ValueError(f"“{text.strip()}” is not a whole number")
    return int(amount)


def _read_csv(data: bytes) -> tuple[list[list[str]], str]:
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            "The file is an old-format Excel workbook (.xls). Save it as an Excel .xlsx file "
            "or as “CSV UTF-8”."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel .xlsx file."
        ) from None
    if "\x00" in text:
        raise FileRefused("The file is not a CSV file (it contains binary data).")
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    try:
        return list(reader), separator
    except csv.Error as error:
        raise FileRefused(
            f"The file is not a valid CSV file: line {reader.line_num}: {error}."
        ) from None


def _cell_text(value: object) -> str:
    """A cell's value as the text a comma file would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        if value.is_integer():
            return str(int(value))
        cents = round(value, 2)
        # Excel stores computed amounts as binary doubles (1210.0000000000002): a few units in
        # the last place from a whole cent, the cent is what the sheet shows and what was meant.
        if abs(value - cents) <= 4 * math.ulp(value):
            value = cents
        return format(Decimal(repr(value)), "f")  # never "1e-05"
    return str(value).strip()


def _not_a_workbook() -> FileRefused:
    return FileRefused(
        "The file cannot be read as an Excel workbook (.xlsx). Save it again from Excel, "
        "or as “CSV UTF-8”."
    )


def _read_xlsx(data: bytes, filename: str) -> list[list[str]]:
    from openpyxl import load_workbook

    if not data.startswith(ZIP_MAGIC):
        raise FileRefused(
            f"“{filename}” is named .xlsx but is not an Excel workbook. Save it again from "
            "Excel as .xlsx, or as “CSV UTF-8”."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_workbook() from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileRefused(
            "The workbook unpacks to more than "
            f"{MAX_XLSX_UNPACKED // 1_000_000} MB; a revenue sheet is far smaller."
        )
    rows: list[list[str]] = []
    # openpyxl reads untrusted XML lazily and its parse errors come in many types: any of them
    # means the same to the user, so catch them all, here and while the rows are read.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _not_a_workbook() from None
    try:
        if not workbook.worksheets:
            raise _not_a_workbook()
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(
            max_row=MAX_SHEET_ROWS + 1, max_col=MAX_SHEET_COLUMNS, values_only=True
        )
        filled = 0
        for number, row in enumerate(values, start=1):
            if number > MAX_SHEET_ROWS:
                raise FileRefused(
                    f"The sheet goes on past row {MAX_SHEET_ROWS:,}. Delete the rows below "
                    "your figures (empty-looking rows included) and upload it again."
                )
            cells = [_cell_text(v) for v in row]
            rows.append(cells)
            filled += any(cells)
            # The header and one row too many are enough to refuse a long file.
            if filled > MAX_ROWS + 1:
                break
    except FileRefused:
        raise
    except Exception:
        raise _not_a_workbook() from None
    finally:
        workbook.close()
    return rows


def _check_header(row: int, header: list[str]) -> list[Problem]:
    names = [h.strip().lower() for h in header]
    problems = []
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h.strip() for h in header if h.strip() and h.strip().lower() not in COLUMNS]
    if missing:
        problems.append(Problem(row, None, "Missing column(s): " + ", ".join(missing) + "."))
    if unknown:
        problems.append(
            Problem(
                row,
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
        problems.append(Problem(row, None, "Repeated column(s): " + ", ".join(duplicates) + "."))
    return problems


def parse_revenue_file(
    filename: str, data: bytes, *, currencies: set[str], max_bytes: int, this_year: int
) -> ParsedFile:
    """Parse and validate a whole revenue file; rows come back only when there is no problem."""
    try:
        numbered, separator = _read_table(filename, data, max_bytes)
    except FileRefused as refusal:
        return _refused(str(refusal))
    (header_row, header), body = numbered[0], numbered[1:]
    problems = _check_header(header_row, header)
    if problems:
        return ParsedFile(problems=problems)
    if not body:
        return _refused("The file has a header but no data rows.")
    if len(body) > MAX_ROWS:
        return _refused(f"The file has more than {MAX_ROWS} data rows.")
    known = {c.upper() for c in currencies}
    return _parse_body(body, header, separator, known, this_year)


def _refused(message: str) -> ParsedFile:
    return ParsedFile(problems=[Problem(None, None, message)])


def _read_table(
    filename: str, data: bytes, max_bytes: int
) -> tuple[list[tuple[int, list[str]]], str]:
    """The file's non-blank rows with their spreadsheet numbers, and its separator."""
    if len(data) > max_bytes:
        raise FileRefused(f"The file is larger than {max_bytes:,} bytes.")
    if not data.strip():
        raise FileRefused("The file is empty.")
    if data.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        table, separator = _read_xlsx(data, filename), ","
    else:
        table, separator = _read_csv(data)
    numbered = [(i + 1, row) for i, row in enumerate(table) if any(c.strip() for c in row)]
    if not numbered:
        raise FileRefused("The file is empty.")
    return numbered, separator


T = TypeVar("T")


@dataclass
class _RowReader:
    """One data row's cells by column name, and the problems found in them."""

    number: int
    cells: list[str]
    positions: dict[str, int]
    problems: list[Problem] = field(default_factory=list)

    def text(self, column: str) -> str:
        index = self.positions[column]
        return self.cells[index].strip() if index < len(self.cells) else ""

    def read(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The column's value, or None when `parse` refuses it (its ValueError is the problem)."""
        try:
            return parse(self.text(column))
        except ValueError as reason:
            self.problem(column, str(reason))
            return None

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))


def _parse_body(
    body: list[tuple[int, list[str]]],
    header: list[str],
    separator: str,
    currencies: set[str],
    this_year: int,
) -> ParsedFile:
    positions = {h.strip().lower(): i for i, h in enumerate(header) if h.strip()}
    rows: list[RevenueRow] = []
    problems: list[Problem] = []
    first_row_of_year: dict[int, int] = {}
    for number, cells in body:
        if any(c.strip() for i, c in enumerate(cells) if i not in positions.values()):
            # The values no longer line up with the header: checking them column by column
            # would only produce misleading messages.
            problems.append(Problem(number, None, _misaligned(cells, header, separator)))
            continue
        reader = _RowReader(number, cells, positions)
        # Checked whatever else is wrong with the row, so that every problem is listed at once.
        problems += _repeated_year(reader, first_row_of_year, this_year)
        row = _parse_row(reader, separator, currencies, this_year)
        problems += reader.problems
        if row is not None:
            rows.append(row)
    return ParsedFile(rows=[] if problems else rows, problems=problems)


def _misaligned(cells: list[str], header: list[str], separator: str) -> str:
    message = f"The row has {len(cells)} values but the header has {len(header)} columns."
    if separator == ",":
        message += (
            " Put amounts with thousands separators in quotes (“1,234,567”) or write them "
            "without separators."
        )
    return message


def _year_of(text: str) -> int | None:
    text = text.strip()
    return int(text) if _YEAR.fullmatch(text) else None


def _repeated_year(
    reader: _RowReader, first_row_of_year: dict[int, int], this_year: int
) -> list[Problem]:
    """A problem when the row repeats a valid year of an earlier row (whose number is kept)."""
    year = _year_of(reader.text("fiscal_year"))
    if year is None or not EARLIEST_YEAR <= year <= this_year + 1:
        return []
    first = first_row_of_year.setdefault(year, reader.number)
    if first == reader.number:
        return []
    message = f"{year} appears twice (rows {first} and {reader.number})."
    return [Problem(reader.number, "fiscal_year", message)]


def _parse_row(
    reader: _RowReader, separator: str, currencies: set[str], this_year: int
) -> RevenueRow | None:
    """The row's figures, or None with every problem noted on the reader."""
    year = reader.read("fiscal_year", lambda text: _fiscal_year(text, this_year))
    currency = reader.read("currency", lambda text: _currency(text, currencies))
    total = reader.read("total_revenue", lambda text: _amount(text, separator))
    cloud = reader.read("cloud_revenue", lambda text: _amount(text, separator))
    if total is not None and cloud is not None and cloud > total:
        reader.problem(
            "cloud_revenue",
            f"Cloud revenue ({_fmt(cloud)}) is above total revenue ({_fmt(total)}).",
        )
    customers = reader.read("customers", lambda text: _count(text, separator))
    seats = reader.read("seats", lambda text: _count(text, separator))
    if (
        reader.problems
        or year is None
        or currency is None
        or total is None
        or cloud is None
        or customers is None
        or seats is None
    ):
        return None
    return RevenueRow(year, currency, total, cloud, customers, seats)


def _fiscal_year(text: str, this_year: int) -> int:
    if not text:
        raise ValueError("The fiscal year is empty.")
    year = _year_of(text)
    if year is None:
        raise ValueError(f"“{text}” is not a year (e.g. 2024).")
    if not EARLIEST_YEAR <= year <= this_year + 1:
        raise ValueError(f"{year} is outside {EARLIEST_YEAR}–{this_year + 1}.")
    return year


def _currency(text: str, currencies: set[str]) -> str:
    currency = text.upper()
    if not currency:
        raise ValueError("The currency is empty.")
    if currency not in currencies:
        raise ValueError(f"Unknown currency “{text}”.")
    return currency


def _amount(text: str, separator: str) -> Decimal:
    if not text:
        raise ValueError("The amount is empty.")
    try:
        amount = parse_amount(text, separator)
    except (ValueError, InvalidOperation) as reason:
        raise ValueError(f"{reason}.") from None
    if amount < 0:
        raise ValueError(f"The amount cannot be negative ({_fmt(amount)}).")
    if amount > MAX_AMOUNT:
        raise ValueError(f"The amount {_fmt(amount)} is above {_fmt(MAX_AMOUNT)}.")
    return amount


def _count(text: str, separator: str) -> int:
    if not text:
        raise ValueError("The number is empty.")
    try:
        count = parse_count(text, separator)
    except (ValueError, InvalidOperation) as reason:
        raise ValueError(f"{reason}.") from None
    if count < 0:
        raise ValueError("The number cannot be negative.")
    if count > MAX_COUNT:
        raise ValueError(f"{count:,} is above {MAX_COUNT:,}.")
    return count

"""Exports: streamed CSV, XLSX, and PDF rendered from Jinja templates with WeasyPrint.

Spreadsheet cells are neutralised (a text starting with =, +, -, @, tab or CR gets a leading '),
CSV is streamed row by row and starts with a UTF-8 byte order mark (so Excel reads "—" and
accented names right), and PDFs never fetch anything from the network.

No download can end half-written and look whole: a streamed CSV reads its first row before the
first byte (a failing query is an error page), and a failure later raises out of the response
so the WSGI server (Werkzeug, gunicorn) breaks the connection instead of ending the chunked
body; every other download carries its Content-Length. `on_complete` (the export's audit event)
runs only after the last byte was handed to the server, so a client that went away midway
leaves no event claiming it got the whole file.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, render_template, request, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel takes a CSV without it for the local code page


def neutralise(value):
    """Make text safe for spreadsheets; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def download_headers(filename: str) -> dict[str, str]:
    """Attachment headers (RFC 6266: an ASCII `filename`, and `filename*` in UTF-8 when the
    name is not plain ASCII); reports hold partners' aggregates, so no cache keeps a copy."""
    ascii_name = safe_filename(filename)
    disposition = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return {
        "Content-Disposition": disposition,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }


def safe_filename(name: str) -> str:
    """A download name made only of letters, digits, dots, dashes and underscores."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export"


def slug(text: str, limit: int = 40) -> str:
    """Text as a short ASCII file-name part: "Cóndor Billing!" → "condor-billing"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")


def readable_day(value: date) -> str:
    """A date as people write it: 31 Dec 2026."""
    return f"{value.day} {value:%b %Y}"


def period(start: date | None, end: date | None) -> str:
    """A date range in words: "1 Jan 2026 – 31 Dec 2026", "from 1 Jan 2026", "until …", ""."""
    if start and end:
        return f"{readable_day(start)} – {readable_day(end)}"
    if start:
        return f"from {readable_day(start)}"
    return f"until {readable_day(end)}" if end else ""


def dated_filename(stem: str, parts: Iterable[str], day: date, extension: str) -> str:
    """`stem_part_part_YYYY-MM-DD.ext`, every part slugged; at most 100 characters (the
    export job keeps the name in a column of that size)."""
    suffix = f"_{day.isoformat()}.{extension}"
    named = [slug(part) for part in parts]
    body = "_".join([slug(stem, 60), *(p for p in named if p)])
    return body[: 100 - len(suffix)].strip("_-") + suffix


def stream_csv(
    header: Sequence[str], rows: Iterable[Sequence], footnotes: Sequence[str] = ()
) -> Iterator[str]:
    """CSV text one line at a time (constant memory), after a byte order mark; footnotes
    follow the data after a blank line as `# ...`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(v) for v in values])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)
    if footnotes:
        yield line([])
        for note in footnotes:
            yield line([f"# {note}"])


def finishing(chunks: Iterable, on_complete: Callable[[], None] | None) -> Iterator:
    """`chunks`, then `on_complete()` once the server asks past the last one (all were sent)."""
    yield from chunks
    if on_complete is not None:
        on_complete()


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    footnotes: Sequence[str] = (),
    on_complete: Callable[[], None] | None = None,
) -> Response:
    """A streamed CSV download; see the module's note on failures and `on_complete`."""
    rows = iter(rows)
    first = next(rows, None)  # runs the first query while an error can still be a page
    lines = stream_csv(header, rows if first is None else chain([first], rows), footnotes)
    if request.environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
        # No chunked framing: a cut stream would look complete, so send it with its length.
        return download_response(filename, "text/csv", "".join(lines).encode(), on_complete)
    return Response(
        stream_with_context(finishing(lines, on_complete)),
        mimetype="text/csv",
        headers=download_headers(filename),
    )


def download_response(
    filename: str, mimetype: str, content: bytes, on_complete: Callable[[], None] | None = None
) -> Response:
    """A download with its Content-Length: a dropped connection shows as a failed download."""
    headers = download_headers(filename) | {"Content-Length": str(len(content))}
    body = stream_with_context(finishing([content], on_complete)) if on_complete else content
    return Response(body, mimetype=mimetype, headers=headers)


@dataclass(frozen=True)
class Column:
    """An export column: its CSV name, its XLSX header, kind (text, int, money, percent, date)
    and XLSX width in characters."""

    name: str
    kind: str = "text"
    width: int = 14
    title: str = ""

    @property
    def header(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()


NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0", "percent": "0%", "date": "yyyy-mm-dd"}


def build_xlsx(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    notes: Sequence[tuple[str, str]],
) -> bytes:
    """A workbook with a typed data sheet (readable bold header, wrapped, frozen and filtered;
    real dates) and a Notes sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(safe_filename(title)[:31] or "Report")
    for index, column in enumerate(columns):
        width = max(column.width, *(len(word) + 2 for word in column.header.split()))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_xlsx_cell(sheet, column, value) for column, value in zip(columns, row, strict=True)]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    notes_sheet = workbook.create_sheet("Notes")
    notes_sheet.column_dimensions["A"].width = 24
    notes_sheet.column_dimensions["B"].width = 100
    for key, value in notes:
        notes_sheet.append([neutralise(key), neutralise(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, column: Column, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        value = float(value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if column.kind in NUMBER_FORMATS and isinstance(value, int | float | date | datetime):
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def _local_fetcher(url: str):
    """Serve /static/ files from disk; refuse every other URL (the PDF works offline)."""
    from weasyprint.urls import default_url_fetcher

    marker = "/static/"
    if marker in url and current_app.static_folder:
        static = Path(current_app.static_folder).resolve()
        path = (static / url.split(marker, 1)[1].split("?")[0]).resolve()
        if static in path.parents and path.is_file():
            return default_url_fetcher(path.as_uri())
    raise ValueError(f"PDF export does not fetch {url[:80]}")


def render_pdf(template: str, **context) -> bytes:
    """Render a Jinja template to PDF with WeasyPrint."""
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(
        string=html, base_url="http://portal.local/", url_fetcher=_local_fetcher
    ).write_pdf()


def pdf_response(
    filename: str, data: bytes, on_complete: Callable[[], None] | None = None
) -> Response:
    return download_response(filename, "application/pdf", data, on_complete)

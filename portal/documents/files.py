"""Exports: streamed CSV, XLSX, and PDF rendered from Jinja templates with WeasyPrint.

Spreadsheet cells are neutralised (a text starting with =, +, -, @, tab or CR gets a leading '),
CSV is streamed row by row, and PDFs never fetch anything from the network.

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from pathlib import Path

from flask import Response, current_app, render_template, request, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make text safe for spreadsheets; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def download_headers(filename: str) -> dict[str, str]:
    """Attachment headers; reports hold partners' aggregates, so no cache keeps a copy."""
    return {
        "Content-Disposition": f'attachment; filename="{safe_filename(filename)}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }


def safe_filename(name: str) -> str:
    """A download name made only of letters, digits, dots, dashes and underscores."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export"


def stream_csv(
    header: Sequence[str], rows: Iterable[Sequence], footnotes: Sequence[str] = ()
) -> Iterator[str]:
    """CSV text one line at a time (constant memory); footnotes follow a blank line as `# ...`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(v) for v in values])
        return buffer.getvalue()

    yield line(header)
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
    """An XLSX column: its header and kind (text, int, money, percent)."""

    name: str
    kind: str = "text"
    width: int = 14


NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0", "percent": "0%"}


def build_xlsx(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    notes: Sequence[tuple[str, str]],
) -> bytes:
    """A workbook with a typed data sheet (bold header, frozen panes) and a Notes sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(safe_filename(title)[:31] or "Report")
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out = []
        for column, value in zip(columns, row, strict=True):
            if isinstance(value, Decimal):
                value = float(value)
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            if column.kind in NUMBER_FORMATS and isinstance(value, int | float):
                cell.number_format = NUMBER_FORMATS[column.kind]
            out.append(cell)
        sheet.append(out)
    notes_sheet = workbook.create_sheet("Notes")
    notes_sheet.column_dimensions["A"].width = 24
    notes_sheet.column_dimensions["B"].width = 100
    for key, value in notes:
        notes_sheet.append([neutralise(key), neutralise(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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

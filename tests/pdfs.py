"""Reading exported PDFs in tests: page texts, and headings kept with their content."""

import io

from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, with runs of white space as one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def assert_headings_keep_their_content(pages: list[str], pairs: list[tuple[str, str]]) -> None:
    """Each heading's page also shows, after it, the heading's first content."""
    for heading, first_content in pairs:
        page = next(p for p in pages if heading in p)
        assert first_content in page.split(heading, 1)[1], heading

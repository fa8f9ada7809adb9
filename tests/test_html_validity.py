"""The main pages, as each demo role sees them, are well-formed HTML: no parse errors, no
duplicate ids, and every required select starts with an empty placeholder option."""

from collections import Counter
from collections.abc import Iterator

import html5lib
import pytest
from flask import Flask
from html5lib.html5parser import ParseError

from tests.conftest import login
from tests.main_pages import demo_ids, main_pages


@pytest.fixture(scope="module")
def pages(app: Flask) -> dict[str, str]:
    """Every main page's HTML, keyed by 'role-email URL', rendered once for the module."""
    with app.app_context():
        ids = demo_ids()
    rendered = {}
    for email, urls in main_pages(ids):
        client = app.test_client()
        if email:
            login(client, email, "demo-password")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{email} {url}: {response.status_code}"
            rendered[f"{email or 'anonymous'} {url}"] = response.get_data(as_text=True)
    return rendered


def elements(html: str, tag: str | None = None) -> Iterator:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return tree.iter(tag) if tag else tree.iter()


def test_main_pages_parse_without_html_errors(pages):
    problems = []
    for page, html in pages.items():
        try:
            html5lib.HTMLParser(strict=True).parse(html)
        except ParseError as error:
            problems.append(f"{page}: {error}")
    assert not problems, "\n".join(problems)


def test_main_pages_have_unique_ids(pages):
    problems = []
    for page, html in pages.items():
        ids = Counter(el.get("id") for el in elements(html) if el.get("id") is not None)
        problems += [f"{page}: id {name!r} × {n}" for name, n in ids.items() if n > 1]
    assert not problems, "\n".join(problems)


def test_required_selects_start_with_an_empty_placeholder(pages):
    problems = []
    checked = 0
    for page, html in pages.items():
        for select in elements(html, "select"):
            if select.get("required") is None or select.get("multiple") is not None:
                continue
            checked += 1
            first = select.find("option")
            if first is None or first.get("value") != "":
                problems.append(f"{page}: select {select.get('name')!r}")
    assert not problems, "\n".join(problems)
    assert checked, "no required select on the main pages: the check has nothing to check"

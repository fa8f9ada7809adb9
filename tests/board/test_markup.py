"""Markdown is rendered and sanitised on the way in."""

import pytest
from markupsafe import Markup

from portal.errors import ServiceError
from portal.markup import defuse_brackets, render_markdown


@pytest.mark.parametrize(
    ("payload", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<p onclick="steal()">hi</p>', "onclick"),
        ("<style>body{display:none}</style>", "<style"),
        ('<svg onload="alert(1)"></svg>', "onload"),
    ],
)
def test_dangerous_markup_is_removed(payload, forbidden):
    html = render_markdown(payload)
    assert forbidden not in html.lower()


def test_links_get_nofollow_noopener():
    html = render_markdown("[vendor](https://example.com/billing)")
    assert 'href="https://example.com/billing"' in html
    assert 'rel="nofollow noopener"' in html


def test_markdown_formatting_survives():
    html = render_markdown("**bold**\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html and "<td>1</td>" in html
    assert isinstance(html, Markup)


def test_deep_nesting_is_refused_with_a_message():
    with pytest.raises(ServiceError, match="nests quotes or lists"):
        render_markdown(">" * 5000 + " boom")


@pytest.mark.parametrize(
    "bomb",
    [
        "[" * 20_000,
        "[a](" * 5_000,
        "![" * 10_000,
        "(" * 20_000,
        "|" + "a|" * 500 + "\n|" + "-|" * 500 + "\n" + ("|" + "x|" * 500 + "\n") * 30,
        "*" * 10_000 + "x" + "*" * 10_000,
    ],
    ids=["brackets", "open-links", "images", "parens", "huge-table", "emphasis"],
)
def test_markdown_bombs_render_without_error(bomb):
    # How fast they render is measured in bench/markup.py, not here.
    assert isinstance(render_markdown(bomb), Markup)


def test_unclosed_brackets_are_escaped_before_rendering():
    defused = defuse_brackets("[a](b) [open (also open")
    assert defused == "[a](b) \\[open \\(also open"


def test_bracket_nesting_beyond_the_limit_is_escaped():
    defused = defuse_brackets("[" * 30 + "]" * 30)
    assert defused.count("\\[") == 10


def test_unclosed_brackets_still_read_as_text():
    assert "[1" in render_markdown("See note [1 and (this")

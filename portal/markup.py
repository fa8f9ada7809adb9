"""The one way user text becomes HTML: markdown rendered, then sanitised with nh3.

The sanitised HTML is stored beside the source text; templates print only that stored HTML.
"""

import re

import markdown
import nh3
from markupsafe import Markup

from portal.errors import ServiceError

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_NESTING = 20
# A line opening more than MAX_NESTING quotes or list items at once: a nesting bomb.
NESTING_RE = re.compile(
    r"^[ \t]*(?:(?:>[ \t]*)|(?:(?:[-*+]|\d+\.)[ \t]+)){" + str(MAX_NESTING + 1) + ",}",
    re.MULTILINE,
)


def defuse_brackets(text: str) -> str:
    """Escape "[" and "(" that never close (or nest too deep).

    Markdown's link search is quadratic in unclosed brackets: 20,000 of them take a minute.
    """
    chars = list(text)
    for opening, closing in ("[]", "()"):
        open_positions: list[int] = []
        for index, char in enumerate(text):
            if char == opening and (index == 0 or text[index - 1] != "\\"):
                if len(open_positions) < MAX_NESTING:
                    open_positions.append(index)
                else:
                    chars[index] = "\\" + opening
            elif char == closing and open_positions:
                open_positions.pop()
        for index in open_positions:
            chars[index] = "\\" + opening
    return "".join(chars)


def render_markdown(text: str) -> Markup:
    """Render markdown to sanitised HTML: no scripts, no event handlers, no javascript: links."""
    if NESTING_RE.search(text):
        raise ServiceError(f"The text nests quotes or lists more than {MAX_NESTING} levels deep.")
    try:
        html = markdown.markdown(
            defuse_brackets(text),
            extensions=["tables", "fenced_code", "sane_lists"],
            output_format="html",
        )
    except RecursionError:
        raise ServiceError("The text is nested too deeply to display.") from None
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )
    return Markup(clean)  # noqa: S704  # nosec B704 - sanitised by nh3 just above

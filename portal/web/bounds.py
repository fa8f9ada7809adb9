"""Bounds every request meets before a view runs: ids within the database's range, no NUL bytes.

`<int:…>` in every URL is a whole number from 1 to MAX_ID (anything else is a 404 on every
engine, where PostgreSQL would otherwise fail to compare an id beyond its INTEGER range), and a
NUL character in the path, a query argument or a form value is refused with a 400 that says
where (PostgreSQL cannot store one in text). Uploaded files' content is not inspected here.
"""

from collections.abc import Iterable

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

from portal.database import MAX_ID


class IdConverter(IntegerConverter):
    """The app's `int` converter: 1 to MAX_ID unless a route asks for other bounds."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def _texts() -> Iterable[tuple[str, str]]:
    """Every text of the request a view may read, with how to name it in a message."""
    yield "The address", request.path
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            shown = name.replace("\x00", "")[:40]
            yield "A field name", name
            yield f"The value of “{shown}”", value


def refuse_nul_bytes() -> None:
    """400 for a NUL character anywhere a view or the database would read it as text."""
    for where, text in _texts():
        if "\x00" in text:
            abort(
                400,
                description=f"{where} contains a NUL character (\\0), which the portal does "
                "not accept. Remove it and try again.",
            )


def register(app: Flask) -> None:
    """Install the bounds; call before registering blueprints (their rules bind converters)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_bytes)

"""Template globals and filters shared by every page."""

from datetime import datetime
from decimal import Decimal

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from portal.access import permissions_for
from portal.documents import charts
from portal.models import Role


def fmt_datetime(value: datetime | None) -> str:
    """A timestamp as `2026-11-25 14:03 UTC`."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def fmt_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def fmt_number(value: float | int | Decimal | None) -> str:
    """A full number with thousands separators (987,654,321): never abbreviated; an amount with
    cents keeps two decimals (6,100,000.50)."""
    if value is None:
        return ""
    if value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def release_note(shown) -> str:
    """When a released figure was released and what it waits for: "as of …; updates after …"."""
    when = f"as of {fmt_date(shown.released_at)}" if shown.released_at else "not released yet"
    waiting = shown.waiting or 1
    plural = "organisation changes its" if waiting == 1 else "organisations change theirs"
    return f"{when}; updates after {waiting} more {plural}"


def url_with(**changes) -> str:
    """The current page's URL with some query arguments replaced (for filters and pages)."""
    if request.endpoint is None:
        raise RuntimeError("url_with() needs a request that a view answers")
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


# Navigation by role: (label, endpoint). Entries whose page does not exist yet are left out.
NAVIGATION = {
    Role.PARTNER: [
        ("Requirements", "board.index"),
        ("Surveys", "surveys.index"),
        ("Our organisation", "org.index"),
    ],
    Role.EDITOR: [
        ("Requirements", "board.index"),
        ("Surveys", "surveys.index"),
        ("Briefs", "briefs.index"),
        ("Inbox", "inbox.index"),
        ("Vendor report", "reports.vendor"),
    ],
    Role.VENDOR: [
        ("Requirements", "board.index"),
        ("Surveys", "surveys.index"),
        ("Vendor report", "reports.vendor"),
        ("API tokens", "api_tokens.index"),
        ("Webhooks", "webhooks.index"),
    ],
    Role.ADMIN: [
        ("Requirements", "board.index"),
        ("Surveys", "surveys.index"),
        ("Vendor report", "reports.vendor"),
        ("Webhooks", "webhooks.index"),
        ("Admin", "admin.index"),
    ],
}


def nav_items() -> list[tuple[str, str]]:
    """The navigation links for the current user's role."""
    if not current_user.is_authenticated:
        return []
    return [
        (label, url_for(endpoint))
        for label, endpoint in NAVIGATION[current_user.role]
        if endpoint in current_app.view_functions
    ]


def zip_labels(values: list, items: list[dict]) -> list[tuple[str, object]]:
    """Pair chart values with their items' labels: `values | zip_labels(items)`."""
    return [(item["label"], value) for item, value in zip(items, values, strict=True)]


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        datetime=fmt_datetime,
        date=fmt_date,
        number=fmt_number,
        zip_labels=zip_labels,
        release_note=release_note,
    )
    app.context_processor(lambda: {"can": permissions_for(current_user)})
    app.jinja_env.globals.update(
        url_with=url_with,
        nav_items=nav_items,
        bar_chart=charts.bar_chart,
        stacked_bar_chart=charts.stacked_bar_chart,
        line_chart=charts.line_chart,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

"""Paginating a service's select at the page and page size the query string asks for."""

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from portal.extensions import db

MAX_PER_PAGE = 100
# Any page further is empty on a real board; the bound keeps the OFFSET within every engine's range.
MAX_PAGE = 1_000_000


def page_args(per_page: int = 25) -> dict:
    """Arguments for `db.paginate`: bad or huge values are clamped, never an error."""
    page = request.args.get("page", 1, type=int) or 1
    size = request.args.get("per_page", per_page, type=int) or per_page
    return {
        "page": min(max(page, 1), MAX_PAGE),
        "per_page": min(max(size, 1), MAX_PER_PAGE),
        "max_per_page": MAX_PER_PAGE,
        "error_out": False,
    }


def paginate(query: Select, per_page: int = 25, page: int | None = None) -> Pagination:
    """One page of `query` (built by a service): the page and size the query string asks for,
    clamped; or exactly `page` and `per_page` when the caller has checked them (the API)."""
    if page is None:
        return db.paginate(query, **page_args(per_page))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

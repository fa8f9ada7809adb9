"""Reading page and page-size arguments safely from the query string."""

from flask import request

MAX_PER_PAGE = 100


def page_args(per_page: int = 25) -> dict:
    """Arguments for `db.paginate`: bad or huge values are clamped, never an error."""
    page = request.args.get("page", 1, type=int) or 1
    size = request.args.get("per_page", per_page, type=int) or per_page
    return {
        "page": max(page, 1),
        "per_page": min(max(size, 1), MAX_PER_PAGE),
        "max_per_page": MAX_PER_PAGE,
        "error_out": False,
    }

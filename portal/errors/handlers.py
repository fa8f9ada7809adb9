"""Error pages: HTML for people, JSON for the API; a 500 rolls the session back, and a database
that does not answer (down, locked, full, read-only) is a 503 that says nothing was saved."""

import math
import time

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InternalError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db, limiter, login_manager

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "You need to log in first.",
    403: "Your account does not have access to this page.",
    404: "There is nothing at this address.",
    405: "This page does not accept that kind of request.",
    410: "This link is no longer valid.",
    413: "The file is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int, title: str, message: str, headers=()):
    if wants_json():
        return jsonify(error=title, message=message, status=code), code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return render_error(
        400,
        "Form expired",
        "The form was missing its security token or it expired. Go back, reload the page and "
        "submit again.",
    )


@bp.app_errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded):
    """429 saying when to try again, in words and in a Retry-After header (seconds)."""
    limit = limiter.current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit else 60
    minutes = max(1, round(seconds / 60))
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    message = f"Too many attempts. Try again in {wait}."
    return render_error(429, "Too many attempts", message, [("Retry-After", str(seconds))])


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    # A view's own description (abort(400, description=...)) says more than the generic text.
    description = error.description or ""
    specific = description and description != type(error).description
    message = description if specific else MESSAGES.get(code, description)
    # The exception's own headers say more too: Allow on a 405, WWW-Authenticate on a 401.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return render_error(code, error.name, message, headers)


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InternalError)  # PostgreSQL: a read-only transaction (a standby), aborted
def database_unavailable(error: OperationalError | InternalError):
    """The database is down, locked, full or read-only: whatever the request wrote is rolled
    back, and the page says so without asking the database anything more."""
    current_app.logger.error("database unavailable: %s", error.orig)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool replaces it
    g._login_user = login_manager.anonymous_user()  # Flask-Login's slot: no user query
    return render_error(
        503,
        "The portal is unavailable",
        "The database is not answering right now, so nothing was saved. Please try again in a "
        "few minutes.",
        [("Retry-After", "60")],
    )


@bp.app_errorhandler(InternalServerError)
def internal_error(error):
    db.session.rollback()
    return render_error(
        500,
        "Something went wrong",
        "The portal hit an unexpected problem. Nothing you entered was half-saved; please try "
        "again in a moment.",
    )

"""/, /favicon.ico and /healthz."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user

from portal.extensions import limiter
from portal.main import services

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Landing page for visitors; a role-specific home for logged-in users."""
    if current_user.is_authenticated:
        return render_template("main/home.html", todos=services.home_todos(current_user))
    return render_template("main/landing.html")


@bp.route("/favicon.ico")
@limiter.exempt
def favicon():
    """The icon browsers ask for at the site root (pages also link the SVG in static/)."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """JSON health check: 200 when the database answers, 503 otherwise."""
    if not services.database_answers():
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

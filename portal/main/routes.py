"""/ and /healthz."""

from flask import Blueprint, jsonify, render_template
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


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """JSON health check: 200 when the database answers, 503 otherwise."""
    if not services.database_answers():
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

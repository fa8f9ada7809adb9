"""/api/v1: JSON for the vendor's tools, with the same filters and privacy rules as the report."""

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for

from portal.api import openapi
from portal.board import services as board
from portal.extensions import csrf, limiter
from portal.models import Status
from portal.privacy import Shown
from portal.reports import queries
from portal.tokens import services as tokens
from portal.web.pagination import MAX_PAGE, MAX_PER_PAGE, paginate

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a cross-site form to ride on


class ApiError(Exception):
    def __init__(self, status: int, message: str, **details):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error=error.message, status=error.status, **error.details), error.status


def token_required(view):
    """A live vendor token in `Authorization: Bearer …`; otherwise 401 JSON."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        path = request.full_path.rstrip("?")
        user = tokens.use_token(secret.strip(), path) if scheme.lower() == "bearer" else None
        if user is None:
            response = jsonify(error="A valid API token is required.", status=401)
            response.headers["WWW-Authenticate"] = 'Bearer realm="channel-voice"'
            return response, 401
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def shown(value: Shown) -> dict:
    return {
        "value": value.value,
        "suppressed": value.suppressed,
        "organisations": value.orgs,
        "note": value.note or None,
        "released_at": value.released_at.isoformat() if value.released_at else None,
    }


def composed(row: dict) -> dict:
    """A segment row over the report's requirements: sums of shown cells, and what they omit."""
    return {
        "group": row["label"],
        "voting_organisations": row["voters"],
        "showstopper_organisations": row["showstoppers"],
        "voting_cells_hidden": row["voters_hidden"],
        "revenue_at_stake": row["revenue"],
        "revenue_cells_shown": row["revenue_cells"],
        "revenue_cells_hidden": row["revenue_hidden"],
    }


def row_json(row: dict) -> dict:
    data = {k: v for k, v in row.items() if k not in ("revenue_sum", "revenue_median")}
    data.pop("status_label", None)
    data["revenue_at_stake"] = {
        "sum": shown(row["revenue_sum"]),
        "median": shown(row["revenue_median"]),
    }
    return data


def filters_from_args() -> queries.ReportFilters:
    try:
        return queries.ReportFilters.from_args(request.args)
    except queries.FilterError as error:
        raise ApiError(400, "Unusable filters.", problems=error.problems) from None


def page_from_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 25))
    except ValueError:
        raise ApiError(400, "page and per_page must be whole numbers.") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(
            400,
            f"page must be between 1 and {MAX_PAGE:,}, per_page between 1 and {MAX_PER_PAGE}.",
        )
    return page, per_page


def paged_rows(filters: queries.ReportFilters) -> dict:
    page, per_page = page_from_args()
    pagination = paginate(queries.requirements_query(filters), per_page, page=page)
    first = (page - 1) * per_page + 1
    return {
        "items": [row_json(r) for r in queries.rows_for(list(pagination.items), g.api_user, first)],
        "page": page,
        "per_page": per_page,
        "total": pagination.total,
        "pages": pagination.pages,
    }


@bp.route("/openapi.json")
@limiter.exempt
def openapi_document():
    """The OpenAPI 3.1 description of this API (public)."""
    return jsonify(openapi.document())


@bp.route("/requirements")
@token_required
def requirements():
    """Requirements ranked by score, with the report's filters and pagination."""
    return jsonify(paged_rows(filters_from_args()))


@bp.route("/requirements/<int:requirement_id>")
@token_required
def requirement(requirement_id: int):
    """One requirement; a merged one answers 308 to the requirement it was merged into."""
    found = board.find_requirement(requirement_id)
    if found is not None and found.status == Status.MERGED and found.merged_into_id:
        return merged(found.id, found.merged_into_id)
    if found is None or found.status == Status.MERGED:
        raise ApiError(404, f"There is no requirement {requirement_id}.")
    data = row_json(queries.rows_for([found], g.api_user)[0])
    data.pop("rank")
    data |= {
        "body": found.body,
        "official_response": found.response or None,
        "responded_at": found.responded_at.isoformat() if found.responded_at else None,
        "status_history": [
            {"status": c.new_status.value, "at": c.created_at.isoformat()}
            for c in board.status_history(found)
        ],
    }
    return jsonify(data)


def merged(requirement_id: int, target_id: int):
    """308 Permanent Redirect to the target (clients following it keep the method and token)."""
    location = url_for("api.requirement", requirement_id=target_id)
    response = jsonify(
        error=f"Requirement {requirement_id} was merged into {target_id}.",
        status=308,
        merged_into=target_id,
        location=location,
    )
    response.headers["Location"] = location
    return response, 308


@bp.route("/reports/vendor")
@token_required
def vendor_report():
    """The vendor report: rows (paginated), summary, breakdowns by segment, monthly trend."""
    filters = filters_from_args()
    body = paged_rows(filters)
    who = queries.breakdowns(filters)
    body |= {
        "filters": dict(filters.describe()),
        "summary": queries.summary(filters),
        "breakdowns": [
            {
                "segment": b["label"],
                "rows": [composed(r) for r in b["rows"]],
                "all": composed(b["all"]) | {"requirements": who["requirements"]},
            }
            for b in who["breakdowns"]
        ],
        "trend": queries.trend(filters),
    }
    return jsonify(body)

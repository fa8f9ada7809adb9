"""The token API: authentication, every response against the OpenAPI document, bad input."""

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from portal.board.services import merge_requirements
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ApiToken, AuditEvent, Requirement, Role, User
from portal.tokens.services import create_token, revoke_token
from tests.conftest import login, post_form


@pytest.fixture
def token(app, make):
    """(secret, user id) of a live vendor token."""
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        _, secret = create_token(db.session.get(User, vendor.id), "spreadsheet")
    return secret, vendor.id


@pytest.fixture
def api(app, token):
    client = app.test_client()

    def get(path, secret=None):
        return client.get(
            f"/api/v1{path}", headers={"Authorization": f"Bearer {secret or token[0]}"}
        )

    return get


@pytest.fixture
def spec(app, client):
    return client.get("/api/v1/openapi.json").json


def validate(spec: dict, schema_name: str, body) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    Draft202012Validator(schema).validate(body)


def test_openapi_document_is_public_and_covers_every_route(app, spec):
    assert spec["openapi"].startswith("3.1")
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<int:requirement_id>", "{requirement_id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
    }
    assert routes == set(spec["paths"])


def test_responses_match_the_document(api, spec, board):
    validate(spec, "RequirementPage", api("/requirements").json)
    validate(spec, "RequirementDetail", api(f"/requirements/{board['big']}").json)
    validate(spec, "VendorReport", api("/reports/vendor?status=open").json)
    validate(spec, "Error", api("/requirements/999999").json)
    validate(spec, "Error", api("/requirements?per_page=1000000000").json)


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer cv_forged-token"]
)
def test_missing_or_invalid_tokens_get_401_json(app, header):
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/requirements", headers=headers)
    assert response.status_code == 401 and response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(app, api, token):
    assert api("/requirements").status_code == 200
    with app.app_context():
        user = db.session.get(User, token[1])
        revoke_token(user, db.session.scalar(select(ApiToken)))
    assert api("/requirements").status_code == 401


def test_a_token_dies_with_its_users_vendor_role(app, api, token, make):
    with app.app_context():
        user = db.session.get(User, token[1])
        user.role, user.organisation_id = Role.PARTNER, make.org().id
        db.session.commit()
    assert api("/requirements").status_code == 401


def test_a_browser_session_is_not_an_api_credential(app, client, make):
    login(client, make.user(Role.VENDOR).email)
    assert client.get("/api/v1/requirements").status_code == 401


@pytest.mark.parametrize("role", [Role.PARTNER, Role.EDITOR, Role.ADMIN])
def test_only_vendor_users_can_hold_tokens(ctx, make, role):
    with pytest.raises(ServiceError, match="Only the vendor"):
        create_token(db.session.get(User, make.user(role).id), "nope")


def test_only_the_hash_is_stored(ctx, make):
    token, secret = create_token(db.session.get(User, make.user(Role.VENDOR).id), "tool")
    stored = db.session.get(ApiToken, token.id)
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


def test_token_page_shows_a_new_token_once_and_revokes(app, client, make):
    login(client, make.user(Role.VENDOR).email)
    created = post_form(client, "/api-tokens", {"name": "Planning sheet"})
    html = created.get_data(as_text=True)
    assert "shown only once" in html and 'value="cv_' in html
    assert 'value="cv_' not in client.get("/api-tokens").get_data(as_text=True)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    post_form(client, f"/api-tokens/{token_id}/revoke", {}, "/api-tokens")
    assert "Revoked" in client.get("/api-tokens").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.EDITOR])
def test_token_page_is_for_vendor_users(client, make, role):
    login(client, make.user(role).email)
    assert client.get("/api-tokens").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("per_page=1000000000", "per_page between 1 and 100"),
        ("page=0", "page must be between 1 and 1,000,000"),
        ("page=9223372036854775807", "page must be between 1 and 1,000,000"),
        ("page=100000000000000000000", "page must be between 1 and 1,000,000"),
        ("to=9999-12-31", "Unusable filters"),
        ("page=abc", "whole numbers"),
        ("status=bogus", "Unusable filters"),
        ("from=2026-05-01&to=2026-01-01", "Unusable filters"),
    ],
)
def test_bad_arguments_get_400_json(api, board, query, message):
    response = api(f"/requirements?{query}")
    assert response.status_code == 400 and message in response.json["error"]


def test_unknown_and_merged_requirements_are_404(app, api, board):
    from portal.models import Requirement, Status

    with app.app_context():
        db.session.get(Requirement, board["small"]).status = Status.MERGED
        db.session.commit()
    assert api(f"/requirements/{board['small']}").status_code == 404
    assert api("/nothing-here").status_code == 404
    assert api("/nothing-here").json["status"] == 404


def test_pagination_and_filters(api, board):
    first = api("/requirements?per_page=1").json
    assert (first["total"], first["pages"], len(first["items"])) == (2, 2, 1)
    second = api("/requirements?per_page=1&page=2").json
    assert second["items"][0]["rank"] == 2
    assert api("/requirements?status=shipped").json["total"] == 0


def test_api_use_is_audited(app, api, token):
    api("/requirements?status=open")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.request"))
        assert event.actor_id == token[1] and event.target == "/api/v1/requirements?status=open"
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_names_only_with_consent(api, board):
    items = {i["title"]: i for i in api("/requirements").json["items"]}
    assert items["Partner billing for BPOS"]["named_organisations"] == ["Voter 0"]


def test_a_merged_requirement_answers_308_to_the_one_it_was_merged_into(
    app, api, token, spec, board
):
    with app.app_context():
        vendor = db.session.get(User, token[1])
        small, big = (db.session.get(Requirement, board[k]) for k in ("small", "big"))
        merge_requirements(vendor, small, big)
    response = api(f"/requirements/{board['small']}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/api/v1/requirements/{board['big']}"
    validate(spec, "Merged", response.json)
    assert response.json["merged_into"] == board["big"]
    assert "308" in spec["paths"]["/requirements/{requirement_id}"]["get"]["responses"]
    followed = api(response.headers["Location"].removeprefix("/api/v1"))
    validate(spec, "RequirementDetail", followed.json)
    assert followed.json["id"] == board["big"]

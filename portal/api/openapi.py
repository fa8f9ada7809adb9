"""The OpenAPI 3.1 document for /api/v1; tests check every response against these schemas."""

from flask import url_for

from portal.database import MAX_ID
from portal.web.pagination import MAX_PAGE

SHOWN = {
    "type": "object",
    "description": (
        "A released, privacy-protected figure: value is null when suppressed, rounded to two "
        "significant figures otherwise; released_at is when it was last released."
    ),
    "required": ["value", "suppressed", "organisations", "note", "released_at"],
    "properties": {
        "value": {"type": ["number", "null"]},
        "suppressed": {"type": "boolean"},
        "organisations": {"type": ["integer", "null"]},
        "note": {"type": ["string", "null"]},
        "released_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "additionalProperties": False,
}

ROW_PROPERTIES = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "product": {"type": "string"},
    "topics": {"type": "array", "items": {"type": "string"}},
    "status": {
        "type": "string",
        "enum": ["open", "under_review", "planned", "declined", "shipped", "merged"],
    },
    "created_at": {"type": "string", "format": "date"},
    "score": {"type": "integer"},
    "votes": {"type": "integer"},
    "organisations": {"type": "integer"},
    "showstopper_organisations": {"type": "integer"},
    "showstopper_share": {"type": ["integer", "null"], "description": "percent"},
    "importance_mix": {
        "type": "object",
        "required": ["nice_to_have", "important", "showstopper"],
        "properties": {
            k: {"type": "integer"} for k in ("nice_to_have", "important", "showstopper")
        },
        "additionalProperties": False,
    },
    "revenue_at_stake": {
        "type": "object",
        "required": ["sum", "median"],
        "properties": {
            "sum": {"$ref": "#/components/schemas/Shown"},
            "median": {"$ref": "#/components/schemas/Shown"},
        },
        "additionalProperties": False,
    },
    "named_organisations": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Only organisations that consented to be named to the vendor.",
    },
    "named_count": {"type": "integer", "description": "How many organisations are named."},
}

REQUIREMENT_ROW = {
    "type": "object",
    "required": ["rank", *ROW_PROPERTIES],
    "properties": {"rank": {"type": "integer"}, **ROW_PROPERTIES},
    "additionalProperties": False,
}

REQUIREMENT_DETAIL = {
    "type": "object",
    "required": [*ROW_PROPERTIES, "body", "official_response", "responded_at", "status_history"],
    "properties": {
        **ROW_PROPERTIES,
        "body": {"type": "string", "description": "markdown"},
        "official_response": {"type": ["string", "null"]},
        "responded_at": {"type": ["string", "null"], "format": "date-time"},
        "status_history": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["status", "at"],
                "properties": {"status": {"type": "string"}, "at": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

PAGE = {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/RequirementRow"}},
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "total": {"type": "integer"},
    "pages": {"type": "integer"},
}

REQUIREMENT_PAGE = {
    "type": "object",
    "required": list(PAGE),
    "properties": PAGE,
    "additionalProperties": False,
}

SEGMENT_ROW = {
    "type": "object",
    "description": (
        "One segment value over the report's requirements: the sum of each requirement's "
        "released cell for it where that cell may be shown, and how many cells were left out."
    ),
    "required": [
        "group",
        "voting_organisations",
        "showstopper_organisations",
        "voting_cells_hidden",
        "revenue_at_stake",
        "revenue_cells_shown",
        "revenue_cells_hidden",
    ],
    "properties": {
        "group": {"type": "string"},
        "voting_organisations": {"type": "integer"},
        "showstopper_organisations": {"type": "integer"},
        "voting_cells_hidden": {"type": "integer"},
        "revenue_at_stake": {"type": ["integer", "null"]},
        "revenue_cells_shown": {"type": "integer"},
        "revenue_cells_hidden": {"type": "integer"},
        "requirements": {"type": "integer"},
    },
    "additionalProperties": False,
}

VENDOR_REPORT = {
    "type": "object",
    "required": [*PAGE, "filters", "summary", "breakdowns", "trend"],
    "properties": {
        **PAGE,
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "summary": {
            "type": "object",
            "required": ["requirements", "votes", "organisations"],
            "properties": {
                k: {"type": "integer"} for k in ("requirements", "votes", "organisations")
            },
            "additionalProperties": False,
        },
        "breakdowns": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["segment", "rows", "all"],
                "properties": {
                    "segment": {"type": "string"},
                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}},
                    "all": {"$ref": "#/components/schemas/Segment"},
                },
                "additionalProperties": False,
            },
        },
        "trend": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["month", "votes", "organisations"],
                "properties": {
                    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "votes": {"type": "integer"},
                    "organisations": {"type": "integer"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "string"}},
    },
}

MERGED = {
    "type": "object",
    "description": (
        "The requirement was merged into another: the answer is 308 Permanent Redirect, with "
        "the target's API URL in the Location header and in location; merged_into is its id."
    ),
    "required": ["error", "status", "merged_into", "location"],
    "properties": {
        "error": {"type": "string"},
        "status": {"const": 308},
        "merged_into": {"type": "integer"},
        "location": {"type": "string", "format": "uri-reference"},
    },
    "additionalProperties": False,
}


def _closed(properties: dict, optional: tuple[str, ...] = (), **extra) -> dict:
    """An object schema with exactly these properties, all required but the optional ones."""
    required = [name for name in properties if name not in optional]
    return {
        "type": "object",
        **extra,
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


URL = {"type": "string", "format": "uri"}
TIMESTAMP = {"type": "string", "format": "date-time"}

WEBHOOK_REQUIREMENT = _closed(
    {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": ROW_PROPERTIES["status"],
        "url": URL,
        "created_at": TIMESTAMP,
        "votes": {"type": "integer"},
        "organisations": {"type": "integer"},
        "merged_into": {
            "$ref": "#/components/schemas/WebhookRequirement",
            "description": "requirement.merged only: the requirement its votes moved to",
        },
    },
    optional=("merged_into",),
    description="A requirement as the board shows it: no revenue, no organisation names.",
)
WEBHOOK_SURVEY = _closed(
    {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "open", "closed"]},
        "url": URL,
    }
)
WEBHOOK_BRIEF = _closed(
    {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": ["survey", "board"]},
        "url": URL,
        "published_at": TIMESTAMP,
    }
)
WEBHOOK_PING = _closed(
    {"endpoint": {"type": "integer"}, "events": {"type": "array", "items": {"type": "string"}}}
)

# event → (summary, schema of its `data`)
WEBHOOK_EVENTS = {
    "requirement.created": ("A partner posted a requirement", "WebhookRequirement"),
    "requirement.status_changed": ("The vendor changed a status", "WebhookRequirement"),
    "requirement.merged": ("A requirement was merged (see merged_into)", "WebhookRequirement"),
    "survey.closed": ("A survey closed", "WebhookSurvey"),
    "brief.published": ("A brief was published", "WebhookBrief"),
    "ping": ("The endpoint page's “Send test event”", "WebhookPing"),
}

WEBHOOK_HEADERS = {
    "X-ChannelVoice-Signature": "sha256=<hex HMAC-SHA256 of “<timestamp>.<raw body>” keyed "
    "with the endpoint's secret>; compare in constant time",
    "X-ChannelVoice-Timestamp": "Unix seconds when this attempt was signed; refuse anything "
    "older than 5 minutes (the replay window)",
    "X-ChannelVoice-Event": "The event name, as in the body",
    "X-ChannelVoice-Delivery": "The delivery's id: the same on every retry, to drop duplicates",
}


def _webhook(event: str, summary: str, data_schema: str) -> dict:
    """One entry of the document's `webhooks`: the signed POST the portal sends."""
    envelope = _closed(
        {
            "event": {"const": event},
            "occurred_at": TIMESTAMP,
            "data": {"$ref": f"#/components/schemas/{data_schema}"},
        }
    )
    return {
        "post": {
            "summary": summary,
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": text,
                    "schema": {"type": "string"},
                }
                for name, text in WEBHOOK_HEADERS.items()
            ],  # fmt: skip
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": envelope}},
            },
            "responses": {
                "2XX": {"description": "Received; any other answer or a timeout is retried"}
            },
        }
    }


SCHEMAS = {
    "Shown": SHOWN,
    "Segment": SEGMENT_ROW,
    "RequirementRow": REQUIREMENT_ROW,
    "RequirementDetail": REQUIREMENT_DETAIL,
    "RequirementPage": REQUIREMENT_PAGE,
    "VendorReport": VENDOR_REPORT,
    "Error": ERROR,
    "Merged": MERGED,
    "WebhookRequirement": WEBHOOK_REQUIREMENT,
    "WebhookSurvey": WEBHOOK_SURVEY,
    "WebhookBrief": WEBHOOK_BRIEF,
    "WebhookPing": WEBHOOK_PING,
}

FILTERS = [
    {"name": "product", "in": "query", "schema": {"type": "string"}, "description": "product slug"},
    {"name": "topic", "in": "query", "schema": {"type": "string"}, "description": "topic slug"},
    {"name": "status", "in": "query", "schema": ROW_PROPERTIES["status"]},
    {
        "name": "from",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": "posted on or after",
    },
    {
        "name": "to",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": "posted on or before",
    },
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


ERRORS = {
    "400": _json("Error", "Unusable filters or page arguments"),
    "401": _json("Error", "Missing, invalid or revoked token"),
}


def document() -> dict:
    """The OpenAPI document, with this server's URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Channel Voice API",
            "version": "1.0.0",
            "description": "Requirements and the vendor report for the vendor's own tools. Every "
            "revenue figure and segment group follows the portal's privacy rules: aggregates "
            "over at least PRIVACY_MIN_ORGS organisations, names only with consent.",
        },
        "servers": [{"url": url_for("api.openapi_document", _external=True).rsplit("/", 1)[0]}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "webhooks": {
            event: _webhook(event, summary, schema)
            for event, (summary, schema) in WEBHOOK_EVENTS.items()
        },
        "paths": {
            "/requirements": {
                "get": {
                    "summary": "Requirements ranked by score",
                    "parameters": FILTERS,
                    "responses": {
                        "200": _json("RequirementPage", "A page of requirements"),
                        **ERRORS,
                    },
                }
            },
            "/requirements/{requirement_id}": {
                "get": {
                    "summary": "One requirement",
                    "parameters": [
                        {
                            "name": "requirement_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        }
                    ],
                    "responses": {
                        "200": _json("RequirementDetail", "The requirement"),
                        "308": {
                            **_json("Merged", "Merged into another requirement: follow Location"),
                            "headers": {
                                "Location": {
                                    "description": "The API URL of the requirement kept",
                                    "schema": {"type": "string", "format": "uri-reference"},
                                }
                            },
                        },
                        "401": ERRORS["401"],
                        "404": _json("Error", "No such requirement"),
                    },
                }
            },
            "/reports/vendor": {
                "get": {
                    "summary": "The vendor report",
                    "parameters": FILTERS,
                    "responses": {"200": _json("VendorReport", "The report"), **ERRORS},
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
    }

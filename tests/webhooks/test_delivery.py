"""Events reach a real receiver signed, once per action; failures are retried with backoff."""

from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select
from werkzeug.datastructures import Headers

from portal.board import services as board_services
from portal.briefs import services as briefs
from portal.database import utcnow
from portal.extensions import db
from portal.models import Requirement, Role, Status, Survey, SurveyStatus, User, WebhookDelivery
from portal.surveys import services as surveys
from portal.webhooks import services as webhooks
from portal.webhooks.delivery import send_due, signature

from .conftest import Receiver, readme_verify


def deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def queue_ping(endpoint_id: int) -> None:
    """What the endpoint page's "Send test event" button does."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    webhooks.send_test(user(endpoint.created_by_id), endpoint)


@pytest.fixture
def every_event(app, make, catalogue, vendor):
    """Do each listed action through its service; returns nothing, the outbox holds the events."""
    product_id, topic_ids = catalogue
    partner, editor = make.user(Role.PARTNER), make.user(Role.EDITOR)
    with app.app_context():
        first = board_services.create_requirement(
            user(partner.id), "Bill BPOS", "We bill.", product_id, topic_ids
        )
        second = board_services.create_requirement(
            user(partner.id), "Bill it", "Same.", product_id, topic_ids
        )
        board_services.set_status(user(vendor.id), first, Status.PLANNED, "Next quarter.")
        board_services.merge_requirements(user(vendor.id), second, first)
        survey = Survey(title="Billing needs", status=SurveyStatus.OPEN, editor_id=editor.id)
        db.session.add(survey)
        db.session.commit()
        surveys.set_status(user(editor.id), survey, SurveyStatus.CLOSED)
        briefs.publish_board_brief(user(editor.id), "top", "Top requirements")


def test_a_receiver_gets_every_listed_event_signed(app, endpoint, receiver, every_event, client):
    _, secret = endpoint
    with app.app_context():
        assert send_due() == (6, 0, 0)
        assert {d.status for d in deliveries()} == {"sent"}
    bodies = receiver.verified(secret)
    assert [body["event"] for body in bodies] == [
        "requirement.created",
        "requirement.created",
        "requirement.status_changed",
        "requirement.merged",
        "survey.closed",
        "brief.published",
    ]
    assert [r.headers["X-ChannelVoice-Event"] for r in receiver.received] == [
        body["event"] for body in bodies
    ]
    assert bodies[2]["data"]["status"] == "planned"
    assert bodies[3]["data"]["status"] == "merged"
    assert bodies[3]["data"]["merged_into"]["id"] == bodies[0]["data"]["id"]
    spec = client.get("/api/v1/openapi.json").json
    for body in bodies:
        schema = spec["webhooks"][body["event"]]["post"]["requestBody"]["content"]
        Draft202012Validator(
            {**schema["application/json"]["schema"], "components": spec["components"]}
        ).validate(body)


def test_payloads_carry_no_revenue_and_no_organisation_name(app, make, board, endpoint):
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        requirement = db.session.get(Requirement, board["big"])
        board_services.set_status(user(vendor.id), requirement, Status.PLANNED, "")
        data = deliveries()[-1].payload["data"]
    assert (data["votes"], data["organisations"]) == (6, 6)
    assert not {"revenue", "revenue_at_stake", "named_organisations"} & set(data)
    assert "Voter" not in str(data)


def test_the_readme_check_refuses_a_tampered_stale_or_foreign_delivery(app, endpoint, receiver):
    verify = readme_verify()
    with app.app_context():
        queue_ping(endpoint[0])
        send_due()
    (request,) = receiver.received
    headers, body, secret = Headers(request.headers.items()), request.body, endpoint[1]
    assert verify(headers, body, secret)
    assert not verify(headers, body.replace(b"ping", b"pong"), secret)
    assert not verify(headers, body, secret + "x")
    stale = str(int(headers["X-ChannelVoice-Timestamp"]) - 301)
    forged = headers.copy()
    forged["X-ChannelVoice-Timestamp"] = stale
    forged["X-ChannelVoice-Signature"] = signature(secret, stale, body)
    assert not verify(forged, body, secret)


def test_a_500_is_retried_with_backoff_until_it_succeeds(app, endpoint, receiver: Receiver):
    receiver.script = [(500, 0), (503, 0)]
    endpoint_id, secret = endpoint
    with app.app_context():
        queue_ping(endpoint_id)
        start = utcnow()
        assert send_due(start) == (0, 0, 1)
        (delivery,) = deliveries()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        base = app.config["WEBHOOK_RETRY_BASE_SECONDS"]
        assert delivery.next_attempt_at == start + timedelta(seconds=base * 2)
        assert send_due(start + timedelta(seconds=base)) == (0, 0, 0)  # not due yet
        assert send_due(start + timedelta(seconds=base * 2)) == (0, 0, 1)
        assert deliveries()[0].next_attempt_at == start + timedelta(seconds=base * 2 + base * 4)
        assert send_due(start + timedelta(days=1)) == (1, 0, 0)
        delivery = deliveries()[0]
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 3, 200)
    bodies = receiver.verified(secret)
    assert len(bodies) == 3 and bodies[0] == bodies[2]
    assert len({r.headers["X-ChannelVoice-Delivery"] for r in receiver.received}) == 1


def test_a_delivery_fails_for_good_after_the_last_attempt(app, endpoint, receiver: Receiver):
    receiver.script = [(500, 0)] * 3
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    try:
        with app.app_context():
            queue_ping(endpoint[0])
            later = utcnow()
            runs = [send_due(later := later + timedelta(days=1)) for _ in range(4)]
            assert runs == [(0, 0, 1), (0, 0, 1), (0, 1, 0), (0, 0, 0)]
            assert deliveries()[0].status == "failed"
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 8
    assert len(receiver.received) == 3


def test_a_slow_receiver_times_out_and_counts_as_a_failed_attempt(app, endpoint, receiver):
    receiver.script = [(200, 2.0)]
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.3
    try:
        with app.app_context():
            queue_ping(endpoint[0])
            assert send_due() == (0, 0, 1)
            delivery = deliveries()[0]
            assert delivery.attempts == 1 and delivery.last_status_code is None
            assert "timed out" in delivery.last_error
    finally:
        app.config["WEBHOOK_TIMEOUT_SECONDS"] = 5.0


def test_a_private_address_is_refused_at_send_time(app, endpoint, receiver):
    with app.app_context():
        queue_ping(endpoint[0])
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
        try:
            assert send_due() == (0, 0, 1)
        finally:
            app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
        delivery = deliveries()[0]
        assert delivery.last_error.startswith("Refused: 127.0.0.1 is a private or local address")
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
    ],
)
def test_private_and_local_addresses_are_refused_without_the_setting(app, url):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    try:
        with app.app_context():
            assert "private or local address" in webhooks.refusal(url)
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = True


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "http://[::1"],
)
def test_only_http_urls_are_accepted(app, url):
    with app.app_context():
        assert webhooks.refusal(url) is not None


def test_a_redirect_is_not_followed(app, endpoint, receiver):
    receiver.script = [(302, 0)]
    with app.app_context():
        queue_ping(endpoint[0])
        assert send_due() == (0, 0, 1)
        assert deliveries()[0].last_status_code == 302
    assert len(receiver.received) == 1


def test_send_webhooks_command_posts_the_queue(app, runner, endpoint, receiver):
    with app.app_context():
        queue_ping(endpoint[0])
    result = runner.invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1 webhook(s); 0 will be retried; 0 gave up." in result.output
    assert receiver.verified(endpoint[1])[0]["event"] == "ping"


def test_an_endpoint_gets_only_the_events_it_chose(app, make, catalogue, vendor, receiver):
    product_id, topic_ids = catalogue
    partner = make.user(Role.PARTNER)
    with app.app_context():
        webhooks.create_endpoint(user(vendor.id), receiver.url, ["survey.closed"])
        board_services.create_requirement(
            user(partner.id), "Bill BPOS", "We bill.", product_id, topic_ids
        )
        assert deliveries() == []

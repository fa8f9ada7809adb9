"""/webhooks: who may see it, the secret shown once, the log, the test button, removal, CSRF."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Role, WebhookDelivery, WebhookEndpoint
from portal.webhooks.delivery import send_due
from tests.conftest import login, post_form

SECRET_RE = re.compile(r'value="(whsec_[^"]+)"')
ALL_EVENTS = [
    "requirement.created",
    "requirement.status_changed",
    "requirement.merged",
    "survey.closed",
    "brief.published",
]


@pytest.fixture
def vendor_client(app, vendor):
    client = app.test_client()
    login(client, vendor.email)
    return client


@pytest.mark.parametrize("role", [Role.PARTNER, Role.EDITOR])
def test_partners_and_the_editor_get_403(app, make, role, endpoint):
    client = app.test_client()
    login(client, make.user(role).email)
    for url in ["/webhooks", f"/webhooks/{endpoint[0]}", f"/webhooks/{endpoint[0]}/delete"]:
        assert client.get(url).status_code == 403
    url = f"/webhooks/{endpoint[0]}/test"
    assert post_form(client, url, {}, form_page="/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/webhooks").status_code == 302


@pytest.mark.parametrize("role", [Role.VENDOR, Role.ADMIN])
def test_vendor_and_admin_see_the_page_in_their_navigation(app, make, role):
    client = app.test_client()
    login(client, make.user(role).email)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/webhooks"' in page
    assert client.get("/webhooks").status_code == 200


def test_adding_an_endpoint_shows_its_secret_once(app, vendor_client, receiver):
    response = post_form(
        vendor_client, "/webhooks", {"url": receiver.url, "events": ["survey.closed"]}
    )
    assert response.status_code == 200
    (secret,) = SECRET_RE.findall(response.get_data(as_text=True))
    with app.app_context():
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert (endpoint.url, endpoint.events, endpoint.secret) == (
            receiver.url,
            ["survey.closed"],
            secret,
        )
        assert db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "webhook.create")
        )
    for url in ["/webhooks", f"/webhooks/{endpoint.id}", f"/webhooks/{endpoint.id}/delete"]:
        assert secret not in vendor_client.get(url).get_data(as_text=True)


def test_a_private_url_is_a_field_error_without_the_setting(app, vendor_client):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    try:
        response = post_form(
            vendor_client, "/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ALL_EVENTS}
        )
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "127.0.0.1 is a private or local address" in page
    assert 'value="http://127.0.0.1:9/hook"' in page  # the input is kept
    with app.app_context():
        assert db.session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "", "events": ALL_EVENTS}, "Enter the URL that should receive the events."),
        ({"url": "ftp://example.com/x", "events": ALL_EVENTS}, "Enter an http:// or https:// URL"),
        ({"url": "http://127.0.0.1/x"}, "Choose at least one event."),
        (
            {"url": "http://127.0.0.1/x", "events": ["vote.cast"]},
            "is not a valid choice for this field",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(app, vendor_client, data, message):
    response = post_form(vendor_client, "/webhooks", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_forms_without_csrf_are_refused(app, vendor_client, endpoint, receiver):
    url = f"/webhooks/{endpoint[0]}"
    assert (
        vendor_client.post(
            "/webhooks", data={"url": receiver.url, "events": ALL_EVENTS}
        ).status_code
        == 400
    )
    assert vendor_client.post(f"{url}/test").status_code == 400
    assert vendor_client.post(f"{url}/delete").status_code == 400
    with app.app_context():
        assert len(db.session.scalars(select(WebhookEndpoint)).all()) == 1
        assert db.session.scalars(select(WebhookDelivery)).all() == []


def test_send_test_event_then_the_log_shows_retries(app, vendor_client, endpoint, receiver):
    receiver.script = [(500, 0)]
    url = f"/webhooks/{endpoint[0]}"
    response = post_form(vendor_client, f"{url}/test", {}, form_page=url, follow_redirects=True)
    assert "A test event is queued" in response.get_data(as_text=True)
    with app.app_context():
        assert send_due().retrying == 1
    page = vendor_client.get(url).get_data(as_text=True)
    assert re.search(
        r"<code>ping</code>.*?pending</strong> after 1 attempt\s.*?HTTP 500.*?next ", page, re.S
    )
    with app.app_context():
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert send_due(delivery.next_attempt_at).sent == 1
    page = vendor_client.get(url).get_data(as_text=True)
    assert re.search(r"<code>ping</code>.*?sent</strong> after 2 attempts.*?HTTP 200", page, re.S)
    assert receiver.verified(endpoint[1])[1]["event"] == "ping"


def test_removing_asks_first_then_removes_the_endpoint_and_its_log(app, vendor_client, endpoint):
    url = f"/webhooks/{endpoint[0]}/delete"
    post_form(vendor_client, f"/webhooks/{endpoint[0]}/test", {}, form_page=url)
    page = vendor_client.get(url).get_data(as_text=True)
    assert "Remove the webhook to" in page
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint[0]) is not None
    response = post_form(vendor_client, url, {}, follow_redirects=True)
    assert "is removed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WebhookEndpoint, endpoint[0]) is None
        assert db.session.scalars(select(WebhookDelivery)).all() == []
    assert vendor_client.get(f"/webhooks/{endpoint[0]}").status_code == 404

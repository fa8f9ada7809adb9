"""Admins manage products and topics; notifications: outbox, opt-out, SMTP sending."""

import smtplib

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Product, Role, Topic, User
from portal.notify import queue, send_pending
from tests.conftest import login, post_form


@pytest.fixture
def admin_client(client, make):
    login(client, make.user(Role.ADMIN).email)
    return client


@pytest.mark.parametrize(("kind", "model"), [("products", Product), ("topics", Topic)])
def test_admin_creates_and_renames_catalogue_items(app, admin_client, kind, model):
    created = post_form(
        admin_client,
        f"/admin/{kind}/new",
        {"name": "Windows Intune", "description": "x", "active": "y"},
    )
    assert created.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(model))
        assert item.slug == "windows-intune"
    post_form(admin_client, f"/admin/{kind}/{item.id}", {"name": "Intune", "slug": "intune"})
    with app.app_context():
        assert db.session.get(model, item.id).name == "Intune"
        assert db.session.scalars(select(AuditEvent.action)).all() == [
            f"{kind[:-1]}.create",
            f"{kind[:-1]}.update",
        ]


def test_duplicate_product_names_are_refused(app, admin_client):
    post_form(admin_client, "/admin/products/new", {"name": "BPOS"})
    response = post_form(admin_client, "/admin/products/new", {"name": "bpos", "slug": "other"})
    assert response.status_code == 400 and "This name is taken." in response.get_data(as_text=True)


def test_partners_cannot_manage_the_catalogue(client, make):
    login(client, make.user(Role.PARTNER).email)
    assert client.get("/admin/products").status_code == 403
    assert client.get("/admin/outbox").status_code == 403


def test_admin_reads_the_outbox(app, admin_client, make):
    user = make.user(Role.PARTNER, email="reader@example.com")
    with app.app_context():
        queue([db.session.get(User, user.id)], "Status changed", "Body text")
        db.session.commit()
    html = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "Status changed" in html and "reader@example.com" in html and "not sent" in html


def test_users_can_switch_notifications_off(app, client, make):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    post_form(client, "/auth/settings", {})
    with app.app_context():
        fresh = db.session.get(User, user.id)
        assert fresh.notify is False
        assert queue([fresh], "s", "b") == 0


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        if message["To"] == "bounce@example.com":
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no")})
        FakeSMTP.sent.append(message["To"])


def test_send_pending_uses_smtp_and_records_failures(app, make, monkeypatch):
    ok, bad = make.user(email="ok@example.com"), make.user(email="bounce@example.com")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    with app.app_context():
        queue([db.session.get(User, ok.id), db.session.get(User, bad.id)], "Hello", "Body")
        db.session.commit()
        app.config["MAIL_SERVER"] = "smtp.example.com"
        try:
            assert send_pending() == (1, 1, 0)
        finally:
            app.config["MAIL_SERVER"] = ""
        messages = {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}
        assert messages["ok@example.com"].sent_at is not None
        assert messages["bounce@example.com"].error
    assert FakeSMTP.sent == ["ok@example.com"]


def test_send_mail_command_needs_a_mail_server(runner):
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output

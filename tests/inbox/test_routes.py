"""Inbox pages: who may see them, upload, triage by form, and the organisation's side on /org."""

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import EmailDomain, InboxItem, Requirement, Role, Vote, VoteConsent
from tests.conftest import csrf_token, login, post_form

MAIL = Path(__file__).parent / "mail"


@pytest.fixture
def setup(app, make, make_requirement):
    """An editor client, a partner member of BrightPath (brightpath.example), a requirement."""
    org = make.org(name="BrightPath", slug="brightpath")
    member = make.user(Role.PARTNER, org=org)
    editor = make.user(Role.EDITOR)
    requirement_id = make_requirement("Partner-led billing for BPOS customers")
    with app.app_context():
        db.session.add(EmailDomain(domain="brightpath.example", organisation_id=org.id))
        db.session.commit()
    return editor, member, requirement_id


def upload(client, name: str, data: bytes | None = None):
    return post_form(
        client,
        "/inbox/import",
        {"file": (BytesIO(data if data is not None else (MAIL / name).read_bytes()), name)},
        content_type="multipart/form-data",
    )


def only_item(app) -> int:
    with app.app_context():
        return db.session.scalar(select(InboxItem.id))


@pytest.mark.parametrize(("role", "status"), [(Role.PARTNER, 403), (Role.VENDOR, 403)])
def test_only_editor_and_admin_see_the_inbox(client, make, role, status):
    login(client, make.user(role).email)
    assert client.get("/inbox/").status_code == status
    assert client.get("/inbox/import").status_code == status


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/inbox/").status_code == 302


def test_editor_imports_and_sees_the_mail_without_its_html(app, client, setup):
    editor, _, _ = setup
    login(client, editor.email)
    assert upload(client, "html-only.eml").status_code == 302
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Monthly invoices for BPOS" in page and "Unmatched" in page
    detail = client.get(f"/inbox/{only_item(app)}").get_data(as_text=True)
    assert "We need monthly invoices in BPOS." in detail
    assert "<script>alert" not in detail and "onerror" not in detail


def test_malformed_upload_says_why_and_keeps_nothing(app, client, setup):
    editor, _, _ = setup
    login(client, editor.email)
    response = upload(client, "malformed.eml")
    assert response.status_code == 400
    assert "has no headers: it is not an e-mail. Nothing was imported." in response.get_data(
        as_text=True
    )
    assert only_item(app) is None


def test_editor_records_a_vote_and_the_member_withdraws_it(app, client, make, setup):
    editor, member, requirement_id = setup
    login(client, editor.email)
    upload(client, "plain.eml")
    item_id = only_item(app)
    page = client.get(f"/inbox/{item_id}").get_data(as_text=True)
    assert f"#{requirement_id} Partner-led billing" in page  # the suggestion
    token = csrf_token(client, "/inbox/import")
    response = client.post(
        f"/inbox/{item_id}/vote",
        data={
            "vote-csrf_token": token,
            "vote-requirement": str(requirement_id),
            "vote-importance": "showstopper",
            "vote-consent": "anonymous",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/requirements/{requirement_id}")
    with app.app_context():
        assert db.session.get(Requirement, requirement_id).score == 9

    partner = app.test_client()
    login(partner, member.email)
    org_page = partner.get("/org/").get_data(as_text=True)
    assert "Recorded from our e-mails" in org_page
    assert "from an e-mail of" in org_page and "recorded by the editor" in org_page
    with app.app_context():
        from portal.models import OnBehalfRecord

        record_id = db.session.scalar(select(OnBehalfRecord.id))
    changed = post_form(
        partner,
        f"/inbox/recorded/{record_id}/consent",
        {f"record-{record_id}-consent": "named_to_vendor"},
        "/org/",
    )
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Vote.consent)) == VoteConsent.NAMED_TO_VENDOR
    assert (
        post_form(partner, f"/inbox/recorded/{record_id}/withdraw", {}, "/org/").status_code == 302
    )
    with app.app_context():
        assert db.session.get(Requirement, requirement_id).score == 0

    outsider = app.test_client()
    login(outsider, make.user(Role.PARTNER).email)
    assert (
        post_form(outsider, f"/inbox/recorded/{record_id}/withdraw", {}, "/org/").status_code == 404
    )


def test_vote_without_a_requirement_is_refused_beside_the_field(app, client, setup):
    editor, _, _ = setup
    login(client, editor.email)
    upload(client, "plain.eml")
    item_id = only_item(app)
    token = csrf_token(client, "/inbox/import")
    response = client.post(
        f"/inbox/{item_id}/vote",
        data={"vote-csrf_token": token, "vote-requirement": "", "vote-importance": "important"},
    )
    assert response.status_code == 400
    assert "Choose a requirement." in response.get_data(as_text=True)


def test_archive_spam_and_reply_buttons(app, client, setup):
    editor, _, _ = setup
    login(client, editor.email)
    upload(client, "plain.eml")
    item_id = only_item(app)
    assert post_form(client, f"/inbox/{item_id}/reply", {}, "/inbox/import").status_code == 302
    assert post_form(client, f"/inbox/{item_id}/spam", {}, "/inbox/import").status_code == 302
    assert "BPOS billing" in client.get("/inbox/?status=spam").get_data(as_text=True)
    assert post_form(client, f"/inbox/{item_id}/restore", {}, "/inbox/import").status_code == 302
    assert post_form(client, f"/inbox/{item_id}/archive", {}, "/inbox/import").status_code == 302
    assert "BPOS billing" in client.get("/inbox/?status=archived").get_data(as_text=True)
    assert client.get("/inbox/999").status_code == 404

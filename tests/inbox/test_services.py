"""Inbox services: import once per Message-ID, triage on an organisation's behalf through the
board's services, replies, and the organisation's consent and withdrawal."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.errors import ServiceError
from portal.extensions import db
from portal.inbox import services
from portal.models import (
    AuditEvent,
    Comment,
    EmailDomain,
    Importance,
    InboxItem,
    InboxStatus,
    Invitation,
    OutboxMessage,
    QuoteConsent,
    Requirement,
    RequirementOrg,
    Role,
    User,
    Vote,
    VoteConsent,
)

MAIL = Path(__file__).parent / "mail"


def read(name: str) -> bytes:
    return (MAIL / name).read_bytes()


@pytest.fixture
def brightpath(app, make):
    """A partner organisation owning brightpath.example, with one member; returns (org, member)."""
    org = make.org(name="BrightPath", slug="brightpath")
    member = make.user(Role.PARTNER, org=org)
    with app.app_context():
        db.session.add(EmailDomain(domain="brightpath.example", organisation_id=org.id))
        db.session.commit()
    return org, member


def editor_in(make):
    return db.session.get(User, make.user(Role.EDITOR).id)


def item_from(message_id: str) -> InboxItem:
    item = db.session.scalar(select(InboxItem).where(InboxItem.message_id == message_id))
    assert item is not None
    return item


def test_import_files_by_domain_and_skips_duplicates(app, make, brightpath):
    org, _ = brightpath
    with app.app_context():
        editor = editor_in(make)
        first = services.import_mail(editor, read("billing.mbox"))
        assert (first.imported, first.duplicates) == (3, 0)
        again = services.import_mail(editor, read("duplicate.eml"))
        assert (again.imported, again.duplicates) == (0, 1)
        assert item_from("<plain-1@brightpath.example>").organisation_id == org.id
        assert item_from("<html-1@northgate.example>").organisation_id is None
        assert db.session.scalar(select(func.count(InboxItem.id))) == 3
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "inbox.import")
            )
            == 2
        )


def test_a_malformed_message_imports_nothing(app, make, tmp_path):
    import mailbox

    box = mailbox.mbox(tmp_path / "mixed.mbox")
    box.add(mailbox.mboxMessage(read("plain.eml")))
    box.add(mailbox.mboxMessage(read("malformed.eml")))
    box.flush()
    with app.app_context():
        with pytest.raises(ServiceError, match="Message 2 has no headers.*Nothing was imported"):
            services.import_mail(editor_in(make), (tmp_path / "mixed.mbox").read_bytes())
        assert db.session.scalar(select(func.count(InboxItem.id))) == 0


def test_partners_cannot_import(app, make):
    with app.app_context():
        partner = db.session.get(User, make.user(Role.PARTNER).id)
        with pytest.raises(ServiceError):
            services.import_mail(partner, read("plain.eml"))


def test_vote_on_behalf_counts_like_any_vote_and_is_audited(
    app, make, brightpath, make_requirement
):
    org, member = brightpath
    requirement_id = make_requirement("Partner-led billing for BPOS customers")
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("plain.eml"))
        item = item_from("<plain-1@brightpath.example>")
        assert [r.id for r in services.suggestions(item)] == [requirement_id]
        services.record_vote(editor, item, requirement_id, Importance.SHOWSTOPPER)
        requirement = db.session.get(Requirement, requirement_id)
        assert (requirement.vote_count, requirement.org_count, requirement.score) == (1, 1, 9)
        vote = db.session.scalar(select(Vote).where(Vote.requirement_id == requirement_id))
        assert vote.organisation_id == org.id and vote.consent == VoteConsent.ANONYMOUS
        assert services.is_stand_in(vote.user) and not vote.user.active
        # The privacy roll-up followed the vote (the same path as cast_vote).
        assert (
            db.session.scalar(
                select(RequirementOrg.organisation_id).where(
                    RequirementOrg.requirement_id == requirement_id
                )
            )
            == org.id
        )
        assert item.status == InboxStatus.RECORDED
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "inbox.record_vote")
        )
        assert event.actor_id == editor.id and event.details["organisation"] == "brightpath"
        # A member's own vote does not count the organisation twice.
        from portal.board.services import cast_vote

        cast_vote(db.session.get(User, member.id), requirement_id, Importance.IMPORTANT)
        db.session.refresh(requirement)
        assert (requirement.vote_count, requirement.org_count, requirement.score) == (2, 1, 9)


def test_unmatched_mail_must_be_filed_before_recording(app, make, make_requirement):
    requirement_id = make_requirement()
    org = make.org(name="Northgate", slug="northgate")
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("html-only.eml"))
        item = item_from("<html-1@northgate.example>")
        with pytest.raises(ServiceError, match="File the e-mail under an organisation"):
            services.record_vote(editor, item, requirement_id, Importance.IMPORTANT)
        services.assign_organisation(editor, item, org.id)
        record = services.record_vote(editor, item, requirement_id, Importance.IMPORTANT)
        assert record.organisation_id == org.id


def test_new_requirement_and_comment_on_behalf(app, make, brightpath, catalogue):
    org, _ = brightpath
    product_id, topic_ids = catalogue
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("billing.mbox"))
        item = item_from("<plain-1@brightpath.example>")
        record = services.record_requirement(
            editor,
            item,
            "Bill BPOS customers ourselves",
            "We want to bill.",
            product_id,
            topic_ids[:1],
            Importance.SHOWSTOPPER,
        )
        requirement = record.requirement
        assert requirement.organisation_id == org.id and requirement.score == 9
        reply = item_from("<reply-1@brightpath.example>")
        assert services.thread(reply) == [item]
        comment_record = services.record_comment(
            editor, reply, requirement.id, "You may quote us.", QuoteConsent.ANONYMOUS
        )
        assert comment_record.comment.quotable == QuoteConsent.ANONYMOUS
        assert comment_record.comment.author_id == requirement.author_id
        marker = "*From an e-mail of 2026-11-16, recorded by the editor.*"
        assert comment_record.comment.body == f"{marker}\n\nYou may quote us."
        assert requirement.body.endswith("*From an e-mail of 2026-11-10, recorded by the editor.*")
        assert "<em>From an e-mail of 2026-11-10" in requirement.body_html


def test_members_change_consent_and_withdraw(app, make, brightpath, make_requirement):
    org, member = brightpath
    requirement_id = make_requirement()
    other = make.user(Role.PARTNER)
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("plain.eml"))
        item = item_from("<plain-1@brightpath.example>")
        record = services.record_vote(editor, item, requirement_id, Importance.IMPORTANT)
        member_user = db.session.get(User, member.id)
        assert [r.id for r in services.records_for(member_user, record.organisation)] == [record.id]
        outsider = db.session.get(User, other.id)
        assert services.own_record(outsider, record.id) is None
        with pytest.raises(ServiceError):
            services.withdraw(outsider, record)
        services.change_consent(member_user, record, VoteConsent.NAMED_TO_VENDOR, None)
        assert record.vote.consent == VoteConsent.NAMED_TO_VENDOR
        services.withdraw(member_user, record)
        db.session.expire_all()
        requirement = db.session.get(Requirement, requirement_id)
        assert (requirement.vote_count, requirement.score) == (0, 0)
        assert db.session.get(type(record), record.id).withdrawn_at is not None
        with pytest.raises(ServiceError, match="already withdrawn"):
            services.withdraw(member_user, db.session.get(type(record), record.id))


def test_withdrawing_a_comment_removes_it(app, make, brightpath, make_requirement):
    _, member = brightpath
    requirement_id = make_requirement()
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("plain.eml"))
        item = item_from("<plain-1@brightpath.example>")
        record = services.record_comment(editor, item, requirement_id, "Billing!", QuoteConsent.NO)
        services.withdraw(db.session.get(User, member.id), record)
        assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_reply_from_the_editor_points_to_the_organisation_manager(app, make, brightpath):
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("plain.eml"))
        invited = services.send_reply(editor, item_from("<plain-1@brightpath.example>"))
        assert invited is False
        message = db.session.scalar(select(OutboxMessage))
        assert message.to_email == "dana@brightpath.example"
        assert message.subject.startswith("Re: BPOS billing")
        assert "Ask your organisation's manager" in message.body
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_reply_from_an_admin_sends_an_invitation(app, make, brightpath):
    org, _ = brightpath
    with app.app_context():
        admin = db.session.get(User, make.user(Role.ADMIN).id)
        services.import_mail(admin, read("plain.eml"))
        assert services.send_reply(admin, item_from("<plain-1@brightpath.example>")) is True
        invitation = db.session.scalar(select(Invitation))
        assert invitation.email == "dana@brightpath.example"
        assert invitation.organisation_id == org.id
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_spam_cannot_be_recorded_or_answered(app, make, brightpath, make_requirement):
    requirement_id = make_requirement()
    with app.app_context():
        editor = editor_in(make)
        services.import_mail(editor, read("plain.eml"))
        item = item_from("<plain-1@brightpath.example>")
        services.set_status(editor, item, InboxStatus.SPAM)
        assert [i.id for i in services.items(InboxStatus.SPAM)] == [item.id]
        with pytest.raises(ServiceError, match="spam"):
            services.record_vote(editor, item, requirement_id, Importance.IMPORTANT)
        with pytest.raises(ServiceError, match="spam"):
            services.send_reply(editor, item)

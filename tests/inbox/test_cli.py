"""`flask import-mail FILE` and `flask fetch-mail` (IMAP, against a minimal server process)."""

from pathlib import Path

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import InboxItem
from tests.inbox.imap_server import ImapServer, Mailbox

MAIL = Path(__file__).parent / "mail"


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(InboxItem.id)))


def test_import_mail_imports_once(app, runner):
    first = runner.invoke(args=["import-mail", str(MAIL / "billing.mbox")])
    assert first.exit_code == 0, first.output
    assert "Imported 3 e-mail(s); 0 already in the inbox." in first.output
    again = runner.invoke(args=["import-mail", str(MAIL / "duplicate.eml")])
    assert "Imported 0 e-mail(s); 1 already in the inbox." in again.output
    assert count(app) == 3


def test_import_mail_refuses_a_malformed_file(app, runner):
    result = runner.invoke(args=["import-mail", str(MAIL / "no-sender.eml")])
    assert result.exit_code == 1
    assert "no-sender.eml: The message has no sender address" in result.output
    assert count(app) == 0


def test_import_mail_reports_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["import-mail", str(tmp_path / "nope.eml")])
    assert result.exit_code == 1 and "Cannot read" in result.output


def imap_box() -> Mailbox:
    return Mailbox(
        "editor",
        "s3cret",
        "Partners",
        {
            1: (MAIL / "plain.eml").read_bytes(),
            2: (MAIL / "malformed.eml").read_bytes(),
            3: (MAIL / "windows-1252.eml").read_bytes(),
        },
    )


def test_fetch_mail_reads_unseen_messages_and_marks_them_seen(app, runner):
    box = imap_box()
    with ImapServer(box) as server:
        app.config["INBOX_IMAP_URL"] = f"imap://editor:s3cret@127.0.0.1:{server.port}/Partners"
        try:
            first = runner.invoke(args=["fetch-mail"])
            second = runner.invoke(args=["fetch-mail"])
        finally:
            app.config["INBOX_IMAP_URL"] = ""
    assert first.exit_code == 0, first.output
    assert "Imported 2 e-mail(s)" in first.output
    assert "Skipped: IMAP message 2 has no headers" in first.output
    assert box.seen == {1, 3}  # the unreadable one stays unseen for a person to look at
    assert "Imported 0 e-mail(s); 0 already" in second.output
    assert count(app) == 2


def test_fetch_mail_with_wrong_password_says_so(app, runner):
    with ImapServer(imap_box()) as server:
        app.config["INBOX_IMAP_URL"] = f"imap://editor:wrong@127.0.0.1:{server.port}/Partners"
        try:
            result = runner.invoke(args=["fetch-mail"])
        finally:
            app.config["INBOX_IMAP_URL"] = ""
    assert result.exit_code == 1 and "The IMAP server refused" in result.output


def test_fetch_mail_needs_the_url(runner):
    result = runner.invoke(args=["fetch-mail"])
    assert result.exit_code == 1 and "Set INBOX_IMAP_URL" in result.output

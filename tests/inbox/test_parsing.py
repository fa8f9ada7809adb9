"""Reading real message files: encodings, charsets, HTML-only bodies, attachments, mbox."""

import mailbox
from pathlib import Path

import pytest

from portal.inbox.parsing import MAX_MESSAGES, MailError, html_to_text, parse_file

MAIL = Path(__file__).parent / "mail"


def one(name: str):
    (message,) = parse_file((MAIL / name).read_bytes())
    return message


def test_plain_quoted_printable_utf8():
    message = one("plain.eml")
    assert message.from_email == "dana@brightpath.example"
    assert message.from_name == "Dana Fields"
    assert message.message_id == "<plain-1@brightpath.example>"
    assert "ourselves — partner-led billing" in message.body
    assert (
        message.sent_at is not None and message.sent_at.isoformat() == "2026-11-10T08:15:00+00:00"
    )


def test_html_only_becomes_text_without_markup_or_scripts():
    message = one("html-only.eml")
    assert message.body == "We need monthly invoices in BPOS.\n\n- Consolidated\n\n- Per customer"
    assert "<" not in message.body and "alert" not in message.body and "color" not in message.body


def test_multipart_prefers_plain_text_and_lists_attachments():
    message = one("attachments.eml")
    assert message.body == "Attached are our revenue figures and the slide deck."
    assert [(a.name, a.content_type, a.size) for a in message.attachments] == [
        ("revenue.csv", "text/csv", 52),
        ("Präsentation.pdf", "application/pdf", 13),
    ]


def test_iso_8859_1_body_and_encoded_headers():
    message = one("latin1.eml")
    assert message.from_name == "Jürgen Müller"
    assert message.subject == "Abrechnung für BPOS - Grüße"
    assert message.body == "Wir möchten die Rechnungen selbst stellen. Grüße aus Köln."


def test_windows_1252_body_and_headers():
    message = one("windows-1252.eml")
    assert message.from_name == "Élodie Chartrand"
    assert message.subject == "“Billing” in BPOS – our view"
    assert "We’d like “partner-led billing” – it’s important" in message.body
    assert "€ 40k" in message.body


def test_reply_keeps_in_reply_to():
    assert one("reply.eml").in_reply_to == "<plain-1@brightpath.example>"


def test_mbox_gives_every_message():
    messages = parse_file((MAIL / "billing.mbox").read_bytes())
    assert [m.message_id for m in messages] == [
        "<plain-1@brightpath.example>",
        "<html-1@northgate.example>",
        "<reply-1@brightpath.example>",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.eml", "The message has no headers: it is not an e-mail."),
        ("no-sender.eml", "The message has no sender address (a From header) that can be read."),
    ],
)
def test_malformed_messages_are_refused_clearly(name, message):
    with pytest.raises(MailError) as error:
        parse_file((MAIL / name).read_bytes())
    assert error.value.message == message


def test_mbox_with_a_bad_message_names_it(tmp_path):
    box = mailbox.mbox(tmp_path / "bad.mbox")
    box.add(mailbox.mboxMessage((MAIL / "plain.eml").read_bytes()))
    box.add(mailbox.mboxMessage((MAIL / "no-sender.eml").read_bytes()))
    box.flush()
    with pytest.raises(MailError, match="^Message 2 has no sender"):
        parse_file((tmp_path / "bad.mbox").read_bytes())


def test_too_many_messages_are_refused(tmp_path):
    box = mailbox.mbox(tmp_path / "big.mbox")
    for _ in range(MAX_MESSAGES + 1):
        box.add(mailbox.mboxMessage((MAIL / "plain.eml").read_bytes()))
    box.flush()
    with pytest.raises(MailError, match="import at most"):
        parse_file((tmp_path / "big.mbox").read_bytes())


def test_missing_message_id_is_made_from_the_content():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nHello\r\n"
    first, second = parse_file(raw)[0], parse_file(raw)[0]
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@no-message-id.invalid>")


def test_empty_file_is_refused():
    with pytest.raises(MailError, match="empty"):
        parse_file(b"  \n")


def test_html_to_text_drops_styles_and_keeps_blocks():
    assert html_to_text("<style>x{}</style><p>a &amp; b</p><br>c") == "a & b\n\nc"

"""E-mail notifications through the outbox: queued in the action's transaction, sent by SMTP.

Without MAIL_SERVER, messages stay in the outbox table, where admins can read them. A message
leaves the queue only when the server accepted it or refused it for good: while the server is
down or defers it, it waits for the next `flask send-mail`.
"""

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import NamedTuple

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxMessage, User


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, also from the command line (PORTAL_URL is the base)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PORTAL_URL"]):
        return url_for(endpoint, _external=True, **values)


def queue_message(to_email: str, subject: str, body: str) -> None:
    """Add one message to the outbox in the current transaction (the caller commits).

    For messages a person asked for (invitations, password resets): no preference applies.
    """
    db.session.add(OutboxMessage(to_email=to_email, subject=subject[:200], body=body))


def queue(recipients: Iterable[User], subject: str, body: str, exclude: User | None = None) -> int:
    """Add one message per recipient who wants notifications; returns how many were queued."""
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.notify or not user.active or user == exclude:
            continue
        seen.add(user.id)
        queue_message(user.email, subject, body)
    return len(seen)


class MailRun(NamedTuple):
    """What one run of the outbox did: sent, refused for good, and left queued for the next run."""

    sent: int
    failed: int
    waiting: int


class MailServerUnavailable(Exception):
    """The SMTP server could not be reached, or dropped the line: the rest stay queued."""

    def __init__(self, run: MailRun, reason: str):
        super().__init__(reason)
        self.run, self.reason = run, reason


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer refuses a message for good; a 4xx one is worth trying again later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def send_pending(limit: int = 500) -> MailRun:
    """Send unsent messages by SMTP. Does nothing without MAIL_SERVER.

    A message the server refuses for good keeps the error and is not sent again; one it defers
    (4xx) stays queued. When the server cannot be reached or drops the line, every message not
    yet sent stays queued for the next run and MailServerUnavailable says so.
    """
    server = current_app.config["MAIL_SERVER"]
    if not server:
        return MailRun(0, 0, 0)
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.error == "")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    try:
        with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=30) as smtp:
            for message in pending:
                try:
                    smtp.send_message(_email(message))
                except smtplib.SMTPServerDisconnected:
                    raise
                except smtplib.SMTPException as error:
                    if _permanent(error):
                        message.error = str(error)[:500]
                        failed += 1
                else:
                    message.sent_at = utcnow()
                    sent += 1
                db.session.commit()
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, dropped, 421
        db.session.commit()
        run = MailRun(sent, failed, len(pending) - sent - failed)
        raise MailServerUnavailable(run, f"{type(error).__name__}: {error}"[:300]) from error
    return MailRun(sent, failed, len(pending) - sent - failed)

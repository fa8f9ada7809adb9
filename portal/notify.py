"""E-mail notifications through the outbox: queued in the action's transaction, sent by SMTP.

Without MAIL_SERVER, messages stay in the outbox table, where admins can read them.
"""

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

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


def send_pending(limit: int = 500) -> tuple[int, int]:
    """Send unsent messages by SMTP; returns (sent, failed). Does nothing without MAIL_SERVER."""
    server = current_app.config["MAIL_SERVER"]
    if not server:
        return 0, 0
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.error == "")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=30) as smtp:
        for message in pending:
            email = EmailMessage()
            email["From"] = current_app.config["MAIL_SENDER"]
            email["To"] = message.to_email
            email["Subject"] = message.subject
            email.set_content(message.body)
            try:
                smtp.send_message(email)
            except smtplib.SMTPException as error:
                message.error = str(error)[:500]
                failed += 1
            else:
                message.sent_at = utcnow()
                sent += 1
            db.session.commit()
    return sent, failed

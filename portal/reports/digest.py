"""The weekly digest: the board's changes since last week, for vendor users who opt in."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal import notify
from portal.database import utcnow
from portal.extensions import db
from portal.models import OutboxMessage, Requirement, Role, Status, StatusChange, User, Vote

TOP = 10


def _since(user: User, now: datetime) -> datetime:
    week_ago = now - timedelta(days=7)
    return max(user.digest_sent_at, week_ago) if user.digest_sent_at else week_ago


def digest_text(since: datetime, now: datetime) -> str | None:
    """The digest body, or None when nothing changed."""
    link = notify.external_url("reports.vendor")
    new = db.session.execute(
        select(Requirement.title, Requirement.score)
        .where(Requirement.created_at >= since, Requirement.status != Status.MERGED)
        .order_by(Requirement.score.desc())
        .limit(TOP)
    ).all()
    movers = db.session.execute(
        select(Requirement.title, func.count(Vote.id).label("votes"), Requirement.score)
        .join(Vote, Vote.requirement_id == Requirement.id)
        .where(Vote.created_at >= since, Requirement.status != Status.MERGED)
        .group_by(Requirement.id, Requirement.title, Requirement.score)
        .order_by(func.count(Vote.id).desc(), Requirement.score.desc())
        .limit(TOP)
    ).all()
    changes = db.session.execute(
        select(Requirement.title, StatusChange.new_status)
        .join(Requirement, Requirement.id == StatusChange.requirement_id)
        .where(StatusChange.created_at >= since)
        .order_by(StatusChange.created_at)
    ).all()
    if not (new or movers or changes):
        return None
    lines = [f"Channel Voice: changes from {since:%Y-%m-%d} to {now:%Y-%m-%d}", ""]
    if new:
        lines += ["New requirements:", *(f"  - {t} (score {s})" for t, s in new), ""]
    if movers:
        lines += [
            "Most new votes:",
            *(f"  - {t}: +{v} votes (score {s})" for t, v, s in movers),
            "",
        ]
    if changes:
        lines += ["Status changes:", *(f"  - {t}: {st.label}" for t, st in changes), ""]
    lines.append(f"The full report: {link}")
    return "\n".join(lines)


def send_digests(now: datetime | None = None) -> int:
    """Queue a digest for every opted-in vendor user; returns how many were queued."""
    now = now or utcnow()
    users = db.session.scalars(
        select(User).where(User.role == Role.VENDOR, User.weekly_digest, User.active)
    ).all()
    queued = 0
    for user in users:
        since = _since(user, now)
        if now - since < timedelta(days=6):
            continue  # already sent this week
        body = digest_text(since, now)
        if body is not None:
            db.session.add(
                OutboxMessage(
                    to_email=user.email, subject="Channel Voice: this week's changes", body=body
                )
            )
            queued += 1
        user.digest_sent_at = now
    db.session.commit()
    return queued

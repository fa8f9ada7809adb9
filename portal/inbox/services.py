"""The editor's inbox: importing mail, triage into board content on an organisation's behalf,
replies, and the organisation's own view of what was recorded for it.

Who owns a vote recorded from an e-mail: each partner organisation gets one *stand-in* user
(inactive, so nobody can log in as it; its e-mail address ends in `@inbox.invalid`). Votes,
requirements and comments recorded from e-mails belong to it and go through the board's own
services (`cast_vote`, `create_requirement`, `add_comment`, `withdraw_vote`), so counts, score
and released figures follow exactly as for any vote. One vote per user keeps one e-mailed vote
per organisation and requirement; the organisation's score counts its highest importance, so a
member's own vote and the e-mailed one never count the organisation twice.
"""

import imaplib
import secrets
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import can_administer, can_take_part, can_triage_inbox
from portal.auth.services import create_invitation
from portal.board import services as board
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.inbox.parsing import MAX_MESSAGES, MailError, ParsedMail, parse_file, parse_message
from portal.models import (
    Comment,
    Importance,
    InboxItem,
    InboxStatus,
    OnBehalfRecord,
    Organisation,
    OrgKind,
    QuoteConsent,
    RecordKind,
    Requirement,
    Role,
    User,
    Vote,
    VoteConsent,
)
from portal.notify import external_url, queue_message
from portal.org.services import domain_for_email

STAND_IN_DOMAIN = "inbox.invalid"


@dataclass(frozen=True)
class ImportResult:
    imported: int
    duplicates: int


def _check_editor(user: User) -> None:
    if not can_triage_inbox(user):
        raise ServiceError("Only the editor and administrators work in the inbox.")


# -- Intake --------------------------------------------------------------------------------------


def _organisation_for(address: str) -> Organisation | None:
    mapping = domain_for_email(address)
    return None if mapping is None else db.session.get(Organisation, mapping.organisation_id)


def add_messages(actor: User | None, messages: list[ParsedMail]) -> ImportResult:
    """Keep each message not seen before (by Message-ID), filed under its sender's organisation."""
    seen = set(
        db.session.scalars(
            select(InboxItem.message_id).where(
                InboxItem.message_id.in_([m.message_id for m in messages])
            )
        )
    )
    imported = 0
    for message in messages:
        if message.message_id in seen:
            continue
        seen.add(message.message_id)
        organisation = _organisation_for(message.from_email)
        db.session.add(
            InboxItem(
                message_id=message.message_id,
                in_reply_to=message.in_reply_to,
                from_email=message.from_email,
                from_name=message.from_name,
                subject=message.subject,
                sent_at=message.sent_at,
                body=message.body,
                attachments=[
                    {"name": a.name, "content_type": a.content_type, "size": a.size}
                    for a in message.attachments
                ],
                organisation_id=organisation.id if organisation else None,
                imported_by_id=actor.id if actor else None,
            )
        )
        imported += 1
    audit.record(
        actor, "inbox.import", "inbox", imported=imported, duplicates=len(messages) - imported
    )
    db.session.commit()
    return ImportResult(imported, len(messages) - imported)


def import_mail(actor: User | None, data: bytes) -> ImportResult:
    """Import an `.eml` or `.mbox` file, all or nothing (actor None: the command line)."""
    if actor is not None:
        _check_editor(actor)
    try:
        messages = parse_file(data)
    except MailError as error:
        raise ServiceError(f"{error.message} Nothing was imported.", "file") from None
    return add_messages(actor, messages)


def fetch_mail(url: str) -> tuple[ImportResult, list[str]]:
    """Import the unseen messages of an IMAP folder (`imaps://user:password@host/Folder`) and
    mark them seen; a message that cannot be read is left unseen and reported."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ServiceError("INBOX_IMAP_URL must look like imaps://user:password@host/INBOX.")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    client_class = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    try:
        client = client_class(
            parts.hostname, parts.port or (993 if parts.scheme == "imaps" else 143)
        )
    except OSError as error:
        raise ServiceError(f"Cannot reach the IMAP server {parts.hostname}: {error}.") from None
    messages: list[ParsedMail] = []
    problems: list[str] = []
    try:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        if client.select(_quote(folder))[0] != "OK":
            raise ServiceError(f"There is no IMAP folder {folder!r}.")
        _, found = client.uid("SEARCH", "UNSEEN")
        uids = [u.decode() for u in found[0].split()[:MAX_MESSAGES]] if found and found[0] else []
        read: list[str] = []
        for uid in uids:
            _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in fetched if isinstance(part, tuple)), b"")
            try:
                messages.append(parse_message(raw, f"IMAP message {uid}"))
                read.append(uid)
            except MailError as error:
                problems.append(error.message)
        result = add_messages(None, messages)
        for uid in read:
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        client.logout()
    except imaplib.IMAP4.error as error:
        raise ServiceError(f"The IMAP server refused: {error}.") from None
    return result, problems


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- Reading -------------------------------------------------------------------------------------


def items(status: InboxStatus) -> list[InboxItem]:
    """The inbox's items in one state, newest first (at most 500)."""
    query = (
        select(InboxItem)
        .where(InboxItem.status == status)
        .options(selectinload(InboxItem.organisation))
        .order_by(InboxItem.sent_at.desc(), InboxItem.id.desc())
        .limit(500)
    )
    return list(db.session.scalars(query))


def counts() -> dict[InboxStatus, int]:
    """How many items each state holds."""
    rows = db.session.execute(
        select(InboxItem.status, func.count(InboxItem.id)).group_by(InboxItem.status)
    )
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in InboxStatus}


def get_item(item_id: int) -> InboxItem | None:
    return db.session.get(InboxItem, item_id)


def thread(item: InboxItem) -> list[InboxItem]:
    """Other imported messages of the same conversation (replies to it, or the one it answers)."""
    query = select(InboxItem).where(
        InboxItem.id != item.id,
        (InboxItem.in_reply_to == item.message_id)
        | (InboxItem.message_id == (item.in_reply_to or "-")),
    )
    return list(db.session.scalars(query.order_by(InboxItem.sent_at)))


def records_of_item(item: InboxItem) -> list[OnBehalfRecord]:
    query = select(OnBehalfRecord).where(OnBehalfRecord.item_id == item.id)
    return list(db.session.scalars(query.order_by(OnBehalfRecord.id)))


def suggestions(item: InboxItem) -> list[Requirement]:
    """Requirements similar to the e-mail's subject (the board's similarity search)."""
    subject = item.subject
    for prefix in ("re:", "fw:", "fwd:", "aw:"):
        if subject.lower().startswith(prefix):
            subject = subject[len(prefix) :].strip()
    return board.similar_requirements(subject)


# -- Triage --------------------------------------------------------------------------------------


def stand_in(organisation: Organisation) -> User:
    """The organisation's stand-in user that owns what was recorded from its e-mails (made once)."""
    email = f"inbox+{organisation.id}@{STAND_IN_DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name="From e-mails, recorded by the editor",
            role=Role.PARTNER,
            organisation_id=organisation.id,
            active=False,
            notify=False,
        )
        user.set_password(secrets.token_urlsafe(32))
        db.session.add(user)
        db.session.commit()
    return user


def is_stand_in(user: User) -> bool:
    return user.email.endswith("@" + STAND_IN_DOMAIN)


def _organisation_of(editor: User, item: InboxItem) -> Organisation:
    _check_editor(editor)
    if item.organisation is None:
        raise ServiceError("File the e-mail under an organisation first: its sender is unmatched.")
    if item.status == InboxStatus.SPAM:
        raise ServiceError("This e-mail is marked as spam.")
    return item.organisation


def marker(item: InboxItem) -> str:
    """The line that marks text recorded from an e-mail, shown with it on the board."""
    sent = item.sent_at.strftime("%Y-%m-%d") if item.sent_at else "an unknown date"
    return f"*From an e-mail of {sent}, recorded by the editor.*"


def _record(
    editor: User, item: InboxItem, kind: RecordKind, requirement_id: int, **links
) -> OnBehalfRecord:
    """Note what was recorded, mark the item done and audit it (one commit)."""
    record = OnBehalfRecord(
        item_id=item.id,
        organisation_id=item.organisation.id if item.organisation else None,
        kind=kind,
        requirement_id=requirement_id,
        recorded_by_id=editor.id,
        **links,
    )
    db.session.add(record)
    item.status = InboxStatus.RECORDED
    db.session.flush()
    audit.record(
        editor,
        f"inbox.record_{kind.value}",
        f"requirement:{requirement_id}",
        organisation=item.organisation.slug if item.organisation else None,
        item=item.id,
        record=record.id,
    )
    db.session.commit()
    return record


def record_vote(
    editor: User,
    item: InboxItem,
    requirement_id: int,
    importance: Importance,
    consent: VoteConsent = VoteConsent.ANONYMOUS,
) -> OnBehalfRecord:
    """Vote on a requirement for the sender's organisation, through the board's `cast_vote`."""
    organisation = _organisation_of(editor, item)
    vote = board.cast_vote(stand_in(organisation), requirement_id, importance, consent)
    return _record(editor, item, RecordKind.VOTE, requirement_id, vote_id=vote.id)


def record_requirement(
    editor: User,
    item: InboxItem,
    title: str,
    body: str,
    product_id: int,
    topic_ids: list[int],
    importance: Importance,
    consent: VoteConsent = VoteConsent.ANONYMOUS,
) -> OnBehalfRecord:
    """Post a new requirement for the sender's organisation, with its vote."""
    organisation = _organisation_of(editor, item)
    author = stand_in(organisation)
    body = f"{body.rstrip()}\n\n{marker(item)}"
    requirement = board.create_requirement(author, title, body, product_id, topic_ids)
    vote = board.cast_vote(author, requirement.id, importance, consent)
    return _record(editor, item, RecordKind.REQUIREMENT, requirement.id, vote_id=vote.id)


def record_comment(
    editor: User,
    item: InboxItem,
    requirement_id: int,
    body: str,
    quotable: QuoteConsent = QuoteConsent.NO,
) -> OnBehalfRecord:
    """Comment on a requirement for the sender's organisation."""
    organisation = _organisation_of(editor, item)
    requirement = board.find_requirement(requirement_id)
    if requirement is None:
        raise ServiceError("Choose a requirement from the list.", "requirement")
    body = f"{marker(item)}\n\n{body}"
    comment = board.add_comment(stand_in(organisation), requirement, body, quotable)
    return _record(editor, item, RecordKind.COMMENT, requirement.id, comment_id=comment.id)


def set_status(editor: User, item: InboxItem, status: InboxStatus) -> None:
    """Archive an item, mark it as spam, or put it back among the new ones."""
    _check_editor(editor)
    if status == InboxStatus.RECORDED:
        raise ServiceError("An item is recorded by turning it into board content.")
    item.status = status
    audit.record(editor, "inbox.status", f"inbox:{item.id}", status=status.value)
    db.session.commit()


def assign_organisation(editor: User, item: InboxItem, organisation_id: int | None) -> None:
    """File an item under a partner organisation (or none) by hand."""
    _check_editor(editor)
    organisation = None
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation.kind != OrgKind.PARTNER:
            raise ServiceError("Choose a partner organisation from the list.", "organisation")
    item.organisation = organisation
    audit.record(
        editor,
        "inbox.assign",
        f"inbox:{item.id}",
        organisation=organisation.slug if organisation else None,
    )
    db.session.commit()


def send_reply(editor: User, item: InboxItem) -> bool:
    """Thank the sender through the outbox and invite them to the portal.

    When the sender's organisation is known and the editor may invite (administrators), an
    invitation is created and e-mailed too; returns whether one was. Otherwise the reply points
    to the portal and asks them to ask their organisation's manager for an invitation.
    """
    _check_editor(editor)
    if item.status == InboxStatus.SPAM:
        raise ServiceError("This e-mail is marked as spam: no reply is sent.")
    portal = external_url("main.index")
    greeting = f"Dear {item.from_name}," if item.from_name else "Hello,"
    invited = False
    if item.organisation is not None and can_administer(editor):
        create_invitation(editor, item.from_email, Role.PARTNER, item.organisation)
        invited = True
        joining = (
            "You will receive an invitation to Channel Voice in a separate e-mail: with it you can "
            "see and change what we recorded for you, and vote yourself."
        )
    elif item.organisation is not None:
        joining = (
            f"{item.organisation.name} is already on Channel Voice ({portal}). Ask your "
            "organisation's manager there for an invitation to see and change what we recorded "
            "for you, and to vote yourself."
        )
    else:
        joining = (
            f"Channel Voice ({portal}) collects partners' requirements and votes. Reply with your "
            "company's name and we will see that your organisation is invited."
        )
    body = (
        f"{greeting}\n\nThank you for your e-mail about “{item.subject}”. We have read it and "
        f"will record it for the vendor, anonymously unless you told us otherwise.\n\n{joining}"
        "\n\nThe editor"
    )
    queue_message(item.from_email, f"Re: {item.subject}", body)
    item.replied_at = utcnow()
    audit.record(editor, "inbox.reply", f"inbox:{item.id}", invited=invited)
    db.session.commit()
    return invited


# -- The organisation's side ---------------------------------------------------------------------


def records_for(viewer: User, organisation: Organisation) -> list[OnBehalfRecord]:
    """What the editor recorded from e-mails for the viewer's organisation (members only)."""
    if not can_take_part(viewer) or viewer.organisation_id != organisation.id:
        return []
    query = (
        select(OnBehalfRecord)
        .where(OnBehalfRecord.organisation_id == organisation.id)
        .options(
            selectinload(OnBehalfRecord.item),
            selectinload(OnBehalfRecord.requirement),
            selectinload(OnBehalfRecord.vote),
            selectinload(OnBehalfRecord.comment),
        )
        .order_by(OnBehalfRecord.created_at.desc(), OnBehalfRecord.id.desc())
    )
    return list(db.session.scalars(query))


def own_record(viewer: User, record_id: int) -> OnBehalfRecord | None:
    """A record of the viewer's own organisation, or None (others' are not there for them)."""
    record = db.session.get(OnBehalfRecord, record_id)
    if record is None or not can_take_part(viewer):
        return None
    return record if record.organisation_id == viewer.organisation_id else None


def _check_live(viewer: User, record: OnBehalfRecord) -> User:
    if not can_take_part(viewer) or record.organisation_id != viewer.organisation_id:
        raise ServiceError("Only members of the organisation can change what was recorded for it.")
    if record.withdrawn_at is not None:
        raise ServiceError("This was already withdrawn.")
    return stand_in(db.get_or_404(Organisation, record.organisation_id))


def change_consent(
    viewer: User,
    record: OnBehalfRecord,
    vote_consent: VoteConsent | None,
    quotable: QuoteConsent | None,
) -> None:
    """A member changes the consent recorded from the e-mail (the vote's name, the quote)."""
    owner = _check_live(viewer, record)
    vote: Vote | None = record.vote
    comment: Comment | None = record.comment
    if vote is not None and vote_consent is not None:
        board.cast_vote(owner, record.requirement_id, vote.importance, vote_consent)
    if comment is not None and quotable is not None:
        comment.quotable = quotable
    audit.record(
        viewer,
        "inbox.consent",
        f"requirement:{record.requirement_id}",
        record=record.id,
        vote_consent=vote_consent.value if vote_consent else None,
        quotable=quotable.value if quotable else None,
    )
    db.session.commit()


def withdraw(viewer: User, record: OnBehalfRecord) -> None:
    """A member withdraws what was recorded: the vote is withdrawn through the board, the
    comment removed, a posted requirement no longer carries the organisation's name."""
    owner = _check_live(viewer, record)
    if record.vote_id is not None:
        board.withdraw_vote(owner, record.requirement_id)
    if record.comment is not None:
        db.session.delete(record.comment)
    if record.kind == RecordKind.REQUIREMENT:
        requirement = record.requirement
        requirement.organisation_id = None
        requirement.author_id = None
    record.withdrawn_at = utcnow()
    audit.record(viewer, "inbox.withdraw", f"requirement:{record.requirement_id}", record=record.id)
    db.session.commit()

"""Reading e-mail with the standard library: `.eml` and `.mbox` files into plain messages.

Headers are decoded (RFC 2047), bodies from quoted-printable or base64 in their declared charset,
an HTML-only body becomes plain text (html.parser; nothing of the markup survives) and
attachments are listed by name, type and size, never stored.
"""

import email
import email.policy
import hashlib
import mailbox
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

MAX_MESSAGES = 200  # per import: a bigger mailbox is split first
MAX_FILE_BYTES = 10 * 1024 * 1024
BODY_MAX = 50_000
SUBJECT_MAX = 300
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class MailError(Exception):
    """A message that cannot be read; says which one and why (nothing of the file is kept)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: str
    from_email: str
    from_name: str
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[Attachment] = field(default_factory=list)


class _TextExtractor(HTMLParser):
    """The text of an HTML document: scripts and styles dropped, blocks on their own lines."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))  # HTML: a line break in text is a space


def html_to_text(html: str) -> str:
    """Plain text of an HTML body, whitespace tidied, at most one blank line in a row."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _text_of(part: Message) -> str:
    """A text part decoded from its transfer encoding and charset (unknown charsets: latin-1)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        charset = "windows-1252"  # what mailers labelling these mean (as browsers read them)
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1", errors="replace")


def _body(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _text_of(body)
    if body.get_content_subtype() == "html":
        text = html_to_text(text)
    return re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip()[:BODY_MAX]


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() not in ("attachment", "inline"):
            continue
        name = part.get_filename()
        if part.get_content_disposition() == "inline" and not name:
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        found.append(Attachment(str(name or "unnamed")[:200], part.get_content_type(), size))
    return found


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (IndexError, ValueError):  # a header the policy cannot fold back together
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _sent_at(message: EmailMessage) -> datetime | None:
    raw = _header(message, "date")
    try:
        sent = parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        return None
    if sent is None:
        return None
    return sent.replace(tzinfo=UTC) if sent.tzinfo is None else sent.astimezone(UTC)


def parse_message(raw: bytes, position: str = "The message") -> ParsedMail:
    """One message from its bytes; MailError when it has no readable sender."""
    if not raw.strip():
        raise MailError(f"{position} is empty.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise MailError(f"{position} has no headers: it is not an e-mail.")
    addresses = [(n, a) for n, a in getaddresses([_header(message, "from")]) if ADDRESS.match(a)]
    if not addresses:
        raise MailError(f"{position} has no sender address (a From header) that can be read.")
    from_name, from_email = addresses[0]
    message_id = _header(message, "message-id")[:500]
    if not message_id:
        # Without a Message-ID, the same file imported twice is still recognised.
        message_id = f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    return ParsedMail(
        message_id=message_id,
        in_reply_to=_header(message, "in-reply-to")[:500],
        from_email=from_email.lower(),
        from_name=from_name[:200],
        subject=_header(message, "subject")[:SUBJECT_MAX] or "(no subject)",
        sent_at=_sent_at(message),
        body=_body(message),
        attachments=_attachments(message),
    )


def _mbox_messages(data: bytes) -> list[bytes]:
    """The raw messages of an mbox file (mailbox reads files: it goes through a temporary one)."""
    handle, path = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        box = mailbox.mbox(path, create=False)
        try:
            return [box.get_bytes(key) for key in box.iterkeys()]
        finally:
            box.close()
    finally:
        os.unlink(path)


def parse_file(data: bytes) -> list[ParsedMail]:
    """Every message of an `.eml` or `.mbox` file, or MailError naming the first bad one."""
    if not data.strip():
        raise MailError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise MailError(f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
    if data.startswith(b"From "):
        raws = _mbox_messages(data)
        if len(raws) > MAX_MESSAGES:
            raise MailError(
                f"The mailbox holds {len(raws)} messages; import at most {MAX_MESSAGES} at a time."
            )
        return [parse_message(raw, f"Message {n}") for n, raw in enumerate(raws, start=1)]
    return [parse_message(data)]

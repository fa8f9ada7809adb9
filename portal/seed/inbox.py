"""Demo inbox for `flask seed-demo`: partners' e-mails about BPOS billing, as the editor gets them.

Brightpath IT owns `brightpath.example`, so Dana's mails are filed under it; Élodie's domain is
not mapped (unmatched); the last message repeats the first one's Message-ID (imported once).
"""

from sqlalchemy import func, select

from portal.extensions import db
from portal.inbox.parsing import parse_message
from portal.inbox.services import add_messages
from portal.models import EmailDomain, InboxItem, Organisation

DEMO_DOMAIN = ("brightpath.example", "brightpath-it")

MESSAGES = [
    b"""From: Dana Fields <dana@brightpath.example>
To: editor@channelvoice.example
Subject: BPOS billing: we need to invoice our customers ourselves
Date: Tue, 10 Nov 2026 09:15:00 +0100
Message-ID: <demo-billing-1@brightpath.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello,

you asked what we want to do about billing. Today Microsoft bills our BPOS
customers directly and we only see a commission statement a month later.
We want to invoice our customers ourselves =E2=80=94 one invoice with our
services and the BPOS seats. For us this is a showstopper: without it we
stop proposing BPOS to new customers.

You may count our vote, but please do not name us.

Dana Fields
Brightpath IT
""",
    b"""From: Dana Fields <dana@brightpath.example>
To: editor@channelvoice.example
Subject: Re: BPOS billing: we need to invoice our customers ourselves
Date: Thu, 12 Nov 2026 16:40:00 +0100
Message-ID: <demo-billing-2@brightpath.example>
In-Reply-To: <demo-billing-1@brightpath.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

One more thing: the usage report should come per customer and per month,
so we can check the seats before we bill. You may quote me on that,
without our company's name.

Dana
""",
    b"""From: =?utf-8?q?=C3=89lodie_Chartrand?= <elodie@lumiere-conseil.example>
To: editor@channelvoice.example
Subject: =?utf-8?q?Facturation_BPOS_=E2=80=93_monthly_invoices?=
Date: Fri, 13 Nov 2026 11:05:00 +0100
Message-ID: <demo-billing-3@lumiere-conseil.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Bonjour,</p><p>We resell BPOS to about forty small firms.
What we need most is <b>monthly invoices</b> we can forward, with our
margin shown per customer.</p><p>Merci, &Eacute;lodie (Lumi&egrave;re Conseil)</p>
</body></html>
""",
    b"""From: Dana Fields <dana@brightpath.example>
To: editor@channelvoice.example
Subject: BPOS billing: we need to invoice our customers ourselves
Date: Tue, 10 Nov 2026 09:15:00 +0100
Message-ID: <demo-billing-1@brightpath.example>
Content-Type: text/plain; charset=utf-8

(The same message again: mail servers sometimes deliver twice.)
""",
]


def seed_inbox() -> int:
    """Map Brightpath IT's demo domain and import the demo e-mails not yet in the inbox."""
    created = 0
    domain, slug = DEMO_DOMAIN
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    mapped = db.session.scalar(select(EmailDomain).where(EmailDomain.domain == domain))
    if organisation is not None and mapped is None:
        db.session.add(EmailDomain(domain=domain, organisation_id=organisation.id))
        db.session.commit()
        created += 1
    messages = [parse_message(raw.replace(b"\n", b"\r\n")) for raw in MESSAGES]
    known = db.session.scalar(
        select(func.count(InboxItem.id)).where(
            InboxItem.message_id.in_([m.message_id for m in messages])
        )
    )
    if (known or 0) < len({m.message_id for m in messages}):
        created += add_messages(None, messages).imported
    return created

"""Partner organisations' e-mail domains: mapped by admins, read by single sign-on and the inbox."""

import re

from sqlalchemy import select

from portal import audit
from portal.access import can_administer
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import EmailDomain, Organisation, OrgKind, User

# Labels of letters, digits and inner dashes, at least one dot: `northgate.example`.
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domain(text: str) -> str:
    """`@Northgate.Example ` → `northgate.example`."""
    return text.strip().lstrip("@").rstrip(".").lower()


def domain_of(email: str) -> str:
    return normalise_domain(email.rpartition("@")[2])


def email_domains() -> list[EmailDomain]:
    """Every mapped domain with its organisation, by domain."""
    return list(db.session.scalars(select(EmailDomain).order_by(EmailDomain.domain)))


def domain_for_email(email: str) -> EmailDomain | None:
    """The mapping of the address's domain, or None when the domain is not mapped."""
    domain = domain_of(email)
    return db.session.scalar(select(EmailDomain).where(EmailDomain.domain == domain))


def organisation_names(kind: OrgKind | None = None) -> list[tuple[int, str]]:
    """Id and name of every organisation (of `kind`, when given), by name, for choosing one."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return [(id_, name) for id_, name in db.session.execute(query)]


def partner_organisations() -> list[tuple[int, str]]:
    """Partner organisations only: domains map to partners, inbox mail comes from them."""
    return organisation_names(OrgKind.PARTNER)


def add_email_domain(
    actor: User, domain: str, organisation_id: int, sso_required: bool = False
) -> EmailDomain:
    """Map a domain to a partner organisation (admins only, audited)."""
    if not can_administer(actor):
        raise ServiceError("Only administrators map e-mail domains.")
    domain = normalise_domain(domain)
    if not DOMAIN.match(domain):
        raise ServiceError("Enter a domain such as northgate.example.", "domain")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrgKind.PARTNER:
        raise ServiceError("Choose a partner organisation.", "organisation")
    taken = db.session.scalar(select(EmailDomain).where(EmailDomain.domain == domain))
    if taken is not None:
        raise ServiceError(f"{domain} already belongs to {taken.organisation.name}.", "domain")
    mapping = EmailDomain(domain=domain, organisation=organisation, sso_required=sso_required)
    db.session.add(mapping)
    audit.record(
        actor, "email_domain.add", domain, organisation=organisation.slug, sso_required=sso_required
    )
    db.session.commit()
    return mapping


def get_email_domain(domain_id: int) -> EmailDomain:
    """The mapping, or a 404."""
    return db.get_or_404(EmailDomain, domain_id)


def delete_email_domain(actor: User, mapping: EmailDomain) -> None:
    """Remove a mapping (admins only, audited); accounts made through it stay."""
    if not can_administer(actor):
        raise ServiceError("Only administrators map e-mail domains.")
    audit.record(actor, "email_domain.delete", mapping.domain)
    db.session.delete(mapping)
    db.session.commit()

"""Demo data for `flask seed-demo`: organisations and accounts (password `demo-password`).

Every step creates only what is missing, so a second run changes nothing.
"""

from sqlalchemy import select

from portal.auth.services import create_user, find_user_by_email
from portal.extensions import db
from portal.models import Organisation, OrgKind, PartnerType, Region, Role, SizeBand

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published in the README on purpose

P, R, S = PartnerType, Region, SizeBand
# name, slug, partner type, region, size band, verified
PARTNERS = [
    ("Brightpath IT", "brightpath-it", P.VAR_SI, R.EMEA, S.SMALL, True),
    ("Northgate Licensing", "northgate-licensing", P.LARGE_ACCOUNT_RESELLER, R.NA, S.LARGE, True),
    ("Meridian Distribution", "meridian-distribution", P.DISTRIBUTOR, R.EMEA, S.LARGE, True),
    ("Harbour Managed Services", "harbour-managed", P.MSP_HOSTER, R.APAC, S.MEDIUM, True),
    ("Cloudfold Hosting", "cloudfold-hosting", P.MSP_HOSTER, R.NA, S.SMALL, True),
    ("Tessera Software", "tessera-software", P.ISV, R.EMEA, S.MEDIUM, True),
    ("Altavoz Telecom", "altavoz-telecom", P.TELCO, R.LATAM, S.LARGE, True),
    ("Kestrel Systems", "kestrel-systems", P.VAR_SI, R.NA, S.MEDIUM, True),
    ("Pampa Cloud", "pampa-cloud", P.MSP_HOSTER, R.LATAM, S.MICRO, False),
    ("Sakura Solutions", "sakura-solutions", P.VAR_SI, R.APAC, S.SMALL, True),
    ("Lindqvist Data", "lindqvist-data", P.ISV, R.EMEA, S.MICRO, False),
    ("Outback Networks", "outback-networks", P.TELCO, R.APAC, S.MEDIUM, True),
    ("Maple Reseller Group", "maple-reseller", P.LARGE_ACCOUNT_RESELLER, R.NA, S.LARGE, True),
    ("Andes Integración", "andes-integracion", P.VAR_SI, R.LATAM, S.SMALL, True),
    ("Rhine Channel Distribution", "rhine-distribution", P.DISTRIBUTOR, R.EMEA, S.MEDIUM, True),
    ("Pacific Apps", "pacific-apps", P.ISV, R.APAC, S.MICRO, False),
]

OTHER_ORGS = [
    ("Channel Review Magazine", "channel-review", OrgKind.PUBLISHER),
    ("Cirrus Software (vendor)", "cirrus-vendor", OrgKind.VENDOR),
]

# e-mail, display name, role, organisation slug, org manager
USERS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, None, False),
    ("editor@example.com", "Eddie Editor", Role.EDITOR, "channel-review", False),
    ("vendor@example.com", "Vera Vendor", Role.VENDOR, "cirrus-vendor", False),
    ("vendor2@example.com", "Victor Channel", Role.VENDOR, "cirrus-vendor", False),
    ("partner@example.com", "Paula Partner", Role.PARTNER, "brightpath-it", True),
    ("colleague@example.com", "Colin Colleague", Role.PARTNER, "brightpath-it", False),
]
# Every other partner organisation gets a manager, and the big ones a second member.
for _name, _slug, _type, _region, _size, _verified in PARTNERS[1:]:
    USERS.append((f"{_slug}@example.com", f"{_name} manager", Role.PARTNER, _slug, True))
    if _size in (S.LARGE, S.MEDIUM):
        USERS.append((f"staff.{_slug}@example.com", f"{_name} staff", Role.PARTNER, _slug, False))


def seed_organisations() -> int:
    """Create missing demo organisations; returns how many were created."""
    existing = set(db.session.scalars(select(Organisation.slug)))
    created = 0
    for name, slug, partner_type, region, size_band, verified in PARTNERS:
        if slug not in existing:
            db.session.add(
                Organisation(
                    name=name,
                    slug=slug,
                    kind=OrgKind.PARTNER,
                    partner_type=partner_type,
                    region=region,
                    size_band=size_band,
                    verified=verified,
                )
            )
            created += 1
    for name, slug, kind in OTHER_ORGS:
        if slug not in existing:
            db.session.add(Organisation(name=name, slug=slug, kind=kind, verified=True))
            created += 1
    db.session.flush()
    return created


def seed_users() -> int:
    """Create missing demo accounts; returns how many were created."""
    orgs = {o.slug: o for o in db.session.scalars(select(Organisation))}
    created = 0
    for email, name, role, slug, manager in USERS:
        if find_user_by_email(email) is None:
            create_user(email, role, name, DEMO_PASSWORD, orgs.get(slug), manager)
            created += 1
    db.session.flush()
    return created


SEED_STEPS = [("organisations", seed_organisations), ("users", seed_users)]


def seed_demo() -> dict[str, int]:
    """Run every seed step in one transaction; returns what each step created."""
    created = {name: step() for name, step in SEED_STEPS}
    db.session.commit()
    return created

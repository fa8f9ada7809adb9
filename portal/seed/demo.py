"""Demo data for `flask seed-demo`: organisations and accounts (password `demo-password`).

Every step creates only what is missing, so a second run changes nothing.
"""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal import privacy
from portal.auth.services import create_user, find_user_by_email
from portal.board.services import (
    merge_requirements,
    refresh_aggregates,
    refresh_months,
    set_status,
)
from portal.database import utcnow
from portal.extensions import db
from portal.markup import render_markdown
from portal.models import (
    Answer,
    Choice,
    Comment,
    Importance,
    Organisation,
    OrgKind,
    PartnerType,
    Product,
    Question,
    QuestionKind,
    QuoteConsent,
    Region,
    Requirement,
    Response,
    RevenueProfile,
    Role,
    SizeBand,
    Status,
    Survey,
    SurveyStatus,
    Topic,
    User,
    Vote,
    VoteConsent,
)
from portal.revenue.services import seed_rates
from portal.seed import content as demo_content
from portal.seed.content import QuestionSpec
from portal.seed.inbox import seed_inbox
from portal.surveys.release import release_due_surveys

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
    ("Granite Systems", "granite-systems", P.VAR_SI, R.NA, S.SMALL, True),
    ("Lakeshore IT", "lakeshore-it", P.VAR_SI, R.NA, S.MICRO, True),
    ("Nordlicht Consulting", "nordlicht-consulting", P.VAR_SI, R.EMEA, S.MEDIUM, True),
    ("Iberia Soluciones", "iberia-soluciones", P.VAR_SI, R.EMEA, S.SMALL, True),
    ("Koala Tech", "koala-tech", P.VAR_SI, R.APAC, S.SMALL, True),
    ("Quetzal Sistemas", "quetzal-sistemas", P.VAR_SI, R.LATAM, S.MICRO, False),
    ("Summit Managed IT", "summit-managed", P.MSP_HOSTER, R.NA, S.MEDIUM, True),
    ("Beacon Hosting", "beacon-hosting", P.MSP_HOSTER, R.NA, S.SMALL, True),
    ("Alpenhost", "alpenhost", P.MSP_HOSTER, R.EMEA, S.SMALL, True),
    ("Thames Cloud Services", "thames-cloud", P.MSP_HOSTER, R.EMEA, S.MEDIUM, True),
    ("Lotus Managed Services", "lotus-managed", P.MSP_HOSTER, R.APAC, S.SMALL, True),
    ("Rio Cloud", "rio-cloud", P.MSP_HOSTER, R.LATAM, S.SMALL, True),
    ("Pinnacle Licensing", "pinnacle-licensing", P.LARGE_ACCOUNT_RESELLER, R.EMEA, S.LARGE, True),
    ("Harbour Bridge Licensing", "harbour-bridge", P.LARGE_ACCOUNT_RESELLER, R.APAC, S.LARGE, True),
    (
        "Continental Licensing",
        "continental-licensing",
        P.LARGE_ACCOUNT_RESELLER,
        R.LATAM,
        S.LARGE,
        True,
    ),
    ("Atlas Distribution", "atlas-distribution", P.DISTRIBUTOR, R.NA, S.LARGE, True),
    ("Southern Cross Distribution", "southern-cross", P.DISTRIBUTOR, R.APAC, S.LARGE, True),
    ("Cóndor Mayorista", "condor-mayorista", P.DISTRIBUTOR, R.LATAM, S.MEDIUM, True),
    ("Fjord Software", "fjord-software", P.ISV, R.EMEA, S.SMALL, True),
    ("Prairie Apps", "prairie-apps", P.ISV, R.NA, S.MICRO, False),
    ("Samba Software", "samba-software", P.ISV, R.LATAM, S.SMALL, True),
    ("Northwave Telecom", "northwave-telecom", P.TELCO, R.NA, S.LARGE, True),
    ("Eurolink Telecom", "eurolink-telecom", P.TELCO, R.EMEA, S.LARGE, True),
    ("Pacifica Telecom", "pacifica-telecom", P.TELCO, R.APAC, S.LARGE, True),
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
            create_user(email, role, name, DEMO_PASSWORD, orgs.get(slug) if slug else None, manager)
            created += 1
    db.session.flush()
    return created


def seed_catalogue() -> int:
    """Create the running example's products and billing-model topics."""
    created = 0
    for model, rows in ((Product, demo_content.PRODUCTS), (Topic, demo_content.TOPICS)):
        existing = set(db.session.scalars(select(model.slug)))
        for name, slug, description in rows:
            if slug not in existing:
                db.session.add(model(name=name, slug=slug, description=description))
                created += 1
    db.session.flush()
    return created


IMPORTANCE_ODDS = (
    [Importance.NICE_TO_HAVE] * 3 + [Importance.IMPORTANT] * 4 + [Importance.SHOWSTOPPER] * 3
)

# Official responses the demo vendor has given: requirement title -> (status, response).
RESPONSES = {
    "Wholesale price list for partner-billed subscriptions": (
        Status.UNDER_REVIEW,
        "We are reviewing wholesale pricing together with the partner-billing pilot.",
    ),
    "Show the partner of record on the vendor's invoice": (
        Status.PLANNED,
        "Planned for the next billing release: the partner of record and its support contact "
        "will be printed on every customer invoice.",
    ),
    "Marketing funds for partners who bring cloud customers": (
        Status.DECLINED,
        "Not this fiscal year: marketing funds stay tied to the partner programme tiers.",
    ),
    "Usage and seat reports for partner-billed customers": (
        Status.SHIPPED,
        "The seat and usage report API is available to all partners of record.",
    ),
}
DUPLICATE_TITLE = "Partners should be able to bill BPOS themselves"


def _demo_votes(rng: random.Random, requirement: Requirement, partners: list[User]) -> None:
    """Votes from a random share of the demo partners, spread over the last six months."""
    voters = rng.sample(partners, rng.randint(4, len(partners) - 2))
    for user in voters:
        days = rng.randint(0, 180)
        db.session.add(
            Vote(
                requirement_id=requirement.id,
                user_id=user.id,
                organisation_id=user.organisation_id,
                importance=rng.choice(IMPORTANCE_ODDS),
                consent=VoteConsent.NAMED_TO_VENDOR
                if rng.random() < 0.4
                else VoteConsent.ANONYMOUS,
                created_at=utcnow() - timedelta(days=days),
            )
        )


def _demo_comments(rng: random.Random, requirement: Requirement, partners: list[User]) -> None:
    for index in range(rng.randint(0, 3)):
        text = rng.choice(demo_content.COMMENTS)
        db.session.add(
            Comment(
                requirement_id=requirement.id,
                author_id=rng.choice(partners).id,
                body=text,
                body_html=render_markdown(text),
                quotable=rng.choice(list(QuoteConsent)),
                created_at=requirement.created_at + timedelta(days=index + 1),
            )
        )


def seed_board() -> int:
    """Create the demo requirements with votes, comments, responses and one merged duplicate."""
    existing = set(db.session.scalars(select(Requirement.title)))
    rows = [*demo_content.REQUIREMENTS]
    rows.append(
        (
            DUPLICATE_TITLE,
            "Same as the BPOS invoicing request.",
            "bpos",
            ["partner-led-billing"],
            "pampa-cloud@example.com",
        )
    )
    if all(row[0] in existing for row in rows):
        return 0
    rng = random.Random(2010)  # the same demo board on every machine
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    topics = {t.slug: t for t in db.session.scalars(select(Topic))}
    users = {u.email: u for u in db.session.scalars(select(User))}
    partners = sorted((u for u in users.values() if u.role == Role.PARTNER), key=lambda u: u.email)
    created = 0
    for title, body, product, topic_slugs, author_email in rows:
        if title in existing:
            continue
        author = users[author_email]
        requirement = Requirement(
            title=title,
            body=body,
            body_html=render_markdown(body),
            product=products[product],
            topics=[topics[slug] for slug in topic_slugs],
            author_id=author.id,
            organisation_id=author.organisation_id,
            created_at=utcnow() - timedelta(days=rng.randint(150, 200)),
        )
        db.session.add(requirement)
        db.session.flush()
        _demo_votes(rng, requirement, partners)
        _demo_comments(rng, requirement, partners)
        created += 1
    db.session.flush()
    refresh_aggregates()  # one statement recomputes every requirement's kept counts
    refresh_months()
    _demo_responses(users["vendor@example.com"])
    return created


def _demo_responses(vendor: User) -> None:
    by_title = {r.title: r for r in db.session.scalars(select(Requirement))}
    for title, (status, response) in RESPONSES.items():
        requirement = by_title[title]
        if requirement.status == Status.OPEN:
            set_status(vendor, requirement, status, response)
    duplicate, original = by_title[DUPLICATE_TITLE], by_title[demo_content.REQUIREMENTS[0][0]]
    if duplicate.status != Status.MERGED:
        merge_requirements(vendor, duplicate, original)


def _segment(org: Organisation) -> tuple[PartnerType, Region, SizeBand]:
    """A partner organisation's segment, which admins cannot leave out."""
    if org.partner_type is None or org.region is None or org.size_band is None:
        raise ValueError(f"Partner organisation {org.slug} has no segment profile.")
    return org.partner_type, org.region, org.size_band


REGION_CURRENCY = {Region.NA: "USD", Region.EMEA: "EUR", Region.APAC: "AUD", Region.LATAM: "BRL"}
SIZE_REVENUE = {  # typical total revenue by size band, in the organisation's currency
    SizeBand.MICRO: 900_000,
    SizeBand.SMALL: 6_500_000,
    SizeBand.MEDIUM: 38_000_000,
    SizeBand.LARGE: 420_000_000,
}


def seed_revenue() -> int:
    """Exchange rates, three fiscal years of figures per partner and revenue at stake on votes."""
    created = seed_rates()
    rng = random.Random(2011)
    partners = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.PARTNER).order_by(Organisation.slug)
    ).all()
    have = set(
        db.session.execute(select(RevenueProfile.organisation_id, RevenueProfile.fiscal_year))
    )
    this_year = utcnow().year
    for org in partners:
        _, region, size_band = _segment(org)
        base = SIZE_REVENUE[size_band] * rng.uniform(0.7, 1.4)
        cloud_share = rng.uniform(0.05, 0.2)
        for offset, year in enumerate(range(this_year - 3, this_year)):
            if (org.id, year) in have:
                continue
            total = round(base * (1.08**offset))
            cloud_share *= rng.uniform(1.1, 1.5)
            db.session.add(
                RevenueProfile(
                    organisation_id=org.id,
                    fiscal_year=year,
                    currency=REGION_CURRENCY[region],
                    total_revenue=Decimal(total),
                    cloud_revenue=Decimal(round(total * min(cloud_share, 0.9))),
                    customers=max(5, round(total / rng.uniform(40_000, 90_000))),
                    seats=max(20, round(total / rng.uniform(2_000, 6_000))),
                )
            )
            created += 1
    if db.session.scalar(select(Vote.id).where(Vote.revenue_at_stake.is_not(None)).limit(1)):
        return created
    orgs = {o.id: o for o in partners}
    for vote in db.session.scalars(select(Vote).order_by(Vote.id)):
        if rng.random() < 0.55:
            _, region, size_band = _segment(orgs[vote.organisation_id])
            share = {Importance.NICE_TO_HAVE: 0.002, Importance.IMPORTANT: 0.01}.get(
                vote.importance, 0.03
            )
            amount = SIZE_REVENUE[size_band] * share * rng.uniform(0.5, 1.5)
            vote.revenue_at_stake = Decimal(round(amount, -3))
            vote.currency = REGION_CURRENCY[region]
            created += 1
    db.session.flush()
    return created


def _survey_answer(
    rng: random.Random, question: Question, partner_type: PartnerType, spec: QuestionSpec
) -> list[Answer]:
    """Answers for one demo question, nudged by the partner's type so segments differ."""
    kind = question.kind
    if kind == QuestionKind.TEXT:
        if rng.random() < 0.35:
            return []
        text = rng.choice(spec["texts"])
        return [Answer(question_id=question.id, text=text, quotable=rng.choice(list(QuoteConsent)))]
    if kind == QuestionKind.SCALE:
        base = spec.get("scale", {}).get(partner_type.value, 3)
        return [
            Answer(
                question_id=question.id,
                scale_value=max(1, min(5, base + rng.choice([-1, 0, 0, 1]))),
            )
        ]
    weights = spec.get("weights", {}).get(partner_type.value) or [1] * len(question.choices)
    if kind == QuestionKind.SINGLE:
        choice = rng.choices(question.choices, weights=weights)[0]
        return [Answer(question_id=question.id, choice_id=choice.id)]
    picked = [c for c, w in zip(question.choices, weights, strict=True) if rng.random() < w / 10]
    return [Answer(question_id=question.id, choice_id=c.id) for c in picked or question.choices[:1]]


def seed_surveys() -> int:
    """The running example's surveys: a closed one with responses, an open one to try."""
    editor = db.session.scalars(select(User).where(User.email == "editor@example.com")).one()
    existing = set(db.session.scalars(select(Survey.title)))
    products = {p.slug: p for p in db.session.scalars(select(Product))}
    requirements = {r.title: r for r in db.session.scalars(select(Requirement))}
    partners = sorted(
        db.session.execute(
            select(User, Organisation).join(User.organisation).where(User.role == Role.PARTNER)
        ),
        key=lambda row: row[0].email,
    )
    rng = random.Random(2012)
    created = 0
    for spec in demo_content.SURVEYS:
        if spec["title"] in existing:
            continue
        survey = Survey(
            title=spec["title"],
            intro=spec["intro"],
            intro_html=render_markdown(spec["intro"]),
            product=products[spec["product"]],
            status=SurveyStatus(spec["status"]),
            editor_id=editor.id,
            opens_at=utcnow() - timedelta(days=spec["opened_days_ago"]),
            closes_at=utcnow() + timedelta(days=spec["closes_in_days"]),
            requirements=[requirements[t] for t in spec.get("related", [])],
            questions=[
                Question(
                    position=i,
                    kind=QuestionKind(q["kind"]),
                    prompt=q["prompt"],
                    required=q.get("required", True),
                    choices=[
                        Choice(position=j, label=c) for j, c in enumerate(q.get("choices", []), 1)
                    ],
                )
                for i, q in enumerate(spec["questions"], 1)
            ],
        )
        db.session.add(survey)
        db.session.flush()
        skip = set(spec.get("skip", []))
        for user, org in partners:
            skipped = user.email in skip or org.slug in spec.get("skip_orgs", [])
            if skipped or rng.random() > spec["response_share"]:
                continue
            partner_type, _, _ = _segment(org)
            answers = []
            for question, q in zip(survey.questions, spec["questions"], strict=True):
                answers += _survey_answer(rng, question, partner_type, q)
            db.session.add(
                Response(
                    survey_id=survey.id,
                    user_id=user.id,
                    organisation_id=user.organisation_id,
                    answers=answers,
                )
            )
        created += 1
    db.session.flush()
    return created


SEED_STEPS = [
    ("organisations", seed_organisations),
    ("users", seed_users),
    ("products and topics", seed_catalogue),
    ("requirements", seed_board),
    ("revenue figures and rates", seed_revenue),
    ("surveys and responses", seed_surveys),
    ("released board figures", privacy.refresh),  # what the demo's votes make showable
    ("released survey reports", release_due_surveys),
    ("inbox e-mails", seed_inbox),
]


def seed_demo() -> dict[str, int]:
    """Run every seed step in order; returns what each step created.

    Not one transaction: steps call the same services a user's action does (status changes,
    merges, releases), and those commit. Each step creates only what is missing, so running
    `seed-demo` again completes an interrupted run.
    """
    created = {name: step() for name, step in SEED_STEPS}
    db.session.commit()
    return created

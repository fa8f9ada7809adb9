"""A large synthetic dataset for benchmarks (`flask seed-bench --scale N`), bulk-inserted.

Per unit of scale: 100 partner organisations, 300 partner users, 1,000 requirements, about
30,000 votes (half with revenue at stake) and 3,000 comments. Popular requirements get most votes.
"""

import random
import secrets
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from portal import privacy
from portal.board.services import refresh_aggregates, refresh_months
from portal.database import utcnow
from portal.extensions import db
from portal.markup import render_markdown
from portal.models import (
    Comment,
    Importance,
    Organisation,
    OrgKind,
    PartnerType,
    Product,
    QuoteConsent,
    Region,
    Requirement,
    Role,
    SizeBand,
    Topic,
    User,
    Vote,
    VoteConsent,
)
from portal.models.board import requirement_topic
from portal.revenue.services import seed_rates

BATCH = 5_000
WORDS = (
    "partner billing invoice bundle pricing margin white label customer renewal wholesale "
    "distributor reseller telco hosted backup security seats usage currency tax contract "
    "discount trial migration support portal brand upsell cross-sell marketplace"
).split()
BODIES = [
    "We need to **bill our customers** ourselves, with our own terms.",
    "Bundling with our managed offer is what customers ask for.\n\n- one invoice\n- one price",
    "A wholesale price list per quarter would let us set retail prices.",
    "White label under our brand, with the vendor behind the scenes.",
]
PER_SCALE = {
    "organisations": 100,
    "users": 300,
    "requirements": 1_000,
    "votes_per_user": 100,
    "comments": 3_000,
}


def _bulk(model_or_table, rows: list[dict]) -> None:
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def _catalogue() -> tuple[list[int], list[int]]:
    for model, names in (
        (Product, ["BPOS", "Windows Intune", "CRM Online", "Cloud Platform"]),
        (
            Topic,
            [
                "Partner-led billing",
                "Bundling",
                "Pricing flexibility",
                "White label",
                "Customer ownership",
                "Margins",
                "Direct billing",
            ],
        ),
    ):
        existing = set(db.session.scalars(select(model.name)))
        for name in names:
            if name not in existing:
                db.session.add(model(name=name, slug=name.lower().replace(" ", "-")))
    db.session.flush()
    return (
        list(db.session.scalars(select(Product.id))),
        list(db.session.scalars(select(Topic.id))),
    )


def seed_bench(scale: int = 1, size: float = 1.0) -> dict[str, int]:
    """Add one batch of bench data; `size` shrinks it for tests. Returns what was created."""
    rng = random.Random(scale)
    run = secrets.token_hex(3)  # a new prefix per run, so repeated seeding never collides
    counts = {k: max(2, int(v * scale * size)) for k, v in PER_SCALE.items()}
    # More users and requirements per scale, but each user still votes on about 100.
    counts["votes_per_user"] = min(
        max(2, int(PER_SCALE["votes_per_user"] * size)), counts["requirements"]
    )
    seed_rates()
    product_ids, topic_ids = _catalogue()
    now = utcnow()
    _bulk(
        Organisation,
        [
            {
                "name": f"Bench {run} partner {i}",
                "slug": f"bench-{run}-{i}",
                "kind": OrgKind.PARTNER,
                "partner_type": rng.choice(list(PartnerType)),
                "region": rng.choice(list(Region)),
                "size_band": rng.choice(list(SizeBand)),
                "verified": True,
                "created_at": now,
            }
            for i in range(counts["organisations"])
        ],
    )
    org_ids = list(
        db.session.scalars(select(Organisation.id).where(Organisation.slug.like(f"bench-{run}-%")))
    )
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password = generate_password_hash("bench-password", method=method)  # one hash, reused
    _bulk(
        User,
        [
            {
                "email": f"bench-{run}-{i}@example.com",
                "display_name": f"Bench user {i}",
                "password_hash": password,
                "organisation_id": org_ids[i % len(org_ids)],
                "role": Role.PARTNER,
                "active": True,
                "is_org_manager": i < len(org_ids),
                "notify": False,
                "weekly_digest": False,
                "created_at": now,
            }
            for i in range(counts["users"])
        ],
    )
    users = db.session.execute(
        select(User.id, User.organisation_id).where(User.email.like(f"bench-{run}-%"))
    ).all()
    bodies = [(body, render_markdown(body)) for body in BODIES]
    requirement_rows = []
    for i in range(counts["requirements"]):
        body, html = rng.choice(bodies)
        title = " ".join(rng.sample(WORDS, 6)).capitalize() + f" ({run}-{i})"
        requirement_rows.append(
            {
                "title": title,
                "body": body,
                "body_html": html,
                "product_id": rng.choice(product_ids),
                "author_id": users[i % len(users)][0],
                "organisation_id": users[i % len(users)][1],
                "created_at": now - timedelta(days=rng.randint(0, 365)),
                "updated_at": now,
            }
        )
    _bulk(Requirement, requirement_rows)
    requirement_ids = list(
        db.session.scalars(select(Requirement.id).where(Requirement.title.like(f"% ({run}-%)")))
    )
    _bulk(
        requirement_topic,
        [
            {"requirement_id": rid, "topic_id": topic}
            for rid in requirement_ids
            for topic in rng.sample(topic_ids, 2)
        ],
    )
    weights = [1 / (rank + 1) for rank in range(len(requirement_ids))]  # a few very popular ones
    importances = [Importance.NICE_TO_HAVE, Importance.IMPORTANT, Importance.SHOWSTOPPER]
    currencies = ["USD", "EUR", "GBP"]
    votes = []
    for user_id, org_id in users:
        chosen = set()
        while len(chosen) < counts["votes_per_user"]:
            chosen.update(rng.choices(requirement_ids, weights=weights, k=counts["votes_per_user"]))
        for rid in list(chosen)[: counts["votes_per_user"]]:
            amount = Decimal(rng.randrange(1_000, 500_000, 1_000)) if rng.random() < 0.5 else None
            votes.append(
                {
                    "requirement_id": rid,
                    "user_id": user_id,
                    "organisation_id": org_id,
                    "importance": rng.choice(importances),
                    "revenue_at_stake": amount,
                    "currency": rng.choice(currencies) if amount else None,
                    "consent": VoteConsent.NAMED_TO_VENDOR
                    if rng.random() < 0.3
                    else VoteConsent.ANONYMOUS,
                    "created_at": now - timedelta(days=rng.randint(0, 365)),
                    "updated_at": now,
                }
            )
    _bulk(Vote, votes)
    _bulk(
        Comment,
        [
            {
                "requirement_id": rng.choice(requirement_ids[:200]),
                "author_id": rng.choice(users)[0],
                "body": body,
                "body_html": html,
                "quotable": QuoteConsent.NO,
                "hidden": False,
                "created_at": now,
            }
            for body, html in (rng.choice(bodies) for _ in range(counts["comments"]))
        ],
    )
    refresh_aggregates()  # one set-based UPDATE for every requirement, not one per row
    refresh_months()
    privacy.refresh()  # roll up and release every requirement's figures
    db.session.commit()
    return {
        "organisations": len(org_ids),
        "users": len(users),
        "requirements": len(requirement_ids),
        "votes": len(votes),
        "comments": counts["comments"],
    }

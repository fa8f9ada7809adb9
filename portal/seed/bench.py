"""A large synthetic dataset for benchmarks (`flask seed-bench --scale N`), bulk-inserted.

Per unit of scale: 100 partner organisations, 300 partner users, 1,000 requirements, about
30,000 votes (half with revenue at stake) and 3,000 comments. Popular requirements get most votes.
Rows go in as Core executemany batches; on SQLite the seeding connection skips syncing while it
loads, and the vote table's secondary indexes are built once after the load, not row by row.
"""

import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from itertools import accumulate

from flask import current_app
from sqlalchemy import insert, select, text
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

BATCH = 20_000
STEPS = (
    "organisations",
    "users",
    "requirements",
    "votes",
    "comments",
    "aggregates",
    "privacy release",
)
# For the seeding connection only. Seeding is one transaction, synced once at its commit, so
# `synchronous` would save nothing (and SQLite refuses to change it inside a transaction); a page
# cache of up to 1 GB keeps the vote table's indexes in memory while they grow.
SQLITE_BULK_PRAGMAS = {"cache_size": "-1000000", "temp_store": "MEMORY"}
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


@contextmanager
def _bulk_settings() -> Iterator[None]:
    """SQLite: bulk-load pragmas on the seeding connection, put back as they were afterwards."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    saved = {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in SQLITE_BULK_PRAGMAS
    }
    for name, value in SQLITE_BULK_PRAGMAS.items():
        connection.exec_driver_sql(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, previous in saved.items():
            connection.exec_driver_sql(f"PRAGMA {name}={previous}")


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns, as they are."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        query = text(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL"
        )
    elif connection.dialect.name == "postgresql":
        query = text(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema() AND tablename = :table AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:table AS regclass))"
        )
    else:
        return []
    return [(name, sql) for name, sql in connection.execute(query, {"table": table})]


@contextmanager
def _indexes_built_after(table: str) -> Iterator[None]:
    """Drop a table's secondary indexes for a bulk load, then create them again, unchanged.

    No `finally`: on an error the caller rolls back, and the drop goes with it.
    """
    connection = db.session.connection()
    indexes = _secondary_indexes(table)
    quote = connection.dialect.identifier_preparer.quote
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _, create in indexes:
        connection.exec_driver_sql(create)


def _catalogue() -> tuple[list[int], list[int]]:
    for model, names_wanted in (
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
        # seed-demo spells some names differently under the same slug: either one is a match.
        rows = db.session.execute(select(model.name, model.slug)).all()
        names, slugs = {name for name, _ in rows}, {slug for _, slug in rows}
        for name in names_wanted:
            slug = name.lower().replace(" ", "-")
            if name not in names and slug not in slugs:
                db.session.add(model(name=name, slug=slug))
    db.session.flush()
    return (
        list(db.session.scalars(select(Product.id))),
        list(db.session.scalars(select(Topic.id))),
    )


def seed_bench(
    scale: int = 1, size: float = 1.0, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Add one batch of bench data; `size` shrinks it for tests. Returns what was created.

    `progress` is called with the name of each of the `STEPS` as it starts.
    """
    step = progress or (lambda name: None)
    with _bulk_settings():
        created = _seed(scale, size, step)
    db.session.commit()
    return created


def _seed(scale: int, size: float, step: Callable[[str], None]) -> dict[str, int]:
    rng = random.Random(scale)
    run = secrets.token_hex(3)  # a new prefix per run, so repeated seeding never collides
    counts = {k: max(2, int(v * scale * size)) for k, v in PER_SCALE.items()}
    # More users and requirements per scale, but each user still votes on about 100.
    counts["votes_per_user"] = min(
        max(2, int(PER_SCALE["votes_per_user"] * size)), counts["requirements"]
    )
    step("organisations")
    seed_rates()
    product_ids, topic_ids = _catalogue()
    now = utcnow()
    partner_types, regions, size_bands = list(PartnerType), list(Region), list(SizeBand)
    _bulk(
        Organisation,
        [
            {
                "name": f"Bench {run} partner {i}",
                "slug": f"bench-{run}-{i}",
                "kind": OrgKind.PARTNER,
                "partner_type": rng.choice(partner_types),
                "region": rng.choice(regions),
                "size_band": rng.choice(size_bands),
                "verified": True,
                "created_at": now,
            }
            for i in range(counts["organisations"])
        ],
    )
    org_ids = list(
        db.session.scalars(select(Organisation.id).where(Organisation.slug.like(f"bench-{run}-%")))
    )
    step("users")
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
    step("requirements")
    days_ago = [now - timedelta(days=days) for days in range(366)]
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
                "created_at": days_ago[rng.randint(0, 365)],
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
    step("votes")
    votes = _votes(rng, users, requirement_ids, counts["votes_per_user"], now, days_ago)
    with _indexes_built_after(Vote.__tablename__):
        _bulk(Vote, votes)
    step("comments")
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
    step("aggregates")
    refresh_aggregates()  # one set-based UPDATE for every requirement, not one per row
    refresh_months()
    step("privacy release")
    privacy.refresh()  # roll up and release every requirement's figures
    return {
        "organisations": len(org_ids),
        "users": len(users),
        "requirements": len(requirement_ids),
        "votes": len(votes),
        "comments": counts["comments"],
    }


def _votes(rng, users, requirement_ids, per_user, now, days_ago) -> list[dict]:
    """About `per_user` votes per user, popular requirements (low ranks) chosen far more often."""
    # The same draws as weights=1/(rank+1), without summing 1/rank again for every user.
    cum_weights = list(accumulate(1 / (rank + 1) for rank in range(len(requirement_ids))))
    importances = [Importance.NICE_TO_HAVE, Importance.IMPORTANT, Importance.SHOWSTOPPER]
    currencies = ["USD", "EUR", "GBP"]
    named, anonymous = VoteConsent.NAMED_TO_VENDOR, VoteConsent.ANONYMOUS
    votes = []
    for user_id, org_id in users:
        chosen: set[int] = set()
        while len(chosen) < per_user:
            chosen.update(rng.choices(requirement_ids, cum_weights=cum_weights, k=per_user))
        for rid in list(chosen)[:per_user]:
            amount = Decimal(rng.randrange(1_000, 500_000, 1_000)) if rng.random() < 0.5 else None
            votes.append(
                {
                    "requirement_id": rid,
                    "user_id": user_id,
                    "organisation_id": org_id,
                    "importance": rng.choice(importances),
                    "revenue_at_stake": amount,
                    "currency": rng.choice(currencies) if amount else None,
                    "consent": named if rng.random() < 0.3 else anonymous,
                    "created_at": days_ago[rng.randint(0, 365)],
                    "updated_at": now,
                }
            )
    return votes

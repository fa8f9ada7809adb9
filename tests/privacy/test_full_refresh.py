"""`refresh()` over every requirement writes in batches; it must release exactly what the
per-requirement path releases, after earlier releases as well as on a fresh database."""

import random
from decimal import Decimal

from sqlalchemy import select, update

from portal import privacy
from portal.extensions import db
from portal.models import (
    Importance,
    PartnerType,
    Region,
    ReleasedCell,
    Requirement,
    RequirementOrg,
    RequirementRelease,
    SizeBand,
    Vote,
    VoteConsent,
)


def snapshot(before: dict) -> dict:
    """Every privacy table's rows; release times as "kept" (unchanged) or "now"."""

    def when(requirement_id, column, value):
        return "kept" if value == before.get((requirement_id, column)) else value and "now"

    tables = {}
    for model in (ReleasedCell, RequirementOrg):
        table = model.__table__
        tables[table.name] = sorted(tuple(row) for row in db.session.execute(select(table)))
    tables["requirement_release"] = sorted(
        (
            row.requirement_id,
            row.voters_pending,
            row.revenue_pending,
            *(
                when(row.requirement_id, column, getattr(row, column))
                for column in ("voters_released_at", "revenue_released_at", "segments_released_at")
            ),
        )
        for row in db.session.execute(select(RequirementRelease.__table__))
    )
    return tables


def release_times() -> dict:
    return {
        (row.requirement_id, column): getattr(row, column)
        for row in db.session.execute(select(RequirementRelease.__table__))
        for column in ("voters_released_at", "revenue_released_at", "segments_released_at")
    }


def add_votes_quietly(rng, requirement_ids, users) -> None:
    """Votes straight into the table, as an import or an upgrade leaves them: nothing released."""
    for rid in requirement_ids:
        for user_id, org_id in rng.sample(users, rng.randint(0, len(users))):
            if db.session.scalar(select(Vote.id).filter_by(requirement_id=rid, user_id=user_id)):
                continue
            amount = rng.choice([None, 0, *range(1_000, 400_000, 7_000)])
            db.session.add(
                Vote(
                    requirement_id=rid,
                    user_id=user_id,
                    organisation_id=org_id,
                    importance=rng.choice(list(Importance)),
                    revenue_at_stake=None if amount is None else Decimal(amount),
                    currency=None if amount is None else rng.choice(["USD", "EUR"]),
                    consent=VoteConsent.ANONYMOUS,
                )
            )
    db.session.flush()


def test_full_refresh_releases_what_each_requirement_would(app, stage):
    rng = random.Random(7)
    orgs = [
        stage.org(
            region=rng.choice(list(Region)),
            partner_type=rng.choice(list(PartnerType)[:3]),
            size_band=rng.choice(list(SizeBand)[:2]),
        )
        for _ in range(24)
    ]
    rids = [stage.requirement(f"Requirement {i}") for i in range(6)]
    for rid in rids[:3]:  # released through votes, one requirement at a time
        for org in rng.sample(orgs, 14):
            stage.vote(org, rid, amount=rng.randrange(5_000, 200_000, 5_000))
    with app.app_context():
        users = [(stage.members[org], org) for org in orgs]
        add_votes_quietly(rng, rids, users)
        db.session.execute(  # and some amounts change behind the release's back
            update(Vote)
            .where(Vote.requirement_id == rids[0], Vote.organisation_id.in_(orgs[:8]))
            .values(revenue_at_stake=Decimal(90_000), currency="USD")
        )
        before = release_times()
        everything = db.session.scalars(select(Requirement.id)).all()

        savepoint = db.session.begin_nested()
        one_by_one = privacy.refresh(everything)
        db.session.flush()
        expected = snapshot(before)
        savepoint.rollback()

        assert privacy.refresh() == one_by_one > 0
        db.session.flush()
        assert snapshot(before) == expected
        db.session.rollback()


def test_full_refresh_leaves_the_session_up_to_date(app, stage):
    orgs = stage.orgs(6)
    rid = stage.requirement()
    for org in orgs:
        stage.vote(org, rid, importance=Importance.NICE_TO_HAVE)
    with app.app_context():
        rows = db.session.scalars(select(RequirementOrg)).all()  # held by the session
        db.session.execute(update(Vote).values(importance=Importance.SHOWSTOPPER))
        assert privacy.refresh() == 1  # the voting organisations: six changed
        stored = {tuple(row) for row in db.session.execute(select(RequirementOrg.__table__))}
        columns = RequirementOrg.__table__.columns.keys()
        assert {tuple(getattr(row, c) for c in columns) for row in rows} == stored
        assert {row.released_top for row in rows} == {int(Importance.SHOWSTOPPER)}

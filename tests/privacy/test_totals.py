"""The kept segment totals always equal the sums over released cells they stand for."""

import pytest
from sqlalchemy import select

from portal.board import services
from portal.extensions import db
from portal.models import (
    PartnerType,
    Product,
    Region,
    Requirement,
    Role,
    SegmentTotal,
    Status,
    User,
)
from portal.privacy import totals
from portal.reports import queries


def compare(filters: queries.ReportFilters) -> None:
    """The report's breakdown read from the kept totals equals the one summed over cells."""
    ids = queries.requirement_ids(filters)
    statuses = [filters.status] if filters.status else [s for s in Status if s != Status.MERGED]
    product = filters.product.id if filters.product else None
    kept = {k: v for k, v in totals.kept(product, [s.value for s in statuses]).items() if any(v)}
    scanned = {k: v for k, v in totals.scan(ids).items() if any(v)}
    assert kept == scanned


@pytest.fixture
def busy(app, stage, make):
    """Requirements released in every way: votes, withdrawals, status, merge, product change."""
    rids = [stage.requirement(f"Requirement {i}") for i in range(4)]
    regions = [Region.EMEA, Region.NA, Region.APAC]
    orgs = [
        stage.org(region=regions[i % 3], partner_type=list(PartnerType)[i % 4]) for i in range(12)
    ]
    for index, org in enumerate(orgs):
        for rid in rids[: 1 + index % 4]:
            stage.vote(org, rid, 1_000 * (1 + index % 5))
    stage.withdraw(orgs[0], rids[0])
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        user = db.session.get(User, vendor.id)
        services.set_status(user, db.session.get(Requirement, rids[1]), Status.PLANNED, "Yes.")
        services.merge_requirements(
            user, db.session.get(Requirement, rids[3]), db.session.get(Requirement, rids[0])
        )
        other = Product(name="Windows Intune", slug="intune")
        db.session.add(other)
        db.session.commit()
        requirement = db.session.get(Requirement, rids[2])
        author = db.session.get(User, requirement.author_id)
        services.edit_requirement(
            author,
            requirement,
            requirement.title,
            "Moved.",
            other.id,
            [t.id for t in requirement.topics],
        )
        return other.id


def test_kept_totals_follow_votes_status_merges_and_product_changes(app, busy):
    with app.app_context():
        intune = db.session.get(Product, busy)
        bpos = db.session.scalar(select(Product).where(Product.slug == "bpos"))
        released = db.session.scalar(select(db.func.count()).select_from(SegmentTotal))
        assert released > 0  # there is something to compare
        for filters in (
            queries.ReportFilters(),
            queries.ReportFilters(product=intune),
            queries.ReportFilters(product=bpos),
            queries.ReportFilters(status=Status.PLANNED),
            queries.ReportFilters(status=Status.MERGED),
            queries.ReportFilters(product=bpos, status=Status.OPEN),
        ):
            compare(filters)


def test_a_full_refresh_rebuilds_the_same_totals(app, busy):
    from portal import privacy

    with app.app_context():
        before = totals.kept(None, [s.value for s in Status])
        privacy.refresh()
        db.session.commit()
        assert totals.kept(None, [s.value for s in Status]) == before

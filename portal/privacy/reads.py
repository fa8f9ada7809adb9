"""Reading figures through the privacy rules: own figures, released cells, names, composition.

Views and reports call these; none of them reads a revenue column or the released tables itself.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import abort
from sqlalchemy import (
    CompoundSelect,
    Select,
    SQLColumnExpression,
    and_,
    case,
    func,
    select,
    union_all,
)

from portal import audit
from portal.access import can_see_consented_names
from portal.extensions import db
from portal.models import (
    Organisation,
    ReleasedCell,
    Requirement,
    RequirementOrg,
    RequirementRelease,
    RevenueProfile,
    Role,
    Status,
    User,
    Vote,
)
from portal.models.privacy import ALL
from portal.privacy import totals
from portal.privacy.rules import (
    SEGMENTS,
    UNKNOWN,
    Contributions,
    Shown,
    reason_for_viewer,
    threshold,
)

# -- Own figures (rule 1) -------------------------------------------------------------------------


def _require_member(viewer: User, organisation: Organisation) -> None:
    if viewer.role != Role.PARTNER or viewer.organisation_id != organisation.id:
        abort(404)


def own_revenue_profiles(viewer: User, organisation: Organisation) -> list[RevenueProfile]:
    """Our organisation's revenue profiles, newest year first (members only)."""
    _require_member(viewer, organisation)
    return _profiles(organisation)


def admin_revenue_profiles(admin: User, organisation: Organisation) -> list[RevenueProfile]:
    """An organisation's profiles for an administrator; the viewing is audited."""
    if admin.role != Role.ADMIN:
        abort(403)
    audit.record(admin, "revenue.admin_view", organisation.slug)
    db.session.commit()
    return _profiles(organisation)


def _profiles(organisation: Organisation) -> list[RevenueProfile]:
    query = (
        select(RevenueProfile)
        .where(RevenueProfile.organisation_id == organisation.id)
        .order_by(RevenueProfile.fiscal_year.desc())
    )
    return list(db.session.scalars(query))


def own_votes(viewer: User, organisation: Organisation) -> list[Any]:
    """Our organisation's votes with their revenue at stake and the community's ranking."""
    _require_member(viewer, organisation)
    ranks = (
        select(
            Requirement.id.label("id"),
            func.rank().over(order_by=Requirement.score.desc()).label("rank"),
        )
        .where(Requirement.status != Status.MERGED)
        .subquery()
    )
    query = (
        select(
            Vote.requirement_id,
            Requirement.title,
            Requirement.status,
            Requirement.org_count,
            Requirement.score,
            ranks.c.rank,
            User.display_name.label("voter"),
            Vote.importance,
            Vote.revenue_at_stake,
            Vote.currency,
        )
        .join(Requirement, Requirement.id == Vote.requirement_id)
        .join(User, User.id == Vote.user_id)
        .outerjoin(ranks, ranks.c.id == Requirement.id)
        .where(Vote.organisation_id == organisation.id)
        .order_by(ranks.c.rank.is_(None), ranks.c.rank, User.display_name)
    )
    return list(db.session.execute(query))


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as the rules need it; safe to keep when the session lets go of the user."""

    role: Role | None
    organisation_id: int | None

    @classmethod
    def of(cls, user: Any) -> "Viewer":
        return cls(getattr(user, "role", None), getattr(user, "organisation_id", None))


def _partner_org(viewer: Any) -> int | None:
    """The organisation whose own contributions a partner viewer knows (None for others)."""
    if getattr(viewer, "role", None) == Role.PARTNER:
        return getattr(viewer, "organisation_id", None)
    return None


# -- Released revenue per requirement (rules 2 and 4) ---------------------------------------------


@dataclass(frozen=True)
class RequirementRevenue:
    """A requirement's released revenue at stake as one viewer may see it: sum and median."""

    total: Shown
    median: Shown


def _released(requirement_ids: list[int], viewer: Any):
    cells = {
        c.requirement_id: c
        for c in db.session.scalars(
            select(ReleasedCell).where(
                ReleasedCell.requirement_id.in_(requirement_ids),
                ReleasedCell.dimension == ALL,
                ReleasedCell.segment == ALL,
            )
        )
    }
    states = {
        rid: (released_at, pending)
        for rid, released_at, pending in db.session.execute(
            select(
                RequirementRelease.requirement_id,
                RequirementRelease.revenue_released_at,
                RequirementRelease.revenue_pending,
            ).where(RequirementRelease.requirement_id.in_(requirement_ids))
        )
    }
    own: dict[int, Decimal] = {}
    if (org := _partner_org(viewer)) is not None:
        own = {
            rid: value
            for rid, value in db.session.execute(
                select(RequirementOrg.requirement_id, RequirementOrg.released_value).where(
                    RequirementOrg.requirement_id.in_(requirement_ids),
                    RequirementOrg.organisation_id == org,
                    RequirementOrg.released_value > 0,
                )
            )
            if value is not None
        }
    return cells, states, own


def released_revenue(
    requirement_ids: list[int], viewer: Any = None
) -> dict[int, RequirementRevenue]:
    """Released revenue at stake (sum and median) per requirement, as `viewer` may see it.

    A partner viewer whose organisation is in a figure sees it only when the other
    organisations pass the rules on their own (it knows its own amount).
    """
    if not requirement_ids:
        return {}
    min_orgs = threshold()
    cells, states, own = _released(requirement_ids, viewer)
    found = {}
    for rid in requirement_ids:
        released_at, pending = states.get(rid, (None, 0))
        common = {
            "min_orgs": min_orgs,
            "released_at": released_at,
            "waiting": max(min_orgs - pending, 1),
        }
        found[rid] = _requirement_revenue(rid, cells.get(rid), own.get(rid), common)
    return found


def _requirement_revenue(
    rid: int, cell: ReleasedCell | None, own: Decimal | None, common: dict[str, Any]
) -> RequirementRevenue:
    """One requirement's released revenue for a viewer whose organisation put `own` into it."""
    reason = cell.revenue_reason or None if cell is not None else "small"
    if cell is not None and reason is None and own is not None:
        reason = _contributor_reason(cell, own)
    if (
        cell is None
        or reason is not None
        or cell.revenue_shown is None
        or cell.revenue_median is None
    ):
        hidden = Shown(str(rid), "Revenue at stake", None, None, True, reason or "small", **common)
        return RequirementRevenue(hidden, hidden)
    orgs = cell.revenue_orgs
    return RequirementRevenue(
        Shown(str(rid), "Revenue at stake", int(cell.revenue_shown), orgs, **common),
        Shown(str(rid), "Median", int(cell.revenue_median), orgs, **common),
    )


def revenue_at_stake_for(requirement_ids: list[int], viewer: Any = None) -> dict[int, Shown]:
    """Released revenue at stake (sum) per requirement, as `viewer` may see it."""
    return {rid: r.total for rid, r in released_revenue(requirement_ids, viewer).items()}


def hidden_from_contributor(organisation_id: int) -> set[int]:
    """Requirements whose shown revenue a member of this contributing organisation may not see.

    Few: only where the organisation's own amount is in the released figure, and the others do
    not pass the rules without it. The same rule as `released_revenue` applies, in Python.
    """
    rows = db.session.execute(
        select(ReleasedCell, RequirementOrg.released_value)
        .join(RequirementOrg, RequirementOrg.requirement_id == ReleasedCell.requirement_id)
        .where(
            RequirementOrg.organisation_id == organisation_id,
            RequirementOrg.released_value > 0,
            ReleasedCell.dimension == ALL,
            ReleasedCell.segment == ALL,
            ReleasedCell.revenue_shown.is_not(None),
        )
    )
    return {cell.requirement_id for cell, own in rows if _contributor_reason(cell, own)}


def _contributor_reason(cell: ReleasedCell, own: Decimal | None) -> str | None:
    """Why a member of an organisation that put `own` into a shown whole cell may not see it."""
    if cell.revenue_total is None or cell.revenue_largest is None or cell.revenue_second is None:
        return "small"  # released without revenue: nothing to show
    contributions = Contributions(
        cell.revenue_orgs, cell.revenue_total, cell.revenue_largest, cell.revenue_second
    )
    return reason_for_viewer(contributions, own)


def order_by_revenue(query: Select, viewer: Any = None) -> Select:
    """Order requirements by released revenue at stake; what the viewer may not see sorts last.

    Suppressed figures are NULL in the ordering, so the order reveals nothing about them. The
    kept `requirement.revenue_shown` is indexed; for a partner, the few figures its own
    contributions hide from it are NULL as well.
    """
    key: SQLColumnExpression[Decimal | None] = Requirement.revenue_shown
    org = _partner_org(viewer)
    if org is not None and (hidden := hidden_from_contributor(org)):
        key = case((Requirement.id.in_(sorted(hidden)), None), else_=key)
    return query.order_by(key.desc().nulls_last(), Requirement.score.desc(), Requirement.id.desc())


# -- Names (rule 5) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The organisations named to the vendor on one requirement: the first few, and how many."""

    names: list[str]
    count: int


def named_organisations_for(
    requirement_ids: list[int], viewer: Any, limit: int | None = None
) -> dict[int, Names]:
    """Organisations that voted with `named_to_vendor` consent, by name: vendor and admins only.

    `limit` keeps the first names per requirement (a page); exports take every name.
    """
    found: dict[int, Names] = {rid: Names([], 0) for rid in requirement_ids}
    if not can_see_consented_names(viewer) or not requirement_ids:
        return found
    named = and_(RequirementOrg.named, RequirementOrg.top > 0)
    names = (
        select(RequirementOrg.requirement_id, Organisation.name)
        .join(Organisation, Organisation.id == RequirementOrg.organisation_id)
        .where(named)
        .order_by(Organisation.name)
    )
    query: Select | CompoundSelect
    if limit is None:
        query = names.where(RequirementOrg.requirement_id.in_(requirement_ids))
    else:  # the first names of each requirement, in one statement
        query = union_all(
            *(
                select(part.c.requirement_id, part.c.name)
                for part in (
                    names.where(RequirementOrg.requirement_id == rid).limit(limit).subquery()
                    for rid in requirement_ids
                )
            )
        )
    lists: dict[int, list[str]] = {rid: [] for rid in requirement_ids}
    for rid, name in db.session.execute(query):
        lists[rid].append(name)
    counts = dict(
        db.session.execute(
            select(RequirementOrg.requirement_id, func.count())
            .where(RequirementOrg.requirement_id.in_(requirement_ids), named)
            .group_by(RequirementOrg.requirement_id)
        ).all()
    )
    return {rid: Names(lists[rid], counts.get(rid, 0)) for rid in requirement_ids}


# -- Composition over several requirements (rule 3) -----------------------------------------------


def _segment_row(key: str, label: str, found) -> dict[str, Any]:
    voters, showstoppers, voter_cells, voters_hidden, revenue, revenue_cells, revenue_hidden = (
        found if found is not None else (0, 0, 0, 0, 0, 0, 0)
    )
    return {
        "key": key,
        "label": label,
        "voters": int(voters or 0),
        "showstoppers": int(showstoppers or 0),
        "voter_cells": int(voter_cells or 0),
        "voters_hidden": int(voters_hidden or 0),
        "revenue": int(revenue) if revenue_cells else None,
        "revenue_cells": int(revenue_cells or 0),
        "revenue_hidden": int(revenue_hidden or 0),
    }


def segment_totals(
    requirement_ids: Select, kept: tuple[int | None, list[str]] | None = None
) -> dict[str, Any]:
    """Who is asking over a set of requirements: sums of released, shown cells only.

    Every figure is the sum over the requirements of that segment's shown cell (a requirement's
    organisations are counted once per requirement), with how many cells it leaves out. Two
    views that differ by some requirements therefore differ by those requirements' shown cells.
    `kept` = (product id or None, statuses) reads the same sums from the kept totals.
    """
    found = totals.kept(*kept) if kept is not None else totals.scan(requirement_ids)
    breakdowns = []
    for dimension, (label, members, _) in SEGMENTS.items():
        keys = [(m.value, m.label) for m in members]
        if (dimension, UNKNOWN) in found:
            keys.append((UNKNOWN, "Not recorded"))
        breakdowns.append(
            {
                "key": dimension,
                "label": label,
                "rows": [_segment_row(k, name, found.get((dimension, k))) for k, name in keys],
                "all": _segment_row(ALL, "All", found.get((ALL, ALL))),
            }
        )
    return {
        "requirements": db.session.scalar(
            select(func.count()).select_from(requirement_ids.subquery())
        ),
        "breakdowns": breakdowns,
    }

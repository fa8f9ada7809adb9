"""The privacy rules: the only module that reads revenue figures or builds segment breakdowns.

The portal's promise to partners (DESIGN.md, "Privacy rules"):
1. An organisation's revenue figures are seen only by its own members (and admins, audited).
2. An aggregate involving revenue, and any breakdown by segment, is shown only when it covers at
   least PRIVACY_MIN_ORGS organisations; a smaller cell is suppressed and marked, never shown as 0.
   Medians and other order statistics are one organisation's exact value: rounded to 2 figures.
3. When a breakdown's total is shown, suppressed cells must not be recoverable by subtraction:
   more cells are suppressed until the hidden ones cover at least PRIVACY_MIN_ORGS organisations
   together and are at least two (secondary suppression); when no cell is left to hide, the total
   is hidden instead.
4. Names: the vendor sees an organisation's name on a vote only with `named_to_vendor` consent; the
   editor prints a quote with the name only with `on_record`, without it only with `anonymous`.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from flask import abort, current_app
from sqlalchemy import Select, case, func, select

from portal import audit
from portal.extensions import db
from portal.models import (
    ExchangeRate,
    Importance,
    Organisation,
    PartnerType,
    QuoteConsent,
    Region,
    Requirement,
    RevenueProfile,
    Role,
    SizeBand,
    Status,
    User,
    Vote,
    VoteConsent,
)

Number = int | float | Decimal

# The segments partners are broken down by: key -> (label, values, organisation column).
SEGMENTS = {
    "partner_type": ("Partner type", PartnerType, Organisation.partner_type),
    "region": ("Region", Region, Organisation.region),
    "size_band": ("Size", SizeBand, Organisation.size_band),
}


def threshold() -> int:
    """The smallest number of organisations an aggregate may cover (PRIVACY_MIN_ORGS)."""
    return current_app.config["PRIVACY_MIN_ORGS"]


# -- Cells: what an aggregate may show ------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One aggregated cell as SQL computed it: how many organisations it covers, and its value."""

    key: str
    orgs: int
    value: Number | None
    label: str = ""


@dataclass(frozen=True)
class Shown:
    """A cell as it may be displayed: value and org count are None when suppressed.

    `reason` is None when shown, otherwise "small" (fewer than `min_orgs` organisations),
    "secondary" (hidden so that a small cell cannot be found by subtraction) or, for a total
    the caller said it would not show, "withheld".
    """

    key: str
    label: str
    value: Number | None
    orgs: int | None
    suppressed: bool = False
    reason: str | None = None
    min_orgs: int | None = None  # the threshold applied, for the note

    @property
    def note(self) -> str:
        """What to print in place of a suppressed value ("" when the cell is shown)."""
        if not self.suppressed:
            return ""
        if self.reason == "secondary":
            return "hidden to protect a small group"
        if self.reason == "withheld":
            return "not shown"
        return f"fewer than {self.min_orgs or threshold()} organisations"


def _visible(cell: Cell) -> Shown:
    return Shown(cell.key, cell.label or cell.key, cell.value, cell.orgs)


def _hidden(cell: Cell, reason: str, min_orgs: int) -> Shown:
    return Shown(cell.key, cell.label or cell.key, None, None, True, reason, min_orgs)


def protect_value(
    orgs: int, value: Number | None, key: str = "", label: str = "", min_orgs: int | None = None
) -> Shown:
    """One aggregate (e.g. a requirement's revenue at stake): suppressed below the threshold.

    Unlike a cell of a breakdown, an aggregate over no organisation is suppressed too: there is
    no table around it in which an empty cell would mean something.
    """
    min_orgs = threshold() if min_orgs is None else min_orgs
    cell = Cell(key, orgs, value, label)
    return _visible(cell) if orgs >= min_orgs else _hidden(cell, "small", min_orgs)


def round_order_statistic(value: Number | None, figures: int = 2) -> Number | None:
    """A median or other order statistic, rounded to two significant figures (rule 2).

    Halves go to the even neighbour (1250 -> 1200). Whole results come back as int, others as
    float; the rounding itself is decimal, so 0.0455 is rounded as written, not as its binary
    approximation.
    """
    if value is None or value == 0:
        return value
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not exact.is_finite():
        return value
    exponent = exact.adjusted() - figures + 1
    rounded = exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    return int(rounded) if exponent >= 0 else float(rounded)


def protect_median(
    orgs: int,
    value: Number | None,
    min_orgs: int | None = None,
    key: str = "median",
    label: str = "Median",
) -> Shown:
    """A median over organisations: suppressed below the threshold, otherwise rounded."""
    shown = protect_value(orgs, value, key, label, min_orgs)
    if shown.suppressed:
        return shown
    return replace(shown, value=round_order_statistic(value))


def protect_breakdown(
    cells: list[Cell],
    total_shown: bool = True,
    min_orgs: int | None = None,
    total_orgs: int | None = None,
    total_value: Number | None = None,
) -> tuple[list[Shown], Shown]:
    """Primary and secondary suppression over a breakdown by segment; returns (cells, total).

    Cells covering no organisation reveal nothing and are shown as they are (an empty segment),
    but they cannot hide a suppressed cell either, so they never count as its complement.
    `total_orgs` defaults to the sum of the cells' org counts (segments are disjoint); pass it
    when organisations can fall into several cells (e.g. answers to a multiple-choice question).
    Then the hidden group is only trusted to cover as many organisations as its largest cell,
    since the others may be the same organisations again.
    """
    min_orgs = threshold() if min_orgs is None else min_orgs
    if any(c.orgs < 0 for c in cells):
        raise ValueError("a cell cannot cover a negative number of organisations")
    if total_orgs is not None and total_orgs < max((c.orgs for c in cells), default=0):
        raise ValueError("total_orgs is smaller than one of the cells")
    covered = sum(c.orgs for c in cells) if total_orgs is None else total_orgs
    total_cell = Cell(
        "total",
        covered,
        total_value if total_value is not None else _sum_values(cells),
        "Total",
    )
    if covered < min_orgs:
        hidden = [_hidden(c, "small", min_orgs) if c.orgs else _visible(c) for c in cells]
        return hidden, _hidden(total_cell, "small", min_orgs)
    reasons = {i: "small" for i, c in enumerate(cells) if 0 < c.orgs < min_orgs}
    if not total_shown:
        return _apply(cells, reasons, min_orgs), _hidden(total_cell, "withheld", min_orgs)

    def safe() -> bool:
        # Total minus the visible cells is the hidden group's sum: it must not be one cell, nor
        # a group of fewer organisations than the threshold.
        if not reasons:
            return True
        orgs = [cells[i].orgs for i in reasons]
        reach = max(orgs) if total_orgs is not None else sum(orgs)
        return len(orgs) >= 2 and reach >= min_orgs

    candidates = sorted(
        (i for i, c in enumerate(cells) if c.orgs >= min_orgs),
        key=lambda i: (cells[i].orgs, cells[i].key, i),
    )
    while not safe() and candidates:
        reasons[candidates.pop(0)] = "secondary"
    # Only possible with an explicit total_orgs: nothing left to hide, so the total goes.
    total = _visible(total_cell) if safe() else _hidden(total_cell, "secondary", min_orgs)
    return _apply(cells, reasons, min_orgs), total


def _apply(cells: list[Cell], reasons: dict[int, str], min_orgs: int) -> list[Shown]:
    return [
        _hidden(c, reasons[i], min_orgs) if i in reasons else _visible(c)
        for i, c in enumerate(cells)
    ]


def _sum_values(cells: list[Cell]) -> Number | None:
    values = [c.value for c in cells if c.value is not None]
    return sum(values) if values else None


# -- Names (rule 4) -------------------------------------------------------------------------------


def vote_name_for_vendor(org_name: str, consent: VoteConsent | str) -> str | None:
    """The organisation's name on a vote, for the vendor: only with `named_to_vendor` consent."""
    return org_name if VoteConsent(consent) == VoteConsent.NAMED_TO_VENDOR else None


@dataclass(frozen=True)
class Attribution:
    """Whether the editor may print a comment or answer, and with which name."""

    printable: bool
    name: str | None = None


def quote_attribution(org_name: str, consent: QuoteConsent | str) -> Attribution:
    """`on_record`: with the organisation's name; `anonymous`: without; `no`: not at all."""
    consent = QuoteConsent(consent)
    if consent == QuoteConsent.ON_RECORD:
        return Attribution(True, org_name)
    if consent == QuoteConsent.ANONYMOUS:
        return Attribution(True, None)
    return Attribution(False)


# -- Who sees an organisation's own figures (rule 1) ---------------------------------------------


def can_see_org_revenue(viewer: Any, organisation: Any) -> bool:
    """Members of the organisation and admins; nobody else (an anonymous visitor neither)."""
    role = getattr(viewer, "role", None)
    role = getattr(role, "value", role)
    if role == Role.ADMIN.value:
        return True
    member_of = getattr(viewer, "organisation_id", None)
    return role == Role.PARTNER.value and member_of is not None and member_of == organisation.id


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


# -- Revenue at stake aggregated over organisations -----------------------------------------------


def revenue_per_org() -> Select:
    """Per requirement and organisation: the largest amount its members entered, converted."""
    return (
        select(
            Vote.requirement_id.label("requirement_id"),
            Vote.organisation_id.label("organisation_id"),
            func.max(Vote.revenue_at_stake * ExchangeRate.rate).label("amount"),
        )
        .join(ExchangeRate, ExchangeRate.currency == Vote.currency)
        .where(Vote.revenue_at_stake.is_not(None))
        .group_by(Vote.requirement_id, Vote.organisation_id)
    )


def revenue_at_stake_by_requirement(min_orgs: int | None = None):
    """A subquery: per requirement, organisations with an amount and their sum when allowed.

    `shown_total` is NULL (suppressed) when fewer than PRIVACY_MIN_ORGS organisations entered an
    amount, so neither the value nor an ordering by it can reveal a small group.
    """
    min_orgs = threshold() if min_orgs is None else min_orgs
    per_org = revenue_per_org().subquery()
    orgs = func.count(per_org.c.organisation_id)
    return (
        select(
            per_org.c.requirement_id,
            orgs.label("revenue_orgs"),
            case((orgs >= min_orgs, func.sum(per_org.c.amount)), else_=None).label("shown_total"),
        )
        .group_by(per_org.c.requirement_id)
        .subquery()
    )


def revenue_at_stake_for(requirement_ids: list[int]) -> dict[int, Shown]:
    """Revenue at stake (reporting currency) for these requirements, suppressed where small."""
    if not requirement_ids:
        return {}
    per_org = revenue_per_org().where(Vote.requirement_id.in_(requirement_ids)).subquery()
    rows = db.session.execute(
        select(
            per_org.c.requirement_id,
            func.count(per_org.c.organisation_id),
            func.sum(per_org.c.amount),
        ).group_by(per_org.c.requirement_id)
    )
    found = {rid: protect_value(orgs, _money(total), str(rid)) for rid, orgs, total in rows}
    return {rid: found.get(rid, protect_value(0, None, str(rid))) for rid in requirement_ids}


def _money(value: Number | None) -> int | None:
    """Whole units of the reporting currency."""
    return None if value is None else int(round(Decimal(str(value))))


def revenue_medians_for(requirement_ids: list[int]) -> dict[int, Shown]:
    """Median over organisations of revenue at stake, rounded to two figures, or suppressed."""
    if not requirement_ids:
        return {}
    per_org = revenue_per_org().where(Vote.requirement_id.in_(requirement_ids)).subquery()
    ordered = select(
        per_org.c.requirement_id,
        per_org.c.amount,
        func.row_number()
        .over(partition_by=per_org.c.requirement_id, order_by=per_org.c.amount)
        .label("position"),
        func.count().over(partition_by=per_org.c.requirement_id).label("orgs"),
    ).subquery()
    # The middle one (odd count) or the mean of the middle two (even count).
    middle = (ordered.c.position == (ordered.c.orgs + 1) // 2) | (
        ordered.c.position == (ordered.c.orgs + 2) // 2
    )
    rows = db.session.execute(
        select(ordered.c.requirement_id, func.max(ordered.c.orgs), func.avg(ordered.c.amount))
        .where(middle)
        .group_by(ordered.c.requirement_id)
    )
    found = {rid: protect_median(orgs, _money(value)) for rid, orgs, value in rows}
    return {rid: found.get(rid, protect_median(0, None)) for rid in requirement_ids}


def named_organisations_for(requirement_ids: list[int]) -> dict[int, list[str]]:
    """For the vendor: names of organisations that voted with `named_to_vendor` consent."""
    rows = db.session.execute(
        select(Vote.requirement_id, Organisation.name)
        .join(Organisation, Organisation.id == Vote.organisation_id)
        .where(
            Vote.requirement_id.in_(requirement_ids), Vote.consent == VoteConsent.NAMED_TO_VENDOR
        )
        .group_by(Vote.requirement_id, Organisation.name)
        .order_by(Organisation.name)
    )
    names: dict[int, list[str]] = {rid: [] for rid in requirement_ids}
    for rid, name in rows:
        names[rid].append(name)
    return names


def segment_breakdown(requirement_ids, dimension_column, members) -> list[dict]:
    """Voting organisations, showstopper organisations and revenue at stake per segment value.

    `requirement_ids` is a subquery of the report's requirements. Groups of voting organisations
    and groups of organisations with revenue are each protected (small and secondary suppression).
    """
    voters = dict(
        (segment, (orgs, showstoppers))
        for segment, orgs, showstoppers in db.session.execute(
            select(
                dimension_column,
                func.count(func.distinct(Vote.organisation_id)),
                func.count(
                    func.distinct(
                        case((Vote.importance == Importance.SHOWSTOPPER, Vote.organisation_id))
                    )
                ),
            )
            .join(Organisation, Organisation.id == Vote.organisation_id)
            .where(Vote.requirement_id.in_(requirement_ids))
            .group_by(dimension_column)
        )
    )
    per_org = revenue_per_org().where(Vote.requirement_id.in_(requirement_ids)).subquery()
    revenue = dict(
        (segment, (orgs, total))
        for segment, orgs, total in db.session.execute(
            select(
                dimension_column,
                func.count(func.distinct(per_org.c.organisation_id)),
                func.sum(per_org.c.amount),
            )
            .join(Organisation, Organisation.id == per_org.c.organisation_id)
            .group_by(dimension_column)
        )
    )
    groups, group_total = protect_breakdown(
        [
            Cell(m.value, voters.get(m, (0, 0))[0], voters.get(m, (0, 0))[0], m.label)
            for m in members
        ]
    )
    money, money_total = protect_breakdown(
        [
            Cell(
                m.value, revenue.get(m, (0, None))[0], _money(revenue.get(m, (0, None))[1]), m.label
            )
            for m in members
        ]
    )
    rows = []
    for member, group, cash in zip(members, groups, money, strict=True):
        showstoppers = None if group.suppressed else voters.get(member, (0, 0))[1]
        rows.append({"group": group, "showstoppers": showstoppers, "revenue": cash})
    total_showstoppers = None if group_total.suppressed else sum(v[1] for v in voters.values())
    rows.append({"group": group_total, "showstoppers": total_showstoppers, "revenue": money_total})
    return rows

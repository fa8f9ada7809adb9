"""Releasing figures: revenue and segment cells move only after enough organisations changed.

After every vote change (in the same transaction) `refresh([requirement_id])`:
1. rolls the votes up per requirement and organisation (`requirement_org`: the highest
   importance its members voted, the largest amount they entered, as entered);
2. compares each organisation's live contribution with the one last released, separately for
   the two families of figures: voting organisations (who votes, who calls it a showstopper)
   and revenue (the amount, converted at today's rates for both sides, so a rate change alone
   changes nothing);
3. releases a family when at least PRIVACY_MIN_ORGS organisations changed it — and, for
   revenue, when no single organisation's change makes up more than PRIVACY_MAX_SHARE of all
   the changes — computing every cell of the requirement again (whole, and per segment value)
   with the rules of `portal.privacy.rules`, at the exchange rates of that moment.

So the difference between two releases always mixes at least PRIVACY_MIN_ORGS organisations'
changes, and a reader who watches a figure learns no single organisation's contribution.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from sqlalchemy import Integer, and_, delete, func, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    ExchangeRate,
    Importance,
    Organisation,
    ReleasedCell,
    RequirementOrg,
    RequirementRelease,
    Vote,
)
from portal.models.privacy import ALL
from portal.privacy.rules import (
    SEGMENTS,
    UNKNOWN,
    Cell,
    Contributions,
    max_share,
    median,
    protect_breakdown,
    protect_segments,
    revenue_reason,
    round_money,
    threshold,
)

SHOWSTOPPER = int(Importance.SHOWSTOPPER)
CENT = Decimal("0.01")


def roll_up(
    requirement_ids: list[int] | None = None, organisation_ids: list[int] | None = None
) -> None:
    """Recompute the live columns of `requirement_org` from the votes, set-based.

    Per requirement and organisation: the highest importance and the entry with the largest
    amount at today's rates (as entered: amount and currency). `None` means every requirement
    (or every organisation); a vote narrows it to the voter's organisation.
    """

    def within(requirement_column, organisation_column):
        conditions = []
        if requirement_ids is not None:
            conditions.append(requirement_column.in_(requirement_ids))
        if organisation_ids is not None:
            conditions.append(organisation_column.in_(organisation_ids))
        return and_(True, *conditions)

    db.session.execute(
        update(RequirementOrg)
        .where(within(RequirementOrg.requirement_id, RequirementOrg.organisation_id))
        .values(top=0, amount=None, currency=None)
        .execution_options(synchronize_session=False)
    )
    weight = type_coerce(Vote.importance, Integer)
    partition = (Vote.requirement_id, Vote.organisation_id)
    ranked = (
        select(
            Vote.requirement_id,
            Vote.organisation_id,
            func.max(weight).over(partition_by=partition).label("top"),
            Vote.revenue_at_stake.label("amount"),
            Vote.currency,
            func.row_number()
            .over(
                partition_by=partition,
                order_by=[(Vote.revenue_at_stake * ExchangeRate.rate).desc().nulls_last(), Vote.id],
            )
            .label("n"),
        )
        .outerjoin(ExchangeRate, ExchangeRate.currency == Vote.currency)
        .where(within(Vote.requirement_id, Vote.organisation_id))
        .subquery()
    )
    live = select(
        ranked.c.requirement_id, ranked.c.organisation_id, ranked.c.top, ranked.c.amount,
        ranked.c.currency,
    ).where(ranked.c.n == 1)  # fmt: skip
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(RequirementOrg).from_select(
        ["requirement_id", "organisation_id", "top", "amount", "currency"], live
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["requirement_id", "organisation_id"],
            set_={
                "top": insert.excluded.top,
                "amount": insert.excluded.amount,
                "currency": insert.excluded.currency,
            },
        )
    )


def _forget_empty_rows() -> None:
    """Rows with nothing live and nothing released carry no information."""
    db.session.execute(
        delete(RequirementOrg)
        .where(
            RequirementOrg.top == 0,
            RequirementOrg.amount.is_(None),
            RequirementOrg.released_top == 0,
            RequirementOrg.released_amount.is_(None),
        )
        .execution_options(synchronize_session=False)
    )


@dataclass
class _Org:
    """One organisation's row of a requirement, with its amounts at today's rates."""

    organisation_id: int
    top: int
    released_top: int
    value: Decimal | None  # live amount, converted
    released_now: Decimal | None  # released amount, converted at today's rates
    amount: Decimal | None
    currency: str | None
    segments: dict[str, str]

    @property
    def voting_changed(self) -> bool:
        def state(top: int) -> tuple[bool, bool]:
            return top > 0, top == SHOWSTOPPER

        return state(self.top) != state(self.released_top)

    @property
    def revenue_change(self) -> Decimal:
        return (self.value or 0) - (self.released_now or 0)


def _convert(amount: Decimal | None, currency: str | None, rates: dict[str, Decimal]):
    if amount is None or currency not in rates:
        return None
    return (Decimal(amount) * rates[currency]).quantize(CENT)


def _rows(requirement_ids: list[int] | None, rates: dict[str, Decimal]):
    """(requirement id, its organisations' rows), requirement by requirement."""
    columns = [column for _, _, column in SEGMENTS.values()]
    query = (
        select(
            RequirementOrg.requirement_id,
            RequirementOrg.organisation_id,
            RequirementOrg.top,
            RequirementOrg.released_top,
            RequirementOrg.amount,
            RequirementOrg.currency,
            RequirementOrg.released_amount,
            RequirementOrg.released_currency,
            *columns,
        )
        .join(Organisation, Organisation.id == RequirementOrg.organisation_id)
        .order_by(RequirementOrg.requirement_id, RequirementOrg.organisation_id)
    )
    if requirement_ids is not None:
        query = query.where(RequirementOrg.requirement_id.in_(requirement_ids))
    for requirement_id, group in groupby(db.session.execute(query), key=lambda row: row[0]):
        orgs = []
        for row in group:
            values = row[-len(columns) :]
            orgs.append(
                _Org(
                    row.organisation_id,
                    row.top,
                    row.released_top,
                    _convert(row.amount, row.currency, rates),
                    _convert(row.released_amount, row.released_currency, rates),
                    row.amount,
                    row.currency,
                    {
                        dimension: value.value if value is not None else UNKNOWN
                        for dimension, value in zip(SEGMENTS, values, strict=True)
                    },
                )
            )
        yield requirement_id, orgs


def revenue_due(changes: list[Decimal], min_orgs: int, share: Decimal) -> bool:
    """Enough organisations changed their amounts, and no one change dominates the others."""
    sizes = [abs(c) for c in changes if c]
    return len(sizes) >= min_orgs and max(sizes) <= share * sum(sizes)


def _voter_cells(orgs: list[_Org], min_orgs: int) -> dict[tuple[str, str], dict]:
    voting = [o for o in orgs if o.top > 0]
    cells = {
        (ALL, ALL): {
            "voters": len(voting),
            "showstoppers": sum(o.top == SHOWSTOPPER for o in voting),
            "voters_shown": True,  # a requirement's organisation count is public
        }
    }
    for dimension in SEGMENTS:
        counts: dict[str, list[int]] = {}
        for org in voting:
            tally = counts.setdefault(org.segments[dimension], [0, 0])
            tally[0] += 1
            tally[1] += org.top == SHOWSTOPPER
        shown, _ = protect_breakdown(
            [Cell(segment, n, n) for segment, (n, _) in counts.items()], min_orgs=min_orgs
        )
        for cell in shown:
            voters, showstoppers = counts[cell.key]
            cells[(dimension, cell.key)] = {
                "voters": voters,
                "showstoppers": showstoppers,
                "voters_shown": not cell.suppressed,
            }
    return cells


def _revenue_fields(cell: Contributions, reason: str | None) -> dict:
    return {
        "revenue_orgs": cell.orgs,
        "revenue_total": cell.total,
        "revenue_largest": cell.largest,
        "revenue_second": cell.second,
        # An empty cell (no positive amount) has nothing to show: not even a zero.
        "revenue_shown": round_money(cell.total) if reason is None and cell.orgs else None,
        "revenue_reason": reason or "",
    }


def _revenue_cells(orgs: list[_Org], min_orgs: int, share: Decimal) -> dict[tuple[str, str], dict]:
    whole = Contributions.of(o.value for o in orgs)
    whole_reason = revenue_reason(whole, min_orgs, share)
    cells = {
        (ALL, ALL): _revenue_fields(whole, whole_reason)
        | {
            "revenue_median": round_money(median([o.value for o in orgs if o.value]))
            if whole_reason is None
            else None
        }
    }
    for dimension in SEGMENTS:
        grouped: dict[str, list[Decimal | None]] = {}
        for org in orgs:
            grouped.setdefault(org.segments[dimension], []).append(org.value)
        segments = {segment: Contributions.of(values) for segment, values in grouped.items()}
        reasons = protect_segments(whole, whole_reason is None, segments, min_orgs, share)
        for segment, cell in segments.items():
            cells[(dimension, segment)] = _revenue_fields(cell, reasons[segment])
    return cells


VOTER_COLUMNS = ("voters", "showstoppers", "voters_shown")
REVENUE_COLUMNS = (
    "revenue_orgs",
    "revenue_total",
    "revenue_largest",
    "revenue_second",
    "revenue_shown",
    "revenue_median",
    "revenue_reason",
)
EMPTY_VOTERS = {"voters": 0, "showstoppers": 0, "voters_shown": False}
EMPTY_REVENUE = {c: None for c in REVENUE_COLUMNS} | {"revenue_orgs": 0, "revenue_reason": "small"}


def _write_cells(requirement_id: int, voters: dict | None, revenue: dict | None) -> None:
    """Replace a requirement's cells, keeping the family that was not released as it was."""
    kept = {
        (c.dimension, c.segment): c
        for c in db.session.scalars(
            select(ReleasedCell).where(ReleasedCell.requirement_id == requirement_id)
        )
    }

    def old(key, columns, empty):
        cell = kept.get(key)
        return {c: getattr(cell, c) for c in columns} if cell is not None else dict(empty)

    keys = set(voters or {}) | set(revenue or {})
    keys |= {k for k, c in kept.items() if (voters is None and c.voters) or
             (revenue is None and c.revenue_orgs)}  # fmt: skip
    rows = []
    for key in keys:
        voter_part = (voters or {}).get(key, EMPTY_VOTERS) if voters is not None else None
        revenue_part = (revenue or {}).get(key, EMPTY_REVENUE) if revenue is not None else None
        row = {"requirement_id": requirement_id, "dimension": key[0], "segment": key[1]}
        row |= voter_part if voter_part is not None else old(key, VOTER_COLUMNS, EMPTY_VOTERS)
        row |= (
            revenue_part if revenue_part is not None else old(key, REVENUE_COLUMNS, EMPTY_REVENUE)
        )
        row.setdefault("revenue_median", None)
        rows.append(row)
    db.session.execute(
        delete(ReleasedCell)
        .where(ReleasedCell.requirement_id == requirement_id)
        .execution_options(synchronize_session=False)
    )
    for cell in kept.values():
        db.session.expunge(cell)
    if rows:
        db.session.execute(ReleasedCell.__table__.insert(), rows)


def refresh(
    requirement_ids: Iterable[int] | None = None, organisation_ids: Iterable[int] | None = None
) -> int:
    """Roll up the votes of these requirements (None: all) and release what is due.

    Runs inside the caller's transaction (after a vote, a withdrawal or a merge) and returns
    how many families of figures were released. `organisation_ids` names the organisations
    whose votes changed, when the caller knows (a vote: the voter's).
    """
    ids = None if requirement_ids is None else sorted(set(requirement_ids))
    db.session.flush()
    roll_up(ids, None if organisation_ids is None else sorted(set(organisation_ids)))
    min_orgs, share, now = threshold(), max_share(), utcnow()
    rates = {c: Decimal(r) for c, r in db.session.execute(select(ExchangeRate.currency,
                                                                  ExchangeRate.rate))}  # fmt: skip
    scope = select(RequirementRelease)
    if ids is not None:
        scope = scope.where(RequirementRelease.requirement_id.in_(ids))
    states = {s.requirement_id: s for s in db.session.scalars(scope)}
    for state in states.values():
        state.voters_pending = state.revenue_pending = 0
    released = 0
    for requirement_id, orgs in list(_rows(ids, rates)):
        state = states.get(requirement_id)
        if state is None:
            state = RequirementRelease(requirement_id=requirement_id)
            db.session.add(state)
        voter_changes = sum(o.voting_changed for o in orgs)
        revenue_changes = [o.revenue_change for o in orgs]
        voters = revenue = None
        if voter_changes >= min_orgs:
            voters = _voter_cells(orgs, min_orgs)
            state.voters_released_at, voter_changes = now, 0
            _mark_released(requirement_id, orgs, "voters")
        if revenue_due(revenue_changes, min_orgs, share):
            revenue = _revenue_cells(orgs, min_orgs, share)
            state.revenue_released_at, revenue_changes = now, []
            _mark_released(requirement_id, orgs, "revenue")
        state.voters_pending = voter_changes
        state.revenue_pending = sum(1 for c in revenue_changes if c)
        if voters is not None or revenue is not None:
            _write_cells(requirement_id, voters, revenue)
            released += (voters is not None) + (revenue is not None)
    db.session.flush()
    _forget_empty_rows()
    return released


def _mark_released(requirement_id: int, orgs: list[_Org], family: str) -> None:
    """Remember what this release counted for every organisation of the requirement."""
    if family == "voters":
        values = [{"released_top": o.top} for o in orgs]
    else:
        values = [
            {
                "released_amount": o.amount,
                "released_currency": o.currency,
                "released_value": o.value,
            }
            for o in orgs
        ]
    db.session.execute(
        update(RequirementOrg),
        [
            {"requirement_id": requirement_id, "organisation_id": o.organisation_id} | v
            for o, v in zip(orgs, values, strict=True)
        ],
    )

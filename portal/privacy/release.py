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

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    ExchangeRate,
    Importance,
    Organisation,
    ReleasedCell,
    Requirement,
    RequirementOrg,
    RequirementRelease,
    Vote,
    VoteConsent,
)
from portal.models.privacy import ALL
from portal.privacy import totals
from portal.privacy.rules import (
    SEGMENTS,
    UNKNOWN,
    ZERO,
    CellKey,
    Contributions,
    atoms,
    best_cells,
    max_share,
    median,
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
        .values(top=0, named=False, amount=None, currency=None)
        .execution_options(synchronize_session=False)
    )
    weight = type_coerce(Vote.importance, Integer)
    partition = (Vote.requirement_id, Vote.organisation_id)
    ranked = (
        select(
            Vote.requirement_id,
            Vote.organisation_id,
            func.max(weight).over(partition_by=partition).label("top"),
            (
                func.max(case((Vote.consent == VoteConsent.NAMED_TO_VENDOR, 1), else_=0)).over(
                    partition_by=partition
                )
                == 1
            ).label("named"),  # fmt: skip
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
        ranked.c.requirement_id, ranked.c.organisation_id, ranked.c.top, ranked.c.named,
        ranked.c.amount, ranked.c.currency,
    ).where(ranked.c.n == 1)  # fmt: skip
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(RequirementOrg).from_select(
        ["requirement_id", "organisation_id", "top", "named", "amount", "currency"], live
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["requirement_id", "organisation_id"],
            set_={
                "top": insert.excluded.top,
                "named": insert.excluded.named,
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
            RequirementOrg.segment_amount.is_(None),
        )
        .execution_options(synchronize_session=False)
    )


@dataclass
class _Org:
    """One organisation's row of a requirement, with its amounts at today's rates."""

    organisation_id: int
    top: int
    released_top: int
    amount: Decimal | None  # live, as entered
    currency: str | None
    value: Decimal | None  # live, converted
    released_now: Decimal | None  # as the whole's last release counted it, converted today
    segment_now: Decimal | None  # as the segments' last release counted it, converted today
    segments: dict[str, str]

    @property
    def voting_changed(self) -> bool:
        def state(top: int) -> tuple[bool, bool]:
            return top > 0, top == SHOWSTOPPER

        return state(self.top) != state(self.released_top)

    @property
    def revenue_change(self) -> Decimal:
        return (self.value or ZERO) - (self.released_now or ZERO)

    @property
    def segment_change(self) -> Decimal:
        return (self.value or ZERO) - (self.segment_now or ZERO)


def _convert(amount: Decimal | None, currency: str | None, rates: dict[str, Decimal]):
    if amount is None or currency not in rates:
        return None
    return (Decimal(amount) * rates[currency]).quantize(CENT)


def _rows(requirement_ids: list[int] | None, rates: dict[str, Decimal]):
    """(requirement id, its organisations' rows), requirement by requirement."""
    columns = [column for _, _, column in SEGMENTS.values()]
    table = RequirementOrg.__table__
    # Plain rows, not ORM objects: nothing stale in the session, nothing to build per row.
    query = (
        select(table, *columns)
        .join(Organisation, Organisation.id == table.c.organisation_id)
        .order_by(table.c.requirement_id, table.c.organisation_id)
    )
    if requirement_ids is not None:
        query = query.where(table.c.requirement_id.in_(requirement_ids))
    found = [(row, *row[len(table.columns) :]) for row in db.session.execute(query)]
    for requirement_id, group in groupby(found, key=lambda row: row[0].requirement_id):
        orgs = []
        for row, *values in group:
            orgs.append(
                _Org(
                    row.organisation_id,
                    row.top,
                    row.released_top,
                    row.amount,
                    row.currency,
                    _convert(row.amount, row.currency, rates),
                    _convert(row.released_amount, row.released_currency, rates),
                    _convert(row.segment_amount, row.segment_currency, rates),
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


def _segment_lists(orgs: list[_Org]) -> list[dict[str, str]]:
    return [o.segments for o in orgs]


def _before(orgs: list[_Org], released: bool, shown: set[CellKey]) -> list[list[int]]:
    """The atoms of the last release (everyone in one group when nothing was released yet)."""
    if not released:
        return [list(range(len(orgs)))]
    return atoms(_segment_lists(orgs), shown)


def _cell_members(orgs: list[_Org], value) -> dict[CellKey, list]:
    members: dict[CellKey, list] = {}
    for org in orgs:
        for key in org.segments.items():
            members.setdefault(key, []).append(value(org))
    return members


# -- The three parts of a requirement's figures, each released on its own -------------------------


def _voter_cells(orgs: list[_Org], before: list[list[int]], min_orgs: int) -> dict | None:
    """Voting organisations per segment value; None while the changes must wait.

    The whole count is live and public (the board shows it), so only segment cells are released.
    """
    voting = [o.top > 0 for o in orgs]
    changed = [o.voting_changed for o in orgs]
    tops = _cell_members(orgs, lambda o: o.top)
    candidates = {k for k, v in tops.items() if sum(t > 0 for t in v) >= min_orgs}
    shown = best_cells(
        _segment_lists(orgs),
        candidates,
        True,
        # Everyone in one group is the public count, however small.
        lambda group: len(group) == len(orgs) or not 0 < sum(voting[i] for i in group) < min_orgs,
        before,
        lambda group: not 0 < sum(changed[i] for i in group) < min_orgs,
    )
    if shown is None:
        return None
    cells = {
        (ALL, ALL): {
            "voters": sum(voting),
            "showstoppers": sum(o.top == SHOWSTOPPER for o in orgs),
            "voters_shown": True,
        }
    }
    for key, values in tops.items():
        if any(values):
            cells[key] = {
                "voters": sum(t > 0 for t in values),
                "showstoppers": values.count(SHOWSTOPPER),
                "voters_shown": key in shown,
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


def _whole_cell(orgs: list[_Org], min_orgs: int, share: Decimal) -> dict:
    """The requirement's own revenue cell: sum and median over its organisations."""
    values = [o.value for o in orgs]
    whole = Contributions.of(values)
    reason = revenue_reason(whole, min_orgs, share)
    middle = median([v for v in values if v]) if reason is None else None
    return {(ALL, ALL): _revenue_fields(whole, reason) | {"revenue_median": round_money(middle)}}


def _segment_cells(
    orgs: list[_Org], before: list[list[int]], min_orgs: int, share: Decimal
) -> dict | None:
    """Revenue per segment value; None while the changes since the last one must wait."""
    values = [o.value for o in orgs]
    changes = [o.segment_change for o in orgs]
    whole_shown = revenue_reason(Contributions.of(values), min_orgs, share) is None
    segments = {k: Contributions.of(v) for k, v in _cell_members(orgs, lambda o: o.value).items()}
    primary = {key: revenue_reason(c, min_orgs, share) for key, c in segments.items()}

    def safe_atom(group: list[int]) -> bool:
        cell = Contributions.of(values[i] for i in group)
        return cell.orgs == 0 or revenue_reason(cell, min_orgs, share) is None

    def safe_change(group: list[int]) -> bool:
        moved = [changes[i] for i in group if changes[i]]
        return not moved or revenue_due(moved, min_orgs, share)

    shown = best_cells(
        _segment_lists(orgs),
        {key for key, reason in primary.items() if reason is None and segments[key].orgs},
        whole_shown,
        safe_atom,
        before,
        safe_change,
    )
    if shown is None:
        return None
    return {
        key: _revenue_fields(
            cell, None if key in shown or not cell.orgs else (primary[key] or "secondary")
        )
        for key, cell in segments.items()
    }


VOTER_COLUMNS = {"voters": 0, "showstoppers": 0, "voters_shown": False}
REVENUE_COLUMNS = {
    "revenue_orgs": 0,
    "revenue_total": None,
    "revenue_largest": None,
    "revenue_second": None,
    "revenue_shown": None,
    "revenue_median": None,
    "revenue_reason": "small",
}
EMPTY = VOTER_COLUMNS | REVENUE_COLUMNS


def _write_cells(requirement_id: int, parts: list[tuple[dict, dict]]) -> None:
    """Apply released parts to a requirement's cells: (cells, columns every other cell resets).

    The kept segment totals move by the difference in the same transaction.
    """
    before = {
        (c.dimension, c.segment): {k: getattr(c, k) for k in EMPTY}
        for c in db.session.scalars(
            select(ReleasedCell)
            .where(ReleasedCell.requirement_id == requirement_id)
            .execution_options(populate_existing=True)
        )
    }
    kept = _merged_cells(requirement_id, {key: dict(row) for key, row in before.items()}, parts)
    db.session.execute(
        delete(ReleasedCell)
        .where(ReleasedCell.requirement_id == requirement_id)
        .execution_options(synchronize_session=False)
    )
    if kept:
        db.session.execute(ReleasedCell.__table__.insert(), kept)
    after = {(c["dimension"], c["segment"]): c for c in kept}
    totals.cells_changed(requirement_id, before, after)
    whole = after.get((ALL, ALL), {}).get("revenue_shown")
    if whole != before.get((ALL, ALL), {}).get("revenue_shown"):
        db.session.execute(
            update(Requirement)
            .where(Requirement.id == requirement_id)
            .values(revenue_shown=whole, updated_at=Requirement.updated_at)  # not an edit
            .execution_options(synchronize_session=False)
        )


def _merged_cells(requirement_id: int, rows: dict, parts: list[tuple[dict, dict]]) -> list[dict]:
    """A requirement's cells after the released parts, from its cells before (`rows`, changed)."""
    for cells, reset in parts:
        for key, row in rows.items():
            if key not in cells and key != (ALL, ALL):
                row.update(reset)
        for key, columns in cells.items():
            rows.setdefault(key, dict(EMPTY)).update(columns)
    return [
        {"requirement_id": requirement_id, "dimension": key[0], "segment": key[1]} | row
        for key, row in rows.items()
        if key == (ALL, ALL) or row["voters"] or row["revenue_orgs"]
    ]


def _shown_before(requirement_id: int) -> dict[str, set[CellKey]]:
    """The segment cells the last releases showed, per part."""
    shown: dict[str, set[CellKey]] = {"voters": set(), "revenue": set()}
    for dimension, segment, voters_shown, revenue_shown in db.session.execute(
        select(
            ReleasedCell.dimension,
            ReleasedCell.segment,
            ReleasedCell.voters_shown,
            ReleasedCell.revenue_shown,
        ).where(ReleasedCell.requirement_id == requirement_id, ReleasedCell.dimension != ALL)
    ):
        if voters_shown:
            shown["voters"].add((dimension, segment))
        if revenue_shown is not None:
            shown["revenue"].add((dimension, segment))
    return shown


def _mark(requirement_id: int, orgs: list[_Org], columns) -> None:
    """Remember, per organisation, what a release counted (`columns(org)` → column values)."""
    db.session.execute(
        update(RequirementOrg),
        [
            {"requirement_id": requirement_id, "organisation_id": o.organisation_id} | columns(o)
            for o in orgs
        ],
    )


class _Writes:
    """A release's reads and writes, one requirement's statements at a time (a vote's refresh)."""

    shown_before = staticmethod(_shown_before)
    mark = staticmethod(_mark)
    write_cells = staticmethod(_write_cells)

    def done(self, requirement_id: int) -> None:
        db.session.flush()

    def finish(self) -> None:
        db.session.flush()


class _BatchWrites(_Writes):
    """The same for every requirement (`refresh(None)`): cells read once, written in batches."""

    BATCH = 50_000  # organisation rows a batch marks

    def __init__(self) -> None:
        self.cells: dict[int, dict[CellKey, dict]] = {}
        for row in db.session.execute(select(ReleasedCell.__table__)):
            key = (row.dimension, row.segment)
            self.cells.setdefault(row.requirement_id, {})[key] = {k: row._mapping[k] for k in EMPTY}
        self.marks: dict[tuple[int, int], dict] = {}
        self.written: list[int] = []
        self.kept: list[dict] = []
        self.queued = 0

    def shown_before(self, requirement_id: int) -> dict[str, set[CellKey]]:
        cells = self.cells.get(requirement_id, {})
        return {
            "voters": {k for k, c in cells.items() if k[0] != ALL and c["voters_shown"]},
            "revenue": {
                k for k, c in cells.items() if k[0] != ALL and c["revenue_shown"] is not None
            },
        }

    def mark(self, requirement_id: int, orgs: list[_Org], columns) -> None:
        self.queued += len(orgs)
        for o in orgs:  # one UPDATE per row, whichever parts it was released in
            self.marks.setdefault((requirement_id, o.organisation_id), {}).update(columns(o))

    def write_cells(self, requirement_id: int, parts: list[tuple[dict, dict]]) -> None:
        rows = self.cells.pop(requirement_id, {})
        self.written.append(requirement_id)
        self.kept.extend(_merged_cells(requirement_id, rows, parts))

    def done(self, requirement_id: int) -> None:
        if self.queued >= self.BATCH:
            self.finish()

    def finish(self) -> None:
        db.session.flush()
        table = RequirementOrg.__table__
        by_key = update(table).where(
            table.c.requirement_id == bindparam("_requirement"),
            table.c.organisation_id == bindparam("_organisation"),
        )
        statements: dict[tuple[str, ...], list[dict]] = {}
        for (requirement_id, organisation_id), values in self.marks.items():
            statements.setdefault(tuple(values), []).append(
                {"_requirement": requirement_id, "_organisation": organisation_id} | values
            )
        for rows in statements.values():
            db.session.execute(by_key, rows)  # SET: the rows' other keys
        if self.written:
            db.session.execute(
                delete(ReleasedCell)
                .where(ReleasedCell.requirement_id.in_(self.written))
                .execution_options(synchronize_session=False)
            )
        if self.kept:
            db.session.execute(ReleasedCell.__table__.insert(), self.kept)
        self.marks, self.written, self.kept, self.queued = {}, [], [], 0
        # Nothing above went through the session's objects: any it holds are out of date.
        for instance in list(db.session.identity_map.values()):
            if isinstance(instance, RequirementOrg | ReleasedCell):
                db.session.expire(instance)


def _release(
    requirement_id: int, orgs: list[_Org], state: RequirementRelease, now, writes: _Writes
) -> int:
    """Release whichever parts of one requirement's figures are due; returns how many."""
    min_orgs, share = threshold(), max_share()
    voters_due = sum(o.voting_changed for o in orgs) >= min_orgs
    whole_due = revenue_due([o.revenue_change for o in orgs], min_orgs, share)
    segments_due = revenue_due([o.segment_change for o in orgs], min_orgs, share)
    parts: list[tuple[dict, dict]] = []
    if voters_due or segments_due:
        shown = writes.shown_before(requirement_id)
    if voters_due:
        before = _before(orgs, state.voters_released_at is not None, shown["voters"])
        cells = _voter_cells(orgs, before, min_orgs)
        if cells is not None:
            parts.append((cells, VOTER_COLUMNS))
            state.voters_released_at = now
            writes.mark(requirement_id, orgs, lambda o: {"released_top": o.top})
    if whole_due:
        parts.append((_whole_cell(orgs, min_orgs, share), {}))
        state.revenue_released_at = now
        writes.mark(requirement_id, orgs, lambda o: {
            "released_amount": o.amount, "released_currency": o.currency, "released_value": o.value
        })  # fmt: skip
    if segments_due:
        before = _before(orgs, state.segments_released_at is not None, shown["revenue"])
        cells = _segment_cells(orgs, before, min_orgs, share)
        if cells is not None:
            parts.append((cells, REVENUE_COLUMNS))
            state.segments_released_at = now
            writes.mark(requirement_id, orgs, lambda o: {
                "segment_amount": o.amount, "segment_currency": o.currency
            })  # fmt: skip
    if parts:
        writes.write_cells(requirement_id, parts)
    return len(parts)


def refresh(
    requirement_ids: Iterable[int] | None = None, organisation_ids: Iterable[int] | None = None
) -> int:
    """Roll up the votes of these requirements (None: all) and release what is due.

    Runs inside the caller's transaction (after a vote, a withdrawal or a merge) and returns
    how many parts of figures were released. `organisation_ids` names the organisations whose
    votes changed, when the caller knows (a vote: the voter's).
    """
    ids = None if requirement_ids is None else sorted(set(requirement_ids))
    db.session.flush()
    roll_up(ids, None if organisation_ids is None else sorted(set(organisation_ids)))
    now = utcnow()
    rates = {c: Decimal(r) for c, r in db.session.execute(select(ExchangeRate.currency,
                                                                  ExchangeRate.rate))}  # fmt: skip
    scope = select(RequirementRelease)
    if ids is not None:
        scope = scope.where(RequirementRelease.requirement_id.in_(ids))
    states = {s.requirement_id: s for s in db.session.scalars(scope)}
    for known in states.values():
        known.voters_pending = known.revenue_pending = 0
    released = 0
    writes = _BatchWrites() if ids is None else _Writes()
    for requirement_id, orgs in list(_rows(ids, rates)):
        state = states.get(requirement_id)
        if state is None:
            state = states[requirement_id] = RequirementRelease(requirement_id=requirement_id)
            db.session.add(state)
        released += _release(requirement_id, orgs, state, now, writes)
        writes.done(requirement_id)
        # What waits for the next release (nothing, for a part released just now).
        voters_waiting = sum(o.voting_changed for o in orgs)
        revenue_waiting = sum(1 for o in orgs if o.revenue_change)
        state.voters_pending = 0 if state.voters_released_at == now else voters_waiting
        state.revenue_pending = 0 if state.revenue_released_at == now else revenue_waiting
    writes.finish()
    _forget_empty_rows()
    if ids is None:  # a full pass also rebuilds what is kept from the cells
        _keep_revenue_order()
        totals.rebuild()
    return released


def _keep_revenue_order() -> None:
    """Copy every requirement's shown whole revenue to `requirement.revenue_shown`, set-based."""
    whole = (
        select(ReleasedCell.revenue_shown)
        .where(
            ReleasedCell.requirement_id == Requirement.id,
            ReleasedCell.dimension == ALL,
            ReleasedCell.segment == ALL,
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(Requirement)
        .values(revenue_shown=whole, updated_at=Requirement.updated_at)
        .execution_options(synchronize_session=False)
    )

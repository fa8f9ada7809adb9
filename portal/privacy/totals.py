"""Composition of released cells over many requirements (rule 3), and its kept totals.

A segment row of the vendor report adds up, over the filtered requirements, each requirement's
shown cell for that segment, and counts the cells it leaves out. For the views most people open
(everything, one product, one status) those sums are kept in `segment_total`, per product and
status, and moved by deltas whenever cells are released or a requirement changes status or
product; any other filter adds up `released_cell` rows directly. Both give the same numbers.
"""

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import ReleasedCell, Requirement, SegmentTotal

COLUMNS = (
    "voters",
    "showstoppers",
    "voter_cells",
    "voters_hidden",
    "revenue",
    "revenue_cells",
    "revenue_hidden",
)
Key = tuple[str, str]
Sums = tuple


def _parts(cell=ReleasedCell):
    """The columns of a composed row as SQL over released cells (before summing)."""
    shown = cell.voters_shown
    return (
        case((shown, cell.voters), else_=0),
        case((shown, cell.showstoppers), else_=0),
        case((shown, 1), else_=0),
        case((and_(~shown, cell.voters > 0), 1), else_=0),
        func.coalesce(cell.revenue_shown, 0),
        case((cell.revenue_shown.is_not(None), 1), else_=0),
        case((and_(cell.revenue_shown.is_(None), cell.revenue_orgs > 0), 1), else_=0),
    )


def contribution(row: dict) -> Sums:
    """What one released cell (as a dict of its columns) adds to a composed row."""
    shown = bool(row["voters_shown"])
    revenue = row["revenue_shown"]
    return (
        row["voters"] if shown else 0,
        row["showstoppers"] if shown else 0,
        int(shown),
        int(not shown and row["voters"] > 0),
        Decimal(revenue or 0),
        int(revenue is not None),
        int(revenue is None and row["revenue_orgs"] > 0),
    )


def scan(requirement_ids: Select) -> dict[Key, Sums]:
    """Composed rows over any set of requirements, from their released cells."""
    rows = db.session.execute(
        select(
            ReleasedCell.dimension,
            ReleasedCell.segment,
            *(func.sum(part) for part in _parts()),
        )
        .where(ReleasedCell.requirement_id.in_(requirement_ids))
        .group_by(ReleasedCell.dimension, ReleasedCell.segment)
    )
    return {(d, s): tuple(rest) for d, s, *rest in rows}


def kept(product_id: int | None, statuses: Iterable[str]) -> dict[Key, Sums]:
    """Composed rows for one product (or all) and these statuses, from the kept totals."""
    query = (
        select(
            SegmentTotal.dimension,
            SegmentTotal.segment,
            *(func.sum(getattr(SegmentTotal, c)) for c in COLUMNS),
        )
        .where(SegmentTotal.status.in_(list(statuses)))
        .group_by(SegmentTotal.dimension, SegmentTotal.segment)
    )
    if product_id is not None:
        query = query.where(SegmentTotal.product_id == product_id)
    return {(d, s): tuple(rest) for d, s, *rest in db.session.execute(query)}


def _add(product_id: int, status: str, deltas: dict[Key, Sums]) -> None:
    """Add these deltas to the kept totals of one product and status (upsert)."""
    rows = [
        {"product_id": product_id, "status": status, "dimension": d, "segment": s}
        | dict(zip(COLUMNS, delta, strict=True))
        for (d, s), delta in deltas.items()
        if any(delta)
    ]
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(SegmentTotal)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["product_id", "status", "dimension", "segment"],
            set_={c: getattr(SegmentTotal, c) + getattr(insert.excluded, c) for c in COLUMNS},
        ),
        rows,
    )


def _place(requirement_id: int) -> tuple[int, str]:
    product_id, status = db.session.execute(
        select(Requirement.product_id, Requirement.status).where(Requirement.id == requirement_id)
    ).one()
    return product_id, status.value


def cells_changed(requirement_id: int, old: dict[Key, dict], new: dict[Key, dict]) -> None:
    """A requirement's cells were replaced: move the kept totals by the difference."""
    zero = (0,) * len(COLUMNS)
    deltas = {}
    for key in old.keys() | new.keys():
        before = contribution(old[key]) if key in old else zero
        after = contribution(new[key]) if key in new else zero
        deltas[key] = tuple(a - b for a, b in zip(after, before, strict=True))
    _add(*_place(requirement_id), deltas)


def requirement_moved(requirement_id: int, old: tuple[int, str], new: tuple[int, str]) -> None:
    """A requirement changed product or status: its cells move to the other kept totals."""
    if old == new:
        return
    cells = {
        (c.dimension, c.segment): contribution({k: getattr(c, k) for k in _CELL_COLUMNS})
        for c in db.session.scalars(
            select(ReleasedCell).where(ReleasedCell.requirement_id == requirement_id)
        )
    }
    _add(*old, {k: tuple(-v for v in sums) for k, sums in cells.items()})
    _add(*new, cells)


_CELL_COLUMNS = ("voters", "showstoppers", "voters_shown", "revenue_shown", "revenue_orgs")


def rebuild() -> None:
    """Recompute every kept total from the released cells (after bulk loads; set-based)."""
    db.session.execute(SegmentTotal.__table__.delete())
    grouped = (
        select(
            Requirement.product_id,
            Requirement.status,
            ReleasedCell.dimension,
            ReleasedCell.segment,
            *(func.sum(part) for part in _parts()),
        )
        .join(Requirement, Requirement.id == ReleasedCell.requirement_id)
        .group_by(
            Requirement.product_id, Requirement.status, ReleasedCell.dimension, ReleasedCell.segment
        )
    )
    db.session.execute(
        SegmentTotal.__table__.insert().from_select(
            ["product_id", "status", "dimension", "segment", *COLUMNS], grouped
        )
    )

"""The privacy rules as pure functions over cells: thresholds, dominance, rounding, suppression.

Nothing here touches the database; `portal.privacy.release` decides with these rules what to
release and `portal.privacy.reads` applies them for each viewer. The rules themselves are
described, with a worked example, in the package docstring (`portal/privacy/__init__.py`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from flask import current_app
from sqlalchemy.orm import InstrumentedAttribute

from portal.models import (
    Organisation,
    PartnerType,
    QuoteConsent,
    Region,
    SizeBand,
)

Number = int | float | Decimal

SegmentValue = PartnerType | Region | SizeBand
SegmentEnum = type[PartnerType] | type[Region] | type[SizeBand]

# The segments partners are broken down by: key -> (label, values, organisation column).
SEGMENTS: dict[str, tuple[str, SegmentEnum, InstrumentedAttribute[SegmentValue | None]]] = {
    "partner_type": ("Partner type", PartnerType, Organisation.partner_type),
    "region": ("Region", Region, Organisation.region),
    "size_band": ("Size", SizeBand, Organisation.size_band),
}
UNKNOWN = "unknown"  # the segment of an organisation whose value is not recorded


def threshold() -> int:
    """The smallest number of organisations an aggregate may cover (PRIVACY_MIN_ORGS)."""
    return current_app.config["PRIVACY_MIN_ORGS"]


def max_share() -> Decimal:
    """The largest share of a shown revenue figure one organisation may make up."""
    return Decimal(str(current_app.config["PRIVACY_MAX_SHARE"]))


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
    released_at: datetime | None = None  # released figures: when
    waiting: int | None = None  # organisations still to change before the next release

    @property
    def note(self) -> str:
        """What to print in place of a suppressed value ("" when the cell is shown)."""
        if not self.suppressed:
            return ""
        if self.reason == "secondary":
            return "hidden to protect a small group"
        if self.reason == "withheld":
            return "not shown"
        if self.reason == "dominant":
            return "one organisation makes up most of it"
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


# -- Revenue cells: threshold, dominance and what a contributing viewer knows ---------------------


ZERO = Decimal(0)


@dataclass(frozen=True)
class Contributions:
    """A revenue cell: the positive amounts of distinct organisations, summarised.

    Only what the rules need is kept: how many organisations, their total, and the two largest
    amounts (a contributing viewer knows its own, so the largest of the *others* matters too).
    """

    orgs: int = 0
    total: Decimal = ZERO
    largest: Decimal = ZERO
    second: Decimal = ZERO

    @classmethod
    def of(cls, amounts: Iterable[Decimal | None]) -> "Contributions":
        """Summarise organisations' amounts; zero and missing amounts contribute nothing."""
        positive = sorted((a for a in amounts if a is not None and a > 0), reverse=True)
        return cls(
            len(positive),
            sum(positive, ZERO),
            positive[0] if positive else ZERO,
            positive[1] if len(positive) > 1 else ZERO,
        )

    def __add__(self, other: "Contributions") -> "Contributions":
        """Two cells of different organisations taken together (segments are disjoint)."""
        top = sorted([self.largest, self.second, other.largest, other.second], reverse=True)
        return Contributions(self.orgs + other.orgs, self.total + other.total, top[0], top[1])

    def without(self, own: Decimal | None) -> "Contributions":
        """The cell as one of its contributors sees it: the others' amounts only."""
        if own is None or own <= 0:
            return self
        largest = self.second if own >= self.largest else self.largest
        return Contributions(self.orgs - 1, self.total - own, largest, ZERO)


def revenue_reason(
    cell: Contributions, min_orgs: int | None = None, share: Decimal | None = None
) -> str | None:
    """Why a revenue cell may not be shown ("small", "dominant"), or None when it may.

    (a) at least PRIVACY_MIN_ORGS organisations with a positive amount; (b) none of them more
    than PRIVACY_MAX_SHARE of the total, so the figure does not approximate one organisation's.
    """
    min_orgs = threshold() if min_orgs is None else min_orgs
    share = max_share() if share is None else share
    if cell.orgs < min_orgs:
        return "small"
    if cell.largest > share * cell.total:
        return "dominant"
    return None


def reason_for_viewer(
    cell: Contributions,
    own: Decimal | None,
    min_orgs: int | None = None,
    share: Decimal | None = None,
) -> str | None:
    """The rule for a viewer whose organisation contributed `own`: the others must pass it too.

    A partner knows its own amount, so what a shown figure tells it is the others' sum: that
    needs PRIVACY_MIN_ORGS organisations besides its own, none dominating the others' total.
    """
    return revenue_reason(cell, min_orgs, share) or revenue_reason(
        cell.without(own), min_orgs, share
    )


CellKey = tuple[str, str]  # (dimension, segment value)
GroupCheck = Callable[[list[int]], bool]  # whether a group of organisations (indexes) is safe


def atoms(segments: list[dict[str, str]], shown: set[CellKey]) -> list[list[int]]:
    """Organisations that no combination of the shown cells can tell apart, grouped.

    Each organisation sits in one segment value per dimension; the shown cells of all
    dimensions (and the whole, their sum) can be added and subtracted, but every combination
    gives the same weight to organisations whose shown cells are the same. So what a reader can
    compute is at most one sum per such group (an *atom*): if every atom passes the rules as a
    cell, no combination of shown figures singles out a smaller group.
    """
    # The hot loop of every release: organisations with the same segment values share a
    # signature, so it is worked out once per combination of values, not per organisation.
    alike: dict[tuple[CellKey, ...], list[int]] = {}
    for index, of in enumerate(segments):
        alike.setdefault(tuple(of.items()), []).append(index)
    groups: dict[tuple[str, ...], list[int]] = {}
    for items, members in alike.items():
        signature = tuple(v if (d, v) in shown else "*" for d, v in sorted(items))
        groups.setdefault(signature, []).extend(members)
    return [sorted(group) for group in groups.values()]  # in order of first member, as listed


def joined(first: list[list[int]], second: list[list[int]], size: int) -> list[list[int]]:
    """The finest grouping coarser than both: what two releases' figures have in common.

    Subtracting a figure of one release from a figure of the next tells the change of the
    organisations in such a group, never of a part of it.
    """
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in (*first, *second):
        for member in group[1:]:
            parent[root(member)] = root(group[0])
    blocks: dict[int, list[int]] = {}
    for i in range(size):
        blocks.setdefault(root(i), []).append(i)
    return list(blocks.values())


def choose_cells(
    segments: list[dict[str, str]],
    candidates: set[CellKey],
    whole_shown: bool,
    safe_atom: GroupCheck,
    before: list[list[int]],
    safe_change: GroupCheck,
    prefer: str | None = None,
) -> set[CellKey] | None:
    """Which segment cells a release may show; None when it must wait for more changes.

    Starting from the cells that pass the rules on their own (`candidates`), cells are hidden,
    smallest first, until (1) every atom of what is shown passes `safe_atom` — this is
    secondary suppression, across dimensions as well as within one — and (2) every group of
    organisations that this release and the previous one (`before`, its atoms) have in common
    changed by nothing, or passes `safe_change`: otherwise a cell shown in both would move by
    one organisation's change. With no cell left to hide the whole requirement's change must
    pass (2) itself, or nothing is released. Cells of the `prefer` dimension are hidden last.
    """
    shown = set(candidates)
    members: dict[CellKey, list[int]] = {}
    for index, of in enumerate(segments):
        for key in of.items():
            members.setdefault(key, []).append(index)

    def hide_smallest(touching: set[CellKey]) -> None:
        shown.discard(min(touching, key=lambda k: (k[0] == prefer, len(members[k]), k)))

    while True:
        current = atoms(segments, shown)
        unsafe = next(
            (
                a
                for a in current
                if not safe_atom(a)
                and (whole_shown or any(k in shown for k in segments[a[0]].items()))
            ),
            None,
        )
        if unsafe is not None:
            touching = {k for k in segments[unsafe[0]].items() if k in shown}
            if not touching and not shown:
                return None  # cannot happen when the whole passed: the only atom is the whole
            hide_smallest(touching or shown)
            continue
        failing = next(
            (b for b in joined(before, current, len(segments)) if not safe_change(b)), None
        )
        if failing is None:
            return shown
        touching = {k for i in failing for k in segments[i].items() if k in shown}
        if not touching:
            return None
        hide_smallest(touching)


def best_cells(
    segments: list[dict[str, str]],
    candidates: set[CellKey],
    whole_shown: bool,
    safe_atom: GroupCheck,
    before: list[list[int]],
    safe_change: GroupCheck,
) -> set[CellKey] | None:
    """`choose_cells`, trying each dimension as the one to keep: the choice showing most.

    With few organisations the cells of different dimensions cut each other into small groups;
    keeping one dimension whole often shows far more than hiding the smallest cells anywhere.
    A dimension with no candidate cell changes nothing as the preference, and a first choice
    that shows every candidate cannot be beaten: both are skipped.
    """
    args = (whole_shown, safe_atom, before, safe_change)
    first = choose_cells(segments, candidates, *args)
    if first == candidates:
        return first
    options = [first] if first is not None else []
    for dimension in sorted({d for d, _ in candidates}):
        shown = choose_cells(segments, candidates, *args, prefer=dimension)
        if shown is not None:
            options.append(shown)
    if not options:
        return None
    return max(options, key=lambda shown: (len(shown), sorted(shown)))


def round_money(value: Decimal | None) -> Decimal | None:
    """A shown revenue figure: two significant figures, whole units of the currency."""
    if value is None:
        return None
    rounded = round_order_statistic(value)
    return Decimal(rounded).quantize(Decimal(1)) if rounded is not None else None


def median(values: list[Decimal]) -> Decimal | None:
    """The median of positive amounts (mean of the middle two for an even count)."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2

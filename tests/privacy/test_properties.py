"""Property tests: for random votes and random pairs of views, nothing beyond showable cells leaks.

Bounded example counts keep `make test` fast; bench/ is the place for heavy scales.
"""

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal import privacy
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Organisation,
    PartnerType,
    Product,
    Region,
    Requirement,
    RequirementOrg,
    RequirementRelease,
    SizeBand,
)
from portal.privacy import (
    Contributions,
    atoms,
    choose_cells,
    joined,
    reason_for_viewer,
    revenue_reason,
)
from portal.privacy.release import revenue_due
from tests.privacy.conftest import revenue_figures

K, SHARE = 5, Decimal("0.5")

amounts = st.lists(st.sampled_from([0, 1, 10, 50, 100, 500, 5_000, 90_000]), max_size=9)
DIMENSIONS = {"region": "abc", "type": "xyz", "size": "pq"}
organisations = st.lists(
    st.tuples(
        st.fixed_dictionaries({d: st.sampled_from(values) for d, values in DIMENSIONS.items()}),
        st.sampled_from([0, 0, 10, 50, 100, 500, 5_000, 90_000]),  # now
        st.sampled_from([0, 0, 10, 100, 5_000]),  # at the last release
    ),
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(
    orgs=organisations,
    released_before=st.booleans(),
    prefer=st.sampled_from([None, *DIMENSIONS]),
)
def test_no_combination_of_shown_cells_singles_out_a_small_group(orgs, released_before, prefer):
    segments = [o[0] for o in orgs]
    now = [Decimal(o[1]) for o in orgs]
    changes = [Decimal(o[1] - o[2]) for o in orgs]
    cells: dict = {}
    for of, value in zip(segments, now, strict=True):
        for key in of.items():
            cells.setdefault(key, []).append(value)
    candidates = {
        k for k, v in cells.items() if revenue_reason(Contributions.of(v), K, SHARE) is None
    }
    whole = Contributions.of(now)
    whole_shown = revenue_reason(whole, K, SHARE) is None
    before_shown = set(list(cells)[::2]) if released_before else set()
    before = atoms(segments, before_shown) if released_before else [list(range(len(orgs)))]

    def safe(group):
        cell = Contributions.of(now[i] for i in group)
        return cell.orgs == 0 or revenue_reason(cell, K, SHARE) is None

    def safe_change(group):
        moved = [changes[i] for i in group if changes[i]]
        return not moved or revenue_due(moved, K, SHARE)

    shown = choose_cells(segments, candidates, whole_shown, safe, before, safe_change, prefer)
    if shown is None:
        # Waiting is only allowed when the changes themselves are not releasable as a whole
        # or cannot be split safely: never with no change at all.
        assert any(changes)
        return
    assert shown <= candidates  # only cells that pass on their own
    groups = atoms(segments, shown)
    for group in groups:
        if whole_shown or any(k in shown for k in segments[group[0]].items()):
            # Every sum a reader can form from shown cells is a sum of these groups.
            assert safe(group)
    for block in joined(before, groups, len(orgs)):
        assert safe_change(block)  # what two releases share moved by a safe group or not at all


@settings(max_examples=300, deadline=None)
@given(others=amounts, own=st.sampled_from([0, 1, 100, 5_000, 90_000]))
def test_a_contributor_sees_a_figure_only_when_the_others_pass_alone(others, own):
    cell = Contributions.of(Decimal(a) for a in [*others, own])
    if reason_for_viewer(cell, Decimal(own), K, SHARE) is None:
        rest = Contributions.of(Decimal(a) for a in others)
        assert revenue_reason(rest, K, SHARE) is None


ORG_SEGMENTS = [
    (Region.EMEA, PartnerType.VAR_SI, SizeBand.SMALL),
    (Region.EMEA, PartnerType.MSP_HOSTER, SizeBand.MEDIUM),
    (Region.NA, PartnerType.VAR_SI, SizeBand.SMALL),
    (Region.NA, PartnerType.DISTRIBUTOR, SizeBand.LARGE),
    (Region.APAC, PartnerType.TELCO, SizeBand.MICRO),
    (Region.EMEA, PartnerType.VAR_SI, SizeBand.MICRO),
    (Region.LATAM, PartnerType.ISV, SizeBand.SMALL),
    (Region.NA, PartnerType.VAR_SI, SizeBand.MEDIUM),
    (Region.EMEA, PartnerType.ISV, SizeBand.SMALL),
]
MOVES = st.lists(
    st.tuples(
        st.sampled_from([0, 0, 0, 1, 1, 2]),  # requirement: the first one busiest
        st.integers(0, len(ORG_SEGMENTS) - 1),  # organisation
        st.sampled_from([None, 0, 1_000, 3_000, 3_000, 8_000, 20_000, "withdraw"]),
    ),
    min_size=12,
    max_size=40,
)


class Example:
    """One hypothesis example's requirements (under a product of their own) and organisations."""

    counter = 0

    def __init__(self, stage, ages):
        Example.counter += 1
        self.stage, self.slug = stage, f"prop-{Example.counter}"
        with stage.app.app_context():
            product = Product(name=self.slug, slug=self.slug)
            db.session.add(product)
            db.session.commit()
            product_id = product.id
        self.requirements = []
        for index, age in enumerate(ages):
            rid = stage.requirement(f"{self.slug} requirement {index}", days_ago=age)
            with stage.app.app_context():
                db.session.get(Requirement, rid).product_id = product_id
                db.session.commit()
            self.requirements.append((rid, age))
        self.orgs = [stage.org(region=r, partner_type=t, size_band=s) for r, t, s in ORG_SEGMENTS]

    def view(self, days: int) -> dict:
        until = utcnow().date() - timedelta(days=days)
        return revenue_figures(self.stage.report(f"product={self.slug}&to={until}"))


def released_at(app, rid):
    with app.app_context():
        state = db.session.get(RequirementRelease, rid)
        return state.revenue_released_at if state else None


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ages=st.lists(st.integers(0, 4), min_size=3, max_size=3),
    moves=MOVES,
    cut=st.tuples(st.integers(0, 2), st.integers(1, 5)),
)
def test_differences_of_views_are_sums_of_shown_cells(app, stage, ages, moves, cut):
    example = Example(stage, ages)
    live: dict[tuple[int, int], int] = {}  # the adversary-free model: amounts now
    at_release: dict[int, dict[int, int]] = {}
    for req_index, org_index, amount in moves:
        rid, org = example.requirements[req_index][0], example.orgs[org_index]
        before = released_at(app, rid)
        if amount == "withdraw":
            stage.withdraw(org, rid)
            live.pop((rid, org), None)
        else:
            stage.vote(org, rid, amount)
            live[(rid, org)] = amount or 0
        if released_at(app, rid) != before:
            # A release: at least K organisations' amounts differ from the previous release.
            now = {o: a for (r, o), a in live.items() if r == rid and a}
            previous = at_release.get(rid, {})
            changed = {o for o in now.keys() | previous.keys() if now.get(o) != previous.get(o)}
            assert len(changed) >= K
            at_release[rid] = now
            event("a revenue release happened")

    low, high = sorted(cut)
    wide, narrow = example.view(low), example.view(high)
    between = [rid for rid, age in example.requirements if low <= age < high]
    event(f"{len(between)} requirement(s) between the two views")
    cells = {rid: stage.shown_cells(rid) for rid in between}
    for key, value in wide.items():
        if isinstance(key[0], int) or key[2] == "showstopper_organisations":
            continue
        expected = sum(_cell_value(cells[rid], key) for rid in between)
        assert (value or 0) - (narrow.get(key) or 0) == expected, key
    for rid, _ in example.requirements:
        _check_released_cells_against_truth(app, stage, rid)


def _cell_value(cells, key) -> int:
    segment_name, label, column = key
    dimension = {"Partner type": "partner_type", "Region": "region", "Size": "size_band"}[
        segment_name
    ]
    if label == "All":
        voters, revenue = cells.get(("all", "all"), (0, None))
    else:
        members = privacy.SEGMENTS[dimension][1]
        value = next(m.value for m in members if m.label == label)
        voters, revenue = cells.get((dimension, value), (0, None))
    return voters if column == "voting_organisations" else (revenue or 0)


def _check_released_cells_against_truth(app, stage, rid):
    """Every shown cell passes the rules on the released amounts; hidden groups are safe."""
    with app.app_context():
        rows = db.session.execute(
            select(
                RequirementOrg.released_value,
                RequirementOrg.released_top,
                Organisation.region,
                Organisation.partner_type,
                Organisation.size_band,
            )
            .join(Organisation, Organisation.id == RequirementOrg.organisation_id)
            .where(RequirementOrg.requirement_id == rid)
        ).all()
    shown = stage.shown_cells(rid)
    if ("all", "all") not in shown:
        return
    whole = Contributions.of(r[0] for r in rows)
    whole_shown = shown[("all", "all")][1] is not None
    if whole_shown:
        assert revenue_reason(whole, K, SHARE) is None
    for dimension, column in (("region", 2), ("partner_type", 3), ("size_band", 4)):
        groups: dict[str, list] = {}
        for row in rows:
            groups.setdefault(row[column].value, []).append(row[0])
        hidden = Contributions()
        for segment, values in groups.items():
            cell = Contributions.of(values)
            if shown.get((dimension, segment), (0, None))[1] is not None:
                assert revenue_reason(cell, K, SHARE) is None
            else:
                hidden = hidden + cell
        if whole_shown:
            assert hidden.orgs == 0 or revenue_reason(hidden, K, SHARE) is None

"""The privacy rules as pure functions: hand-computed tables and hypothesis properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import QuoteConsent, VoteConsent
from portal.privacy import (
    Cell,
    can_see_org_revenue,
    protect_breakdown,
    protect_median,
    protect_value,
    quote_attribution,
    round_order_statistic,
    vote_name_for_vendor,
)


def breakdown(orgs: dict[str, int], min_orgs=5, total_shown=True):
    cells = [Cell(key, n, n * 100) for key, n in orgs.items()]
    shown, total = protect_breakdown(cells, total_shown=total_shown, min_orgs=min_orgs)
    return {s.key: (s.value, s.reason) for s in shown}, (total.value, total.reason)


def test_small_cells_and_the_next_smallest_are_suppressed():
    cells, total = breakdown({"na": 12, "emea": 7, "apac": 3, "latam": 1})
    # apac and latam are small (4 organisations together): emea is hidden as well.
    assert cells == {
        "na": (1200, None),
        "emea": (None, "secondary"),
        "apac": (None, "small"),
        "latam": (None, "small"),
    }
    assert total == (2300, None)


def test_nothing_is_suppressed_when_every_cell_is_large_enough():
    cells, total = breakdown({"a": 6, "b": 7, "c": 8})
    assert cells == {"a": (600, None), "b": (700, None), "c": (800, None)}
    assert total == (2100, None)


def test_a_single_small_cell_takes_the_next_smallest_with_it():
    cells, _ = breakdown({"big": 10, "mid": 8, "tiny": 2})
    assert cells == {"big": (1000, None), "mid": (None, "secondary"), "tiny": (None, "small")}


def test_a_total_below_the_threshold_hides_everything():
    cells, total = breakdown({"a": 1, "b": 2, "c": 1})
    assert all(value is None for value, _ in cells.values())
    assert total == (None, "small")


def test_without_a_total_no_secondary_suppression_is_needed():
    cells, total = breakdown({"big": 10, "tiny": 2}, total_shown=False)
    assert cells == {"big": (1000, None), "tiny": (None, "small")}
    assert total[0] is None


def test_ties_are_broken_by_key():
    cells, _ = breakdown({"b": 6, "a": 6, "c": 3})
    assert cells == {"b": (600, None), "a": (None, "secondary"), "c": (None, "small")}


def test_two_small_cells_that_together_cover_enough_stay_a_pair():
    cells, _ = breakdown({"x": 3, "y": 3, "z": 9})
    assert cells == {"x": (None, "small"), "y": (None, "small"), "z": (900, None)}


def test_two_small_cells_that_together_are_still_small_take_a_third():
    cells, _ = breakdown({"w": 2, "x": 2, "y": 9, "z": 9})
    assert cells == {
        "w": (None, "small"),
        "x": (None, "small"),
        "y": (None, "secondary"),
        "z": (900, None),
    }


def test_empty_segments_are_shown_and_never_used_as_cover():
    cells, _ = breakdown({"empty": 0, "tiny": 3, "p": 10, "q": 11})
    assert cells == {
        "empty": (0, None),
        "tiny": (None, "small"),
        "p": (None, "secondary"),
        "q": (1100, None),
    }


def test_total_orgs_may_be_given_for_overlapping_cells():
    cells = [Cell("backup", 6, 6), Cell("security", 4, 4)]
    shown, total = protect_breakdown(cells, min_orgs=5, total_orgs=7)
    assert [s.reason for s in shown] == ["secondary", "small"]
    assert total.orgs == 7
    with pytest.raises(ValueError):
        protect_breakdown(cells, min_orgs=5, total_orgs=3)


def test_protect_value_marks_small_groups():
    assert protect_value(4, 1_000_000, min_orgs=5).suppressed
    assert protect_value(5, 1_000_000, min_orgs=5).value == 1_000_000


def test_suppressed_note_names_the_threshold(ctx):
    assert protect_value(2, 10).note == "fewer than 5 organisations"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (987_654_321, 990_000_000),
        (1234, 1200),
        (1250, 1200),  # halves round to even
        (96, 96),
        (5, 5),
        (0.0456, 0.046),
        (0, 0),
        (None, None),
        (-1234, -1200),
    ],
)
def test_order_statistics_are_rounded_to_two_figures(value, rounded):
    assert round_order_statistic(value) == rounded


def test_a_median_is_rounded_and_suppressed_when_small():
    assert protect_median(7, 123_456, min_orgs=5).value == 120_000
    assert protect_median(4, 123_456, min_orgs=5).value is None


@pytest.mark.parametrize(
    ("consent", "name"),
    [(VoteConsent.NAMED_TO_VENDOR, "Acme"), (VoteConsent.ANONYMOUS, None), ("anonymous", None)],
)
def test_vendor_sees_names_only_with_consent(consent, name):
    assert vote_name_for_vendor("Acme", consent) == name


@pytest.mark.parametrize(
    ("consent", "printable", "name"),
    [
        (QuoteConsent.ON_RECORD, True, "Acme"),
        (QuoteConsent.ANONYMOUS, True, None),
        (QuoteConsent.NO, False, None),
        ("no", False, None),
    ],
)
def test_editor_quotes_exactly_as_consented(consent, printable, name):
    attribution = quote_attribution("Acme", consent)
    assert (attribution.printable, attribution.name) == (printable, name)


class Viewer:
    def __init__(self, role, organisation_id=None):
        self.role, self.organisation_id = role, organisation_id


class Org:
    id = 7


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (Viewer("partner", 7), True),
        (Viewer("partner", 8), False),
        (Viewer("editor", 7), False),
        (Viewer("vendor", None), False),
        (Viewer("admin", None), True),
    ],
)
def test_only_members_and_admins_see_an_organisations_figures(viewer, allowed):
    assert can_see_org_revenue(viewer, Org()) is allowed


cells_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=10**9)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(cells=cells_strategy, min_orgs=st.integers(min_value=3, max_value=10), total=st.booleans())
def test_no_visible_cell_covers_a_small_group(cells, min_orgs, total):
    given_cells = [Cell(f"k{i}", orgs, value) for i, (orgs, value) in enumerate(cells)]
    shown, total_cell = protect_breakdown(given_cells, total_shown=total, min_orgs=min_orgs)
    assert [s.key for s in shown] == [c.key for c in given_cells]
    for cell, out in zip(given_cells, shown, strict=True):
        if out.suppressed:
            assert out.value is None and out.orgs is None  # never a 0 or a number
        else:
            assert cell.orgs == 0 or cell.orgs >= min_orgs
    if not total_cell.suppressed:
        assert total_cell.orgs >= min_orgs


@settings(max_examples=400, deadline=None)
@given(cells=cells_strategy, min_orgs=st.integers(min_value=3, max_value=10))
def test_no_cell_can_be_recovered_from_the_total(cells, min_orgs):
    given_cells = [Cell(f"k{i}", orgs, value) for i, (orgs, value) in enumerate(cells)]
    shown, total_cell = protect_breakdown(given_cells, total_shown=True, min_orgs=min_orgs)
    if total_cell.suppressed:
        return
    hidden = [c for c, s in zip(given_cells, shown, strict=True) if s.suppressed]
    # Total minus the visible cells is the sum of the hidden ones: that must never be a single
    # cell, nor a group smaller than the threshold.
    assert len(hidden) != 1
    if hidden:
        assert sum(c.orgs for c in hidden) >= min_orgs

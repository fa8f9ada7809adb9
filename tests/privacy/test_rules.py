"""The privacy rules as pure functions: hand-computed tables and hypothesis properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import QuoteConsent
from portal.privacy import (
    Cell,
    protect_breakdown,
    protect_value,
    quote_attribution,
    round_order_statistic,
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
    assert total == (None, "withheld")


def test_a_total_not_shown_is_marked_withheld_not_small():
    _, total = protect_breakdown([Cell("a", 9, 1), Cell("b", 9, 1)], total_shown=False, min_orgs=5)
    assert total.suppressed and total.value is None and total.orgs is None
    assert total.note == "not shown"


def test_a_small_total_without_display_is_still_small():
    _, total = breakdown({"a": 2, "b": 1}, total_shown=False)
    assert total == (None, "small")


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


def test_negative_org_counts_are_refused():
    with pytest.raises(ValueError):
        protect_breakdown([Cell("a", 6, 1), Cell("b", -1, 1)], min_orgs=5)


def test_an_empty_breakdown_has_a_suppressed_total():
    shown, total = protect_breakdown([], min_orgs=5)
    assert shown == [] and total.reason == "small"


def test_the_total_is_hidden_when_no_cell_is_left_to_hide():
    # One segment of 4 in a total of 6 (two organisations fall in no segment): the total's
    # value would be the small cell's value, so it goes too.
    shown, total = protect_breakdown([Cell("a", 4, 400)], min_orgs=5, total_orgs=6)
    assert (shown[0].reason, total.reason) == ("small", "secondary")
    assert total.value is None and total.orgs is None


def test_overlapping_small_cells_are_not_trusted_to_cover_each_other():
    # 3 + 3 may be the same three organisations when cells overlap: a large cell joins them.
    cells = [Cell("x", 3, 3), Cell("y", 3, 3), Cell("z", 9, 9), Cell("w", 12, 12)]
    shown, total = protect_breakdown(cells, min_orgs=5, total_orgs=14)
    assert [s.reason for s in shown] == ["small", "small", "secondary", None]
    assert not total.suppressed and total.orgs == 14


def test_overlapping_cells_with_nothing_to_add_hide_the_total():
    cells = [Cell("x", 4, 4), Cell("y", 4, 4), Cell("z", 3, 3)]
    shown, total = protect_breakdown(cells, min_orgs=5, total_orgs=8)
    assert all(s.reason == "small" for s in shown)
    assert total.reason == "secondary"


def test_a_hand_table_by_size_band_at_threshold_three():
    cells, total = breakdown({"1-10": 2, "11-50": 40, "51-250": 3, "251+": 9}, min_orgs=3)
    # Only 1-10 is small; the next smallest (51-250: 3) joins it: 5 organisations in two cells.
    assert cells == {
        "1-10": (None, "small"),
        "11-50": (4000, None),
        "51-250": (None, "secondary"),
        "251+": (900, None),
    }
    assert total == (5400, None)


def test_a_cell_exactly_at_the_threshold_is_shown():
    cells, _ = breakdown({"a": 5, "b": 5})
    assert cells == {"a": (500, None), "b": (500, None)}


def test_an_explicit_total_value_is_used():
    _, total = protect_breakdown([Cell("a", 6, 10), Cell("b", 7, 20)], min_orgs=5, total_value=99)
    assert total.value == 99 and total.orgs == 13


def test_protect_value_marks_small_groups():
    assert protect_value(4, 1_000_000, min_orgs=5).suppressed
    assert protect_value(5, 1_000_000, min_orgs=5).value == 1_000_000


def test_protect_value_suppresses_an_aggregate_over_no_organisation():
    shown = protect_value(0, None, min_orgs=5)
    assert shown.suppressed and shown.reason == "small"


def test_suppressed_note_names_the_threshold(ctx):
    assert protect_value(2, 10).note == "fewer than 5 organisations"
    assert protect_value(9, 10).note == ""


def test_note_names_the_threshold_that_was_applied():
    # No app context needed, and an explicit threshold is the one the note states.
    assert protect_value(2, 10, min_orgs=7).note == "fewer than 7 organisations"
    shown, _ = protect_breakdown([Cell("a", 9, 1), Cell("b", 1, 1)], min_orgs=5)
    assert [s.note for s in shown] == [
        "hidden to protect a small group",
        "fewer than 5 organisations",
    ]


def test_threshold_comes_from_the_configuration(app):
    from portal.privacy import threshold

    with app.app_context():
        assert threshold() == app.config["PRIVACY_MIN_ORGS"] == 5
        assert protect_value(4, 10).suppressed and not protect_value(5, 10).suppressed


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
        (0.0455, 0.046),  # rounded as written, not as its binary approximation
        (99.5, 100),
        (9.96, 10),
        (Decimal("1234567.89"), 1_200_000),
        (Decimal("0.0123"), 0.012),
        (10**25 + 1, 10**25),  # exact beyond float precision
        (float("inf"), float("inf")),
    ],
)
def test_order_statistics_are_rounded_to_two_figures(value, rounded):
    assert round_order_statistic(value) == rounded


def test_whole_rounded_values_are_ints():
    assert isinstance(round_order_statistic(987_654_321), int)
    assert isinstance(round_order_statistic(Decimal("1234.5")), int)


@pytest.mark.parametrize(
    ("consent", "printable", "name"),
    [
        (QuoteConsent.ON_RECORD, True, "Acme"),
        (QuoteConsent.ANONYMOUS, True, None),
        (QuoteConsent.NO, False, None),
        ("on_record", True, "Acme"),
        ("anonymous", True, None),
        ("no", False, None),
    ],
)
def test_editor_quotes_exactly_as_consented(consent, printable, name):
    attribution = quote_attribution("Acme", consent)
    assert (attribution.printable, attribution.name) == (printable, name)


@pytest.mark.parametrize("consent", ["", "yes", "named_to_vendor", "ON_RECORD"])
def test_an_unknown_quote_consent_is_an_error_not_a_quote(consent):
    with pytest.raises(ValueError):
        quote_attribution("Acme", consent)


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
            assert out.reason in {"small", "secondary"} and out.note
        else:
            assert cell.orgs == 0 or cell.orgs >= min_orgs
            assert (out.value, out.orgs, out.reason) == (cell.value, cell.orgs, None)
    if not total_cell.suppressed:
        assert total_cell.orgs >= min_orgs


@settings(max_examples=200, deadline=None)
@given(cells=cells_strategy, min_orgs=st.integers(min_value=3, max_value=10))
def test_without_a_total_only_small_cells_are_hidden(cells, min_orgs):
    given_cells = [Cell(f"k{i}", orgs, value) for i, (orgs, value) in enumerate(cells)]
    shown, _ = protect_breakdown(given_cells, total_shown=False, min_orgs=min_orgs)
    if sum(c.orgs for c in given_cells) < min_orgs:
        assert all(s.suppressed == (c.orgs > 0) for c, s in zip(given_cells, shown, strict=True))
    else:
        assert [s.suppressed for s in shown] == [0 < c.orgs < min_orgs for c in given_cells]


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


@settings(max_examples=400, deadline=None)
@given(
    cells=cells_strategy,
    min_orgs=st.integers(min_value=3, max_value=10),
    extra=st.integers(min_value=0, max_value=60),
    data=st.data(),
)
def test_overlapping_cells_never_leave_a_small_group_under_a_visible_total(
    cells, min_orgs, extra, data
):
    given_cells = [Cell(f"k{i}", orgs, value) for i, (orgs, value) in enumerate(cells)]
    largest = max(c.orgs for c in given_cells)
    total_orgs = data.draw(st.integers(min_value=largest, max_value=largest + extra))
    shown, total_cell = protect_breakdown(
        given_cells, total_shown=True, min_orgs=min_orgs, total_orgs=total_orgs
    )
    for cell, out in zip(given_cells, shown, strict=True):
        assert out.suppressed or cell.orgs == 0 or cell.orgs >= min_orgs
    if total_cell.suppressed:
        return
    assert total_cell.orgs == total_orgs >= min_orgs
    hidden = [c for c, s in zip(given_cells, shown, strict=True) if s.suppressed]
    if hidden:
        # The hidden cells may be the same organisations: only the largest one is sure cover.
        assert len(hidden) >= 2 and max(c.orgs for c in hidden) >= min_orgs


@settings(max_examples=200, deadline=None)
@given(
    orgs=st.integers(min_value=0, max_value=50),
    value=st.integers(min_value=0, max_value=10**9),
    min_orgs=st.integers(min_value=3, max_value=10),
)
def test_a_single_value_is_shown_exactly_when_enough_organisations_share_it(orgs, value, min_orgs):
    shown = protect_value(orgs, value, min_orgs=min_orgs)
    assert shown.suppressed == (orgs < min_orgs)
    assert (shown.value, shown.orgs) == ((None, None) if shown.suppressed else (value, orgs))


@settings(max_examples=300, deadline=None)
@given(value=st.integers(min_value=1, max_value=10**18) | st.floats(min_value=1e-6, max_value=1e15))
def test_rounding_keeps_two_figures_and_stays_close(value):
    rounded = round_order_statistic(value)
    assert abs(rounded - value) <= abs(value) * 0.05 + 1e-12
    digits = f"{Decimal(str(rounded)):e}".split("e")[0].replace(".", "").rstrip("0")
    assert len(digits) <= 2

"""The board and the vendor report read product, topic and status from the query string alike."""

import pytest
from werkzeug.datastructures import MultiDict

from portal.board.services import BoardFilters
from portal.models import Status
from portal.reports.queries import FilterError, ReportFilters


def test_board_and_report_read_the_shared_arguments_the_same_way(ctx, catalogue):
    args = MultiDict({"product": "bpos", "topic": "billing", "status": "planned"})
    on_board, in_report = BoardFilters.from_args(args), ReportFilters.from_args(args)
    for filters in (on_board, in_report):
        assert (filters.product.slug, filters.topic.slug, filters.status) == (
            "bpos",
            "billing",
            Status.PLANNED,
        )
        assert filters.problems == []


def test_each_keeps_its_own_arguments(ctx, catalogue):
    args = MultiDict({"q": " billing ", "sort": "newest", "from": "2026-01-01", "to": "2026-02-01"})
    on_board, in_report = BoardFilters.from_args(args), ReportFilters.from_args(args)
    assert (on_board.q, on_board.sort) == ("billing", "newest")
    assert (in_report.date_from.isoformat(), in_report.date_to.isoformat()) == (
        "2026-01-01",
        "2026-02-01",
    )


def test_an_unusable_value_is_one_problem_and_each_page_says_what_it_does_instead(ctx, catalogue):
    args = MultiDict({"product": "nope", "topic": "billing", "status": "bogus"})
    on_board = BoardFilters.from_args(args)
    assert on_board.topic.slug == "billing"  # the board keeps the filters that work
    assert on_board.problems == [
        "There is no product “nope”; showing all products.",
        "“bogus” is not a status; showing all.",
    ]
    with pytest.raises(FilterError) as refused:  # the report uses none until all work
        ReportFilters.from_args(args)
    assert refused.value.problems == [
        "There is no product “nope”.",
        "“bogus” is not a status.",
    ]

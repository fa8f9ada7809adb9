"""The vendor report as CSV, XLSX and PDF: the same rows and filters as the page, every row."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from flask import current_app

from portal import privacy
from portal.documents.files import Column, build_xlsx, dated_filename, period
from portal.privacy.rules import Number
from portal.reports import queries

COLUMNS = [
    Column("rank", "int", 7, "Rank"),
    Column("id", "int", 7, "ID"),
    Column("title", "text", 60, "Requirement"),
    Column("product", "text", 16, "Product"),
    Column("status", "text", 13, "Status"),
    Column("posted", "date", 12, "Posted"),
    Column("score", "int", 8, "Score"),
    Column("votes", "int", 8, "Votes"),
    Column("organisations", "int", 14, "Organisations"),
    Column("showstopper_organisations", "int", 14, "Showstopper organisations"),
    Column("showstopper_share_percent", "int", 14, "Showstopper share (%)"),
    Column("nice_to_have_votes", "int", 12, "Nice to have votes"),
    Column("important_votes", "int", 12, "Important votes"),
    Column("showstopper_votes", "int", 12, "Showstopper votes"),
    Column("revenue_at_stake_sum", "money", 18, "Revenue at stake (sum)"),
    Column("revenue_at_stake_median", "money", 18, "Revenue at stake (median)"),
    Column("named_organisations", "text", 50, "Named organisations"),
    # Added last so that readers of the earlier columns by position keep working.
    Column("revenue_note", "text", 40, "Revenue note"),
]
HEADER = [c.name for c in COLUMNS]


def money(shown: privacy.Shown) -> Number | None:
    """A revenue figure for a number column: empty when suppressed (revenue_note says why)."""
    return None if shown.suppressed else shown.value


def revenue_note(row: dict[str, Any]) -> str:
    """Why a revenue cell is empty, e.g. "suppressed: fewer than 5 organisations"."""
    total, median = row["revenue_sum"], row["revenue_median"]
    if total.suppressed:
        return f"suppressed: {total.note}"
    if median.suppressed:
        return f"median suppressed: {median.note}"
    return ""


def values(row: dict[str, Any]) -> list:
    """One report row as typed cell values, in COLUMNS order."""
    mix = row["importance_mix"]
    return [
        row["rank"],
        row["id"],
        row["title"],
        row["product"],
        row["status"],
        date.fromisoformat(row["created_at"]),
        row["score"],
        row["votes"],
        row["organisations"],
        row["showstopper_organisations"],
        row["showstopper_share"],
        mix["nice_to_have"],
        mix["important"],
        mix["showstopper"],
        money(row["revenue_sum"]),
        money(row["revenue_median"]),
        "; ".join(row["named_organisations"]),
        revenue_note(row),
    ]


def describe(filters: queries.ReportFilters) -> str:
    """The filters as one readable line: "Product: BPOS · Status: Open · Posted until 31 Dec
    2026", or "All requirements but merged ones" when there are none."""
    parts = []
    if filters.product:
        parts.append(f"Product: {filters.product.name}")
    if filters.topic:
        parts.append(f"Topic: {filters.topic.name}")
    parts.append(f"Status: {filters.status.label}" if filters.status else "All but merged")
    if filters.date_from or filters.date_to:
        parts.append("Posted " + period(filters.date_from, filters.date_to))
    if len(parts) == 1 and not filters.status:
        return "All requirements but merged ones"
    return " · ".join(parts)


def filename(filters: queries.ReportFilters, day: date, fmt: str) -> str:
    """The download's name from its filters and date, e.g.
    vendor-report_bpos_billing_open_2026-11-26.csv."""
    args = filters.as_args()
    parts = [args.get("product", ""), args.get("topic", ""), args.get("status", "")]
    if "from" in args:
        parts.append("from-" + args["from"])
    if "to" in args:
        parts.append("to-" + args["to"])
    return dated_filename("vendor-report", parts, day, fmt)


def footnotes(filters: queries.ReportFilters, generated_at: str) -> list[str]:
    currency = current_app.config["REPORTING_CURRENCY"]
    n, share = privacy.threshold(), privacy.max_share()
    return [
        "Channel Voice vendor report, generated " + generated_at,
        "Filters: " + describe(filters),
        f"Revenue at stake is per year in {currency}: per organisation the largest amount its "
        f"members entered, summed over organisations; shown only where at least {n} organisations "
        f"entered a positive amount and none makes up more than {share:.0%} of it; otherwise it "
        "is suppressed (in CSV and XLSX the cell is empty and the revenue note says why). Sums "
        "and medians are rounded to two significant figures. Revenue "
        f"figures are released, not live: they change only after at least {n} organisations "
        "changed theirs.",
        "Organisations are named only where they consented to be named to the vendor.",
    ]


def csv_rows(filters: queries.ReportFilters, viewer: Any) -> Iterator[list]:
    for row in queries.all_rows(filters, viewer):
        yield values(row)


def xlsx(
    filters: queries.ReportFilters,
    generated_at: str,
    viewer: Any,
    rows: Iterable[list] | None = None,
) -> bytes:
    rows = csv_rows(filters, viewer) if rows is None else rows
    notes = [
        ("Report", "Channel Voice — vendor report: requirements ranked by score"),
        ("Generated", generated_at),
        *filters.describe(),
        ("Currency", current_app.config["REPORTING_CURRENCY"]),
        ("Privacy", footnotes(filters, generated_at)[2]),
        ("Names", footnotes(filters, generated_at)[3]),
        (
            "Score",
            "Sum over voting organisations of the weight of each one's highest importance "
            "(nice to have 1, important 3, showstopper 9).",
        ),
    ]
    return build_xlsx("Vendor report", COLUMNS, rows, notes)

"""The vendor report as CSV, XLSX and PDF: the same rows and filters as the page, every row."""

from collections.abc import Iterable, Iterator
from typing import Any

from flask import current_app

from portal import privacy
from portal.documents.files import Column, build_xlsx
from portal.privacy.rules import Number
from portal.reports import queries

COLUMNS = [
    Column("rank", "int", 6),
    Column("id", "int", 6),
    Column("title", "text", 60),
    Column("product", "text", 16),
    Column("status", "text", 13),
    Column("posted", "text", 11),
    Column("score", "int", 8),
    Column("votes", "int", 8),
    Column("organisations", "int", 13),
    Column("showstopper_organisations", "int", 12),
    Column("showstopper_share_percent", "int", 12),
    Column("nice_to_have_votes", "int", 10),
    Column("important_votes", "int", 10),
    Column("showstopper_votes", "int", 10),
    Column("revenue_at_stake_sum", "money", 18),
    Column("revenue_at_stake_median", "money", 18),
    Column("named_organisations", "text", 50),
]
HEADER = [c.name for c in COLUMNS]
SUPPRESSED = "suppressed"


def money(shown: privacy.Shown) -> Number | str | None:
    return SUPPRESSED if shown.suppressed else shown.value


def values(row: dict[str, Any]) -> list:
    """One report row as typed cell values, in COLUMNS order."""
    mix = row["importance_mix"]
    return [
        row["rank"],
        row["id"],
        row["title"],
        row["product"],
        row["status"],
        row["created_at"],
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
    ]


def footnotes(filters: queries.ReportFilters, generated_at: str) -> list[str]:
    currency = current_app.config["REPORTING_CURRENCY"]
    n, share = privacy.threshold(), privacy.max_share()
    return [
        "Channel Voice vendor report, generated " + generated_at,
        "Filters: " + "; ".join(f"{k}: {v}" for k, v in filters.describe()),
        f"Revenue at stake is per year in {currency}: per organisation the largest amount its "
        f"members entered, summed over organisations; shown only where at least {n} organisations "
        f"entered a positive amount and none makes up more than {share:.0%} of it (otherwise "
        "'suppressed'). Sums and medians are rounded to two significant figures. Revenue "
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

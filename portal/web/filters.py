"""The requirement filters the board, the vendor report and the API read from the query string.

`product=<slug>`, `topic=<slug>` and `status=<value>` are parsed here once, with one set of rules,
and so are dates (`read_date`: a real calendar day within EARLIEST..LATEST, checked before any
arithmetic on it);
`BoardFilters` (portal/board/services.py) and `ReportFilters` (portal/reports/queries.py) add
their own arguments and decide what to do about a value that names nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Self

from sqlalchemy import select

from portal.extensions import db
from portal.models import Product, Status, Topic

# Dates outside these leave room for a day's arithmetic on every engine and match no requirement.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


@dataclass
class RequirementFilters:
    """Product, topic and status, with a sentence in `problems` for every unusable value."""

    product: Product | None = None
    topic: Topic | None = None
    status: Status | None = None
    problems: list[str] = field(default_factory=list)

    # What the page does instead of an unusable argument, said after its problem (by argument).
    INSTEAD: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Self:
        """The filters the query arguments ask for; never raises."""
        filters = cls()
        filters.read_args(args)
        return filters

    def read_args(self, args: Mapping[str, str]) -> None:
        """Parse the shared arguments; subclasses extend this with their own."""
        if slug := args.get("product", ""):
            self.product = db.session.scalar(select(Product).where(Product.slug == slug))
            if self.product is None:
                self.problem("product", f"There is no product “{slug[:50]}”")
        if slug := args.get("topic", ""):
            self.topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
            if self.topic is None:
                self.problem("topic", f"There is no topic “{slug[:50]}”")
        if value := args.get("status", ""):
            try:
                self.status = Status(value)
            except ValueError:
                self.problem("status", f"“{value[:50]}” is not a status")

    def read_date(self, args: Mapping[str, str], argument: str, name: str) -> date | None:
        """The date in `args[argument]`, or None (with a problem when it is not a usable date)."""
        value = args.get(argument, "")
        if not value:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.problem(argument, f"{name} must be a date like 2026-01-31, not “{value[:30]}”")
            return None
        if not EARLIEST <= day <= LATEST:
            self.problem(
                argument, f"{name} must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}"
            )
            return None
        return day

    def problem(self, argument: str, sentence: str) -> None:
        """Note an unusable argument, with what the page does instead when it says."""
        instead = self.INSTEAD.get(argument)
        self.problems.append(f"{sentence}; {instead}." if instead else f"{sentence}.")

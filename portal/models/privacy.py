"""Released figures: what the privacy rules let readers see, stored so reports only read them.

Written and read only by `portal.privacy` (see its docstring for the rules). Revenue columns hold
exact internal values next to the rounded, shown ones: only the shown ones leave that package.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model

AMOUNT = Numeric(20, 2)
ALL = "all"  # the dimension and segment of a requirement's own (whole) cell


class RequirementOrg(Model):
    """One organisation's contribution to one requirement: live, and as last released.

    Kept in the same transaction as every vote change. `top` is the highest importance weight
    its members voted (0: no vote now); `amount`/`currency` the largest revenue at stake they
    entered, as entered. The `released_*` columns are what the last release counted.
    """

    __tablename__ = "requirement_org"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    top: Mapped[int] = mapped_column(default=0)
    named: Mapped[bool] = mapped_column(default=False)  # a member consented to be named
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    released_top: Mapped[int] = mapped_column(default=0)
    released_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    released_currency: Mapped[str | None] = mapped_column(String(3))
    released_value: Mapped[Decimal | None] = mapped_column(AMOUNT)  # at the release's rates
    # The amount as the last release of the requirement's segment cells counted it.
    segment_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    segment_currency: Mapped[str | None] = mapped_column(String(3))


class RequirementRelease(Model):
    """When a requirement's figures were last released, and how many changes wait since."""

    __tablename__ = "requirement_release"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    voters_released_at: Mapped[datetime | None]
    voters_pending: Mapped[int] = mapped_column(default=0)
    revenue_released_at: Mapped[datetime | None]
    revenue_pending: Mapped[int] = mapped_column(default=0)
    segments_released_at: Mapped[datetime | None]  # revenue by segment


class ReleasedCell(Model):
    """A released cell: one requirement (segment "all") or one requirement × segment value.

    Voting organisations: `voters`/`showstoppers` exact, `voters_shown` whether they may be
    printed. Revenue: `revenue_shown` (two significant figures) is NULL when suppressed, with
    `revenue_reason` saying why; total, largest and second largest are exact and internal (a
    partner viewer's own share is checked against them).
    """

    __tablename__ = "released_cell"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    segment: Mapped[str] = mapped_column(String(32), primary_key=True)
    voters: Mapped[int] = mapped_column(default=0)
    showstoppers: Mapped[int] = mapped_column(default=0)
    voters_shown: Mapped[bool] = mapped_column(default=False)
    revenue_orgs: Mapped[int] = mapped_column(default=0)
    revenue_total: Mapped[Decimal | None] = mapped_column(AMOUNT)
    revenue_largest: Mapped[Decimal | None] = mapped_column(AMOUNT)
    revenue_second: Mapped[Decimal | None] = mapped_column(AMOUNT)
    revenue_shown: Mapped[Decimal | None] = mapped_column(AMOUNT)
    revenue_median: Mapped[Decimal | None] = mapped_column(AMOUNT)
    revenue_reason: Mapped[str] = mapped_column(String(16), default="small")

    __table_args__ = (
        # Composition over a filtered set of requirements groups by segment.
        Index("ix_released_cell_segment", "dimension", "segment", "requirement_id"),
        Index("ix_released_cell_revenue", "dimension", "revenue_shown"),
    )


class SegmentTotal(Model):
    """The shown released cells added up per product, status and segment value, kept.

    Kept by `portal.privacy.totals` whenever cells are released or a requirement changes status
    or product, so the unfiltered report (or one product, or one status) reads a few rows
    instead of every requirement's cells. Same columns as a composed segment row.
    """

    __tablename__ = "segment_total"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    segment: Mapped[str] = mapped_column(String(32), primary_key=True)
    voters: Mapped[int] = mapped_column(default=0)
    showstoppers: Mapped[int] = mapped_column(default=0)
    voter_cells: Mapped[int] = mapped_column(default=0)
    voters_hidden: Mapped[int] = mapped_column(default=0)
    revenue: Mapped[Decimal] = mapped_column(AMOUNT, default=0)
    revenue_cells: Mapped[int] = mapped_column(default=0)
    revenue_hidden: Mapped[int] = mapped_column(default=0)


class RequirementMonth(Model):
    """Votes per requirement and calendar month (by when each vote was cast), kept for the trend.

    `organisations` counts the organisations that voted that month on that requirement; summed
    over requirements it counts an organisation once per requirement, like the segment rows.
    """

    __tablename__ = "requirement_month"

    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    votes: Mapped[int] = mapped_column(default=0)
    organisations: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_requirement_month_month", "month", "requirement_id"),)


class SurveyRelease(Model):
    """The survey report as last released: what the editor, vendor and briefs read."""

    __tablename__ = "survey_release"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True
    )
    released_at: Mapped[datetime]
    organisations: Mapped[int] = mapped_column(default=0)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

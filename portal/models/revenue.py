"""Revenue data: organisations' revenue profiles per fiscal year, and exchange rates.

Revenue figures are read only through `portal.privacy`, which enforces who may see what.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import utcnow
from portal.extensions import Model
from portal.models.accounts import Organisation, User

MONEY = Numeric(18, 2)


class ExchangeRate(Model):
    """How many units of the reporting currency one unit of `currency` is worth."""

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), unique=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class RevenueProfile(Model):
    """One organisation's figures for one fiscal year (one row per organisation and year)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    fiscal_year: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    total_revenue: Mapped[Decimal] = mapped_column(MONEY)
    cloud_revenue: Mapped[Decimal] = mapped_column(MONEY)
    customers: Mapped[int]
    seats: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("organisation_id", "fiscal_year"),)

"""Revenue writes: profiles by form or import (all-or-nothing), exchange rates.

Reading revenue goes through `portal.privacy`; this module checks who may write.
"""

from datetime import date
from decimal import Decimal

from flask import abort, current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal import audit
from portal.access import can_administer
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ExchangeRate, Organisation, RevenueProfile, User, Vote
from portal.revenue.importer import ParsedFile, Problem, RevenueRow, parse_revenue_file
from portal.revenue.iso4217 import ACTIVE_CURRENCIES

# Seeded rates (units of USD per unit of currency); admins keep them current.
DEMO_RATES = {
    "USD": "1", "EUR": "1.08", "GBP": "1.27", "CHF": "1.13", "SEK": "0.095", "DKK": "0.145",
    "JPY": "0.0067", "AUD": "0.66", "NZD": "0.61", "SGD": "0.74", "INR": "0.012", "CAD": "0.73",
    "BRL": "0.18", "MXN": "0.055", "ARS": "0.0011", "CLP": "0.00105", "ZAR": "0.055",
}  # fmt: skip
IMPORT_TOKEN_MAX_AGE = 3600


def currencies() -> list[str]:
    """The currencies the portal can convert, reporting currency first."""
    reporting = current_app.config["REPORTING_CURRENCY"]
    codes = set(db.session.scalars(select(ExchangeRate.currency))) | {reporting}
    return [reporting, *sorted(codes - {reporting})]


def can_edit_revenue(user: User, organisation: Organisation) -> bool:
    """Org managers edit their own organisation's revenue data; nobody else does."""
    return user.manages_org and user.organisation_id == organisation.id


def _check_editor(user: User, organisation: Organisation) -> None:
    if not can_edit_revenue(user, organisation):
        raise ServiceError("Only your organisation's managers can change its revenue data.")


def _figures(profile: RevenueProfile | RevenueRow) -> tuple:
    return (
        profile.currency,
        profile.total_revenue,
        profile.cloud_revenue,
        profile.customers,
        profile.seats,
    )


def _apply_row(organisation: Organisation, row: RevenueRow, actor: User | None) -> str:
    """Insert or update one fiscal year: "new", "updated", or "unchanged" (left as it was)."""
    profile = db.session.scalar(
        select(RevenueProfile).where(
            RevenueProfile.organisation_id == organisation.id,
            RevenueProfile.fiscal_year == row.fiscal_year,
        )
    )
    if profile is not None and _figures(profile) == _figures(row):
        return "unchanged"
    change = "new" if profile is None else "updated"
    if profile is None:
        profile = RevenueProfile(organisation_id=organisation.id, fiscal_year=row.fiscal_year)
        db.session.add(profile)
    profile.currency = row.currency
    profile.total_revenue, profile.cloud_revenue = row.total_revenue, row.cloud_revenue
    profile.customers, profile.seats = row.customers, row.seats
    profile.updated_by_id = actor.id if actor else None
    return change


def save_profile(actor: User, organisation: Organisation, row: RevenueRow) -> RevenueProfile:
    """Add or replace one year's figures from the form."""
    _check_editor(actor, organisation)
    problems = validate_rows([row])
    if problems:
        raise ServiceError(problems[0].message, problems[0].column)
    _apply_row(organisation, row, actor)
    audit.record(actor, "revenue.save", organisation.slug, fiscal_year=row.fiscal_year)
    db.session.commit()
    return db.session.scalars(
        select(RevenueProfile).where(
            RevenueProfile.organisation_id == organisation.id,
            RevenueProfile.fiscal_year == row.fiscal_year,
        )
    ).one()


def delete_profile(actor: User, organisation: Organisation, fiscal_year: int) -> None:
    _check_editor(actor, organisation)
    profile = db.session.scalar(
        select(RevenueProfile).where(
            RevenueProfile.organisation_id == organisation.id,
            RevenueProfile.fiscal_year == fiscal_year,
        )
    )
    if profile is None:
        raise ServiceError(f"There are no figures for {fiscal_year}.")
    db.session.delete(profile)
    audit.record(actor, "revenue.delete", organisation.slug, fiscal_year=fiscal_year)
    db.session.commit()


def validate_rows(rows: list[RevenueRow]) -> list[Problem]:
    """Cross-field rules the form shares with the importer (cloud ≤ total, known currency)."""
    problems = []
    known = set(currencies())
    for row in rows:
        if row.currency not in known:
            problems.append(Problem(None, "currency", f"Unknown currency {row.currency}."))
        if row.cloud_revenue > row.total_revenue:
            problems.append(
                Problem(None, "cloud_revenue", "Cloud revenue cannot be above total revenue.")
            )
    return problems


def parse_upload(filename: str, data: bytes) -> ParsedFile:
    """Parse an uploaded revenue file with the portal's limits and currencies."""
    return parse_revenue_file(
        filename,
        data,
        currencies=set(currencies()),
        max_bytes=current_app.config["REVENUE_IMPORT_MAX_BYTES"],
        this_year=date.today().year,
    )


def preview_changes(organisation: Organisation, rows: list[RevenueRow]) -> list[dict]:
    """What an import would do, year by year: new, updated (with the old figures) or unchanged."""
    existing = {
        p.fiscal_year: p
        for p in db.session.scalars(
            select(RevenueProfile).where(RevenueProfile.organisation_id == organisation.id)
        )
    }
    changes = []
    for row in sorted(rows, key=lambda r: r.fiscal_year):
        old = existing.get(row.fiscal_year)
        if old is None:
            change = "new"
        elif _figures(old) == _figures(row):
            change = "unchanged"
        else:
            change = "updated"
        changes.append({"row": row, "old": old, "change": change})
    return changes


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="revenue-import")


def sign_import(organisation: Organisation, user: User, rows: list[RevenueRow]) -> str:
    """A signed, expiring token carrying the previewed rows to the confirm step (no state kept)."""
    payload = {
        "org": organisation.id,
        "user": user.id,
        "rows": [
            [
                r.fiscal_year,
                r.currency,
                str(r.total_revenue),
                str(r.cloud_revenue),
                r.customers,
                r.seats,
            ]
            for r in rows
        ],
    }
    return _serializer().dumps(payload)


def unsign_import(token: str, organisation: Organisation, user: User) -> list[RevenueRow]:
    """The rows of a previewed import, if the token is genuine, fresh and this user's."""
    try:
        payload = _serializer().loads(token, max_age=IMPORT_TOKEN_MAX_AGE)
    except SignatureExpired:
        raise ServiceError("The preview expired. Upload the file again.") from None
    except BadSignature:
        raise ServiceError("The preview could not be read. Upload the file again.") from None
    if payload.get("org") != organisation.id or payload.get("user") != user.id:
        raise ServiceError("This preview belongs to someone else. Upload the file again.")
    return [
        RevenueRow(year, currency, Decimal(total), Decimal(cloud), customers, seats)
        for year, currency, total, cloud, customers, seats in payload["rows"]
    ]


def apply_import(
    actor: User | None, organisation: Organisation, rows: list[RevenueRow], source: str
) -> dict[str, int]:
    """Write all rows in one transaction (all or nothing); returns how many years were new,
    updated and unchanged. Unchanged years are not rewritten, and an import that changes
    nothing records no audit event."""
    if actor is not None:
        _check_editor(actor, organisation)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    written = []
    try:
        for row in rows:
            change = _apply_row(organisation, row, actor)
            counts[change] += 1
            if change != "unchanged":
                written.append(row.fiscal_year)
        if written:
            audit.record(
                actor,
                "revenue.import",
                organisation.slug,
                source=source[:100],
                years=sorted(written),
                new=counts["new"],
                updated=counts["updated"],
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def import_summary(counts: dict[str, int]) -> str:
    """What an import did, in the preview's words: "Imported 1 new and 1 updated year(s);
    1 unchanged year(s) left as they were."."""
    text = f"Imported {counts['new']} new and {counts['updated']} updated year(s)"
    if counts.get("unchanged"):
        text += f"; {counts['unchanged']} unchanged year(s) left as they were"
    return text + "."


def exchange_rates() -> list[ExchangeRate]:
    """Every exchange rate, by currency code."""
    return list(db.session.scalars(select(ExchangeRate).order_by(ExchangeRate.currency)))


def apply_signed_import(
    token: str, organisation: Organisation, actor: User, source: str = "upload"
) -> dict[str, int]:
    """Write the rows of a previewed import (see `sign_import`), all or nothing."""
    return apply_import(actor, organisation, unsign_import(token, organisation, actor), source)


def set_exchange_rate(actor: User, currency: str, rate: Decimal) -> ExchangeRate:
    """Create or change a rate (admins only, audited); the reporting currency stays at 1."""
    if not can_administer(actor):
        raise ServiceError("Only administrators change exchange rates.")
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ServiceError("Use a three-letter ISO currency code, e.g. EUR.", "currency")
    if currency not in ACTIVE_CURRENCIES:
        raise ServiceError(
            f"{currency} is not an ISO 4217 currency code; use one such as EUR or GBP.", "currency"
        )
    if currency == current_app.config["REPORTING_CURRENCY"] and rate != 1:
        raise ServiceError("The reporting currency's rate is always 1.", "rate")
    if rate <= 0:
        raise ServiceError("The rate must be above zero.", "rate")
    exchange = _find_rate(currency)
    if exchange is None:
        exchange = ExchangeRate(currency=currency)
        db.session.add(exchange)
    old = exchange.rate
    if old is not None and old == rate:
        return exchange  # nothing changed: nothing to write or audit
    exchange.rate, exchange.updated_by_id = rate, actor.id
    audit.record(actor, "exchange_rate.set", currency, old=str(old) if old else None, new=str(rate))
    db.session.commit()
    return exchange


def _find_rate(currency: str) -> ExchangeRate | None:
    return db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == currency))


def get_rate(currency: str) -> ExchangeRate:
    """The exchange rate of this currency, or a 404."""
    exchange = _find_rate(currency.upper()[:3])
    if exchange is None:
        abort(404)
    return exchange


def currency_uses(currency: str) -> dict[str, int]:
    """How many revenue profiles and votes are entered in this currency."""
    profiles = select(func.count(RevenueProfile.id)).where(RevenueProfile.currency == currency)
    votes = select(func.count(Vote.id)).where(Vote.currency == currency)
    return {
        "profiles": db.session.scalar(profiles) or 0,
        "votes": db.session.scalar(votes) or 0,
    }


def delete_exchange_rate(actor: User, currency: str) -> None:
    """Remove a currency's rate (admins only, audited); the reporting currency and currencies
    that revenue profiles or votes are entered in stay."""
    if not can_administer(actor):
        raise ServiceError("Only administrators change exchange rates.")
    exchange = _find_rate(currency)
    if exchange is None:
        raise ServiceError(f"There is no rate for {currency}.")
    if currency == current_app.config["REPORTING_CURRENCY"]:
        raise ServiceError(f"{currency} is the reporting currency; its rate cannot be deleted.")
    uses = currency_uses(currency)
    if uses["profiles"] or uses["votes"]:
        raise ServiceError(
            f"{currency} cannot be deleted: {uses['profiles']} revenue profile(s) and "
            f"{uses['votes']} vote(s) are entered in it, and their figures need its rate."
        )
    db.session.delete(exchange)
    audit.record(actor, "exchange_rate.delete", currency, rate=str(exchange.rate))
    db.session.commit()


def seed_rates() -> int:
    """Create the demo exchange rates that are missing; returns how many were created."""
    existing = set(db.session.scalars(select(ExchangeRate.currency)))
    reporting = current_app.config["REPORTING_CURRENCY"]
    created = 0
    for currency, rate in DEMO_RATES.items():
        if currency not in existing:
            usd_rate = Decimal(rate) / Decimal(DEMO_RATES.get(reporting, "1"))
            db.session.add(ExchangeRate(currency=currency, rate=usd_rate.quantize(Decimal("1e-8"))))
            created += 1
    db.session.flush()
    return created

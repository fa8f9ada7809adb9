"""A stage for the adversary: organisations, votes, and every surface a vendor user can read."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.board import services
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Importance,
    PartnerType,
    Region,
    ReleasedCell,
    Requirement,
    Role,
    SizeBand,
    User,
    VoteConsent,
)
from portal.tokens.services import create_token
from tests.conftest import login


class Stage:
    """Creates partner organisations and votes through the services, and reads what viewers see."""

    def __init__(self, app, make, make_requirement):
        self.app, self.make, self.make_requirement = app, make, make_requirement
        self.members: dict[int, int] = {}  # organisation id -> a member's user id
        self._api = None

    def org(self, name=None, region=Region.EMEA, partner_type=PartnerType.VAR_SI,
            size_band=SizeBand.SMALL, named=False) -> int:  # fmt: skip
        org = self.make.org(
            **({"name": name, "slug": name.lower().replace(" ", "-")} if name else {}),
            region=region,
            partner_type=partner_type,
            size_band=size_band,
        )
        self.members[org.id] = self.make.user(Role.PARTNER, org=org).id
        return org.id

    def orgs(self, n: int, **segments) -> list[int]:
        return [self.org(**segments) for _ in range(n)]

    def requirement(self, title="A requirement", days_ago=0) -> int:
        rid = self.make_requirement(title)
        with self.app.app_context():
            db.session.get(Requirement, rid).created_at = utcnow() - timedelta(days=days_ago)
            db.session.commit()
        return rid

    def vote(self, org_id: int, rid: int, amount=None, currency="USD",
             importance=Importance.IMPORTANT, consent=VoteConsent.ANONYMOUS) -> None:  # fmt: skip
        with self.app.app_context():
            user = db.session.get(User, self.members[org_id])
            services.cast_vote(
                user,
                rid,
                importance,
                consent,
                None if amount is None else Decimal(str(amount)),
                currency if amount is not None else None,
            )

    def withdraw(self, org_id: int, rid: int) -> None:
        with self.app.app_context():
            services.withdraw_vote(db.session.get(User, self.members[org_id]), rid)

    # -- What the adversary reads -----------------------------------------------------------------

    def api(self, path: str) -> dict:
        if self._api is None:
            vendor = self.make.user(Role.VENDOR)
            with self.app.app_context():
                _, secret = create_token(db.session.get(User, vendor.id), "adversary")
            self._api = secret
        response = self.app.test_client().get(
            f"/api/v1{path}", headers={"Authorization": f"Bearer {self._api}"}
        )
        assert response.status_code == 200, response.json
        return response.json

    def report(self, query: str = "") -> dict:
        """Everything the vendor report API says, for these filters (all rows on one page)."""
        return self.api(f"/reports/vendor?per_page=100&{query}")

    def client_for(self, role: Role, org_id: int | None = None):
        client = self.app.test_client()
        if org_id is not None:
            user = self.make.user(Role.PARTNER, org=self._org(org_id))
        else:
            user = self.make.user(role)
        login(client, user.email)
        return client

    def _org(self, org_id):
        from portal.models import Organisation

        with self.app.app_context():
            org = db.session.get(Organisation, org_id)
            db.session.expunge(org)
            return org

    def csv(self, client, query: str = "") -> list[dict]:
        text = client.get(f"/reports/vendor.csv?{query}").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(text)))
        end = rows.index([]) if [] in rows else len(rows)
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:end]]

    def shown_cells(self, rid: int) -> dict[tuple[str, str], tuple[int, int | None]]:
        """Ground truth: a requirement's released cells that may be shown (voters, revenue)."""
        with self.app.app_context():
            cells = db.session.scalars(
                select(ReleasedCell).where(ReleasedCell.requirement_id == rid)
            ).all()
            return {
                (c.dimension, c.segment): (
                    c.voters if c.voters_shown else 0,
                    int(c.revenue_shown) if c.revenue_shown is not None else None,
                )
                for c in cells
            }


@pytest.fixture
def stage(app, make, make_requirement, rates):
    return Stage(app, make, make_requirement)


def revenue_figures(report: dict) -> dict:
    """Every revenue and segment figure of a vendor report (API), keyed by where it is shown."""
    figures = {}
    for item in report["items"]:
        for stat in ("sum", "median"):
            figures[(item["id"], stat)] = item["revenue_at_stake"][stat]["value"]
    for breakdown in report["breakdowns"]:
        for row in [*breakdown["rows"], breakdown["all"]]:
            for key in ("voting_organisations", "revenue_at_stake", "showstopper_organisations"):
                figures[(breakdown["segment"], row["group"], key)] = row[key]
    return figures

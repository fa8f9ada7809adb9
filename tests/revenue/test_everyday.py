"""Revenue import messages that match the preview; amounts with cents keep them."""

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, RevenueProfile, Role
from tests.conftest import login, post_form
from tests.revenue.test_pages import HEADER, upload


@pytest.fixture
def manager(client, make, rates):
    org = make.org(name="Acme Partners", slug="acme")
    user = make.user(Role.PARTNER, org=org, is_org_manager=True)
    login(client, user.email)
    client.org_id = org.id
    return client


def confirm(client, preview_html: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return post_form(
        client,
        "/org/revenue/import/confirm",
        {"token": token},
        "/org/revenue",
        follow_redirects=True,
    )


def test_unchanged_years_are_neither_rewritten_nor_audited(app, manager):
    first = f"{HEADER}\n2023,EUR,100,10,1,1\n2024,EUR,200,20,2,2\n"
    confirm(manager, upload(manager, first).get_data(as_text=True))
    with app.app_context():
        before = db.session.scalar(
            select(RevenueProfile.updated_at).where(RevenueProfile.fiscal_year == 2023)
        )
    second = f"{HEADER}\n2023,EUR,100,10,1,1\n2024,EUR,250,20,2,2\n2025,EUR,300,30,3,3\n"
    preview = upload(manager, second).get_data(as_text=True)
    assert preview.count(">Unchanged<") == 1 and preview.count(">Updated<") == 1
    html = confirm(manager, preview).get_data(as_text=True)
    assert "Imported 1 new and 1 updated year(s); 1 unchanged year(s) left as they were." in html
    with app.app_context():
        after = db.session.scalar(
            select(RevenueProfile.updated_at).where(RevenueProfile.fiscal_year == 2023)
        )
        events = list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == "revenue.import"))
        )
    assert after == before
    assert events[-1].details["years"] == [2024, 2025]
    assert (events[-1].details["new"], events[-1].details["updated"]) == (1, 1)


def test_an_import_that_changes_nothing_records_nothing(app, manager):
    same = f"{HEADER}\n2024,EUR,200,20,2,2\n"
    confirm(manager, upload(manager, same).get_data(as_text=True))
    html = confirm(manager, upload(manager, same).get_data(as_text=True)).get_data(as_text=True)
    assert "Imported 0 new and 0 updated year(s); 1 unchanged" in html
    with app.app_context():
        assert (
            len(
                list(
                    db.session.scalars(
                        select(AuditEvent.id).where(AuditEvent.action == "revenue.import")
                    )
                )
            )
            == 1
        )


def profile_form(**fields) -> dict:
    """The revenue form for fiscal year 2025 in EUR."""
    base = {"fiscal_year": 2025, "currency": "EUR", "customers": 1, "seats": 1}
    return base | fields


def test_own_figures_with_cents_keep_them(app, manager):
    data = profile_form(total_revenue="6100000.50", cloud_revenue="1000")
    assert post_form(manager, "/org/revenue", data).status_code == 302
    html = manager.get("/org/revenue").get_data(as_text=True)
    assert "6,100,000.50" in html
    assert "1,000<" in html and "1,000.00" not in html

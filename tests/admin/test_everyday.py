"""Everyday administration: a readable, filterable audit log without no-op saves, and exchange
rates limited to ISO 4217 currencies that can be deleted when nothing uses them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import audit
from portal.board import services as board_services
from portal.extensions import db
from portal.models import (
    AuditEvent,
    ExchangeRate,
    Importance,
    Organisation,
    PartnerType,
    Product,
    Region,
    Role,
    SizeBand,
    Topic,
    User,
    VoteConsent,
)
from tests.admin import test_admin
from tests.admin.test_admin import audit_actions as actions
from tests.admin.test_admin import org_form
from tests.conftest import post_form

admin_client = test_admin.admin_client  # the same fixture: an administrator, logged in


def add_event(app, actor_id, action, when, **details):
    with app.app_context():
        db.session.add(
            AuditEvent(
                actor_id=actor_id, action=action, target="t", details=details, created_at=when
            )
        )
        db.session.commit()


def test_describe_says_what_changed_in_words():
    assert audit.describe({"display_name": ["Ann", "Anne"]}) == ["display name: Ann → Anne"]
    assert audit.describe({"old": None, "new": "1.2"}, "exchange_rate.set") == ["rate: none → 1.2"]
    assert audit.describe({"old": "open", "new": "under_review"}, "requirement.status") == [
        "status: open → under review"
    ]
    assert audit.describe({"years": [2024, 2025], "verified": True}) == [
        "years: 2024, 2025",
        "verified: yes",
    ]
    assert "None" not in " ".join(audit.describe({"organisation": [None, "acme"]}))


def acme(make) -> Organisation:
    """An organisation exactly as `org_form()` describes it."""
    return make.org(
        name="Acme Cloud",
        slug="acme-cloud",
        partner_type=PartnerType.MSP_HOSTER,
        region=Region.LATAM,
        size_band=SizeBand.SMALL,
    )


def test_audit_log_shows_readable_details(app, admin_client, make):
    org = acme(make)
    form = org_form(name="Acme Cloud Ltd", slug="acme-cloud")
    post_form(admin_client, f"/admin/organisations/{org.id}", form)
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "name: Acme Cloud → Acme Cloud Ltd" in html
    assert "{" not in html.split("<tbody>")[1].split("</tbody>")[0]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "organisation.update")
        )
        assert event.details == {"name": ["Acme Cloud", "Acme Cloud Ltd"]}


def test_saving_an_unchanged_organisation_records_nothing(app, admin_client, make):
    org = acme(make)
    response = post_form(admin_client, f"/admin/organisations/{org.id}", org_form())
    assert response.status_code == 302
    assert actions(app) == []
    post_form(admin_client, f"/admin/organisations/{org.id}", org_form(region="na"))
    assert actions(app) == ["organisation.update"]


@pytest.mark.parametrize("kind", ["products", "topics"])
def test_saving_an_unchanged_catalogue_item_records_nothing(app, admin_client, kind):
    data = {"name": "Intune", "slug": "intune", "description": "Devices", "active": "y"}
    post_form(admin_client, f"/admin/{kind}/new", data)
    model = Product if kind == "products" else Topic
    with app.app_context():
        item_id = db.session.scalar(select(model.id))
    assert post_form(admin_client, f"/admin/{kind}/{item_id}", data).status_code == 302
    assert actions(app) == [f"{kind[:-1]}.create"]


def test_saving_an_unchanged_user_records_nothing(app, admin_client, make):
    partner = make.user(Role.PARTNER)
    data = {"role": "partner", "organisation": partner.organisation_id, "active": "y"}
    assert post_form(admin_client, f"/admin/users/{partner.id}", data).status_code == 302
    assert actions(app) == []


def test_audit_log_filters_by_action_actor_and_dates(app, admin_client, make):
    vendor = make.user(Role.VENDOR, email="vera@vendor.example")
    admin_id = admin_client.admin.id
    for actor_id, action, day, new in [
        (vendor.id, "requirement.status", datetime(2026, 3, 1, 12, tzinfo=UTC), "planned"),
        (vendor.id, "requirement.merge", datetime(2026, 3, 2, 12, tzinfo=UTC), None),
        (admin_id, "requirement.status", datetime(2026, 3, 3, 12, tzinfo=UTC), "shipped"),
        (vendor.id, "requirement.status", datetime(2026, 4, 1, 12, tzinfo=UTC), "declined"),
    ]:
        add_event(app, actor_id, action, day, **({"old": "open", "new": new} if new else {}))

    def rows(query: str) -> list[str]:
        html = admin_client.get(f"/admin/audit?{query}").get_data(as_text=True)
        body = html.split("<tbody>")[1].split("</tbody>")[0]
        return [line.split("→ ")[1].split("<")[0] for line in body.split("status: ")[1:]]

    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="requirement.merge">' in page and 'name="since"' in page
    assert rows("action=requirement.status") == ["declined", "shipped", "planned"]
    assert rows("action=requirement.status&actor=VERA@") == ["declined", "planned"]
    assert rows("action=requirement.status&since=2026-03-01&until=2026-03-03") == [
        "shipped",
        "planned",
    ]
    assert rows("since=2026-03-02&until=2026-03-02") == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-05-01&until=2026-04-01", "until", "The end date must not be before"),
        ("since=yesterday", "since", "Not a valid date value."),
        ("action=no.such.action", "action", "Not a valid choice."),
    ],
)
def test_bad_audit_filters_are_explained_beside_their_field(admin_client, query, field, message):
    response = admin_client.get(f"/admin/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<small class="field-error" id="{field}-error">{message}' in html


def test_an_unknown_currency_is_refused_beside_the_field(app, admin_client, rates):
    response = post_form(admin_client, "/admin/exchange-rates", {"currency": "XYZ", "rate": "2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<small class="field-error" id="currency-error">XYZ is not an ISO 4217' in html
    assert 'value="XYZ"' in html
    with app.app_context():
        assert db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "XYZ")) is None


def test_saving_the_same_rate_again_records_nothing(app, admin_client, rates):
    post_form(admin_client, "/admin/exchange-rates", {"currency": "EUR", "rate": "1.10"})
    assert actions(app) == []
    post_form(admin_client, "/admin/exchange-rates", {"currency": "EUR", "rate": "1.2"})
    assert actions(app) == ["exchange_rate.set"]


def test_admin_deletes_an_unused_rate_after_confirming(app, admin_client, rates):
    post_form(admin_client, "/admin/exchange-rates", {"currency": "GBP", "rate": "1.27"})
    listing = admin_client.get("/admin/exchange-rates").get_data(as_text=True)
    assert 'href="/admin/exchange-rates/GBP/delete"' in listing
    assert 'href="/admin/exchange-rates/USD/delete"' not in listing
    page = admin_client.get("/admin/exchange-rates/GBP/delete").get_data(as_text=True)
    assert "Delete the rate for GBP?" in page and "Delete the rate</button>" in page
    response = post_form(admin_client, "/admin/exchange-rates/GBP/delete", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "GBP")) is None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "exchange_rate.delete")
        )
        assert event.target == "GBP" and event.details == {"rate": "1.27000000"}


def test_the_reporting_currency_cannot_be_deleted(app, admin_client, rates):
    page = admin_client.get("/admin/exchange-rates/USD/delete").get_data(as_text=True)
    assert "the reporting currency" in page and "Delete the rate</button>" not in page
    post_form(admin_client, "/admin/exchange-rates/USD/delete", {}, "/admin/exchange-rates")
    with app.app_context():
        assert db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "USD"))
    assert "exchange_rate.delete" not in actions(app)


def test_a_currency_in_use_cannot_be_deleted(app, admin_client, make, make_requirement, rates):
    org = make.org()
    partner = make.user(Role.PARTNER, org=org)
    rid = make_requirement()
    with app.app_context():
        board_services.cast_vote(
            db.session.get(User, partner.id),
            rid,
            Importance.IMPORTANT,
            VoteConsent.ANONYMOUS,
            Decimal(1000),
            "EUR",
        )
    page = admin_client.get("/admin/exchange-rates/EUR/delete").get_data(as_text=True)
    assert "EUR cannot be deleted: 0 revenue profile(s) and 1 vote(s)" in page
    response = post_form(
        admin_client,
        "/admin/exchange-rates/EUR/delete",
        {},
        "/admin/exchange-rates",
        follow_redirects=True,
    )
    assert "EUR cannot be deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == "EUR"))
        assert db.session.get(Organisation, org.id) is not None


def test_deleting_an_unknown_rate_is_404(admin_client):
    assert admin_client.get("/admin/exchange-rates/XYZ/delete").status_code == 404

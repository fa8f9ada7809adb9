"""Revenue pages, import preview and confirm, the CLI import, exchange rates, and who sees what."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, ExchangeRate, RevenueProfile, Role
from tests.conftest import login, post_form

HEADER = "fiscal_year,currency,total_revenue,cloud_revenue,customers,seats"
GOOD_FILE = (
    f"{HEADER}\n2024,EUR,987654321,12345678,120,4500\n2025,EUR,999000000,23000000,130,5000\n"
)


@pytest.fixture
def org(make):
    return make.org(name="Acme Partners", slug="acme")


@pytest.fixture
def manager(client, make, org, rates):
    user = make.user(Role.PARTNER, org=org, is_org_manager=True)
    login(client, user.email)
    return client


def add_profile(app, org_id: int, total=Decimal(5)) -> None:
    """Our organisation's figures for 2024."""
    with app.app_context():
        db.session.add(
            RevenueProfile(
                organisation_id=org_id,
                fiscal_year=2024,
                currency="EUR",
                total_revenue=total,
                cloud_revenue=1,
                customers=1,
                seats=1,
            )
        )
        db.session.commit()


def profiles(app, org_id) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            select(RevenueProfile)
            .where(RevenueProfile.organisation_id == org_id)
            .order_by(RevenueProfile.fiscal_year)
        )
        return [(p.fiscal_year, p.currency, int(p.total_revenue), p.customers) for p in rows]


def upload(client, text: str | bytes, name="revenue.csv"):
    from io import BytesIO

    data = text.encode() if isinstance(text, str) else text
    return post_form(
        client,
        "/org/revenue/import",
        {"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_manager_saves_a_year_and_sees_full_figures(app, manager, org):
    data = {
        "fiscal_year": 2025,
        "currency": "EUR",
        "total_revenue": "987654321",
        "cloud_revenue": "1000",
        "customers": 12,
        "seats": 340,
    }
    assert post_form(manager, "/org/revenue", data).status_code == 302
    html = manager.get("/org/revenue").get_data(as_text=True)
    assert "987,654,321" in html  # in full, not abbreviated
    assert profiles(app, org.id) == [(2025, "EUR", 987654321, 12)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cloud_revenue": "2000"}, "Cloud revenue cannot be above total revenue."),
        ({"total_revenue": "-5"}, "Enter an amount from 0 upwards."),
        ({"fiscal_year": "1800"}, "Use a year from 1990"),
        ({"currency": "XYZ"}, "Not a valid choice"),
        ({"customers": "many"}, "Not a valid integer value"),
    ],
)
def test_bad_years_are_explained_and_not_saved(app, manager, org, fields, message):
    data = {
        "fiscal_year": 2025,
        "currency": "EUR",
        "total_revenue": "1000",
        "cloud_revenue": "10",
        "customers": 1,
        "seats": 1,
    } | fields
    response = post_form(manager, "/org/revenue", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert profiles(app, org.id) == []


def test_members_read_but_do_not_edit(app, client, make, org, rates):
    add_profile(app, org.id)
    login(client, make.user(Role.PARTNER, org=org).email)
    html = client.get("/org/revenue").get_data(as_text=True)
    assert "2024" in html and "Only your organisation's managers" in html
    data = {
        "fiscal_year": 2025,
        "currency": "EUR",
        "total_revenue": "1",
        "cloud_revenue": "0",
        "customers": 1,
        "seats": 1,
    }
    assert post_form(client, "/org/revenue", data).status_code == 403
    assert client.get("/org/revenue/import").status_code == 403


def test_import_previews_then_writes_on_confirm(app, manager, org):
    add_profile(app, org.id)
    preview = upload(manager, GOOD_FILE)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Updated" in html and "New" in html and "987,654,321" in html
    assert profiles(app, org.id) == [(2024, "EUR", 5, 1)]  # nothing written yet
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    done = post_form(manager, "/org/revenue/import/confirm", {"token": token}, "/org/revenue")
    assert done.status_code == 302
    assert profiles(app, org.id) == [(2024, "EUR", 987654321, 120), (2025, "EUR", 999000000, 130)]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "revenue.import"))
        assert event.details["new"] == 1 and event.details["updated"] == 1


def test_a_bad_file_lists_every_problem_and_writes_nothing(app, manager, org):
    bad = f"{HEADER}\n2024,EUR,100,200,1,1\n2025,ABC,-1,0,1,1\n"
    response = upload(manager, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was changed" in html
    assert html.count("<tr><td>") == 3  # three problems, each with row and column
    assert profiles(app, org.id) == []


def test_a_tampered_or_foreign_preview_token_is_refused(app, client, make, manager, org):
    token = re.search(
        r'name="token" type="hidden" value="([^"]+)"',
        upload(manager, GOOD_FILE).get_data(as_text=True),
    ).group(1)
    tampered = post_form(
        manager, "/org/revenue/import/confirm", {"token": token[:-4] + "AAAA"}, "/org/revenue"
    )
    assert tampered.status_code == 302
    other = app.test_client()
    login(other, make.user(Role.PARTNER, is_org_manager=True).email)
    post_form(other, "/org/revenue/import/confirm", {"token": token}, "/org/revenue")
    assert profiles(app, org.id) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(RevenueProfile.id))) == 0


def test_the_template_downloads(manager):
    response = manager.get("/org/revenue/template.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert response.data.decode("utf-8-sig").startswith(HEADER)


def test_vote_revenue_is_shown_to_our_organisation_only(
    app, client, make, org, rates, make_requirement
):
    rid = make_requirement()
    member = make.user(Role.PARTNER, org=org)
    login(client, member.email)
    post_form(
        client,
        f"/requirements/{rid}/vote",
        {
            "importance": "important",
            "consent": "anonymous",
            "revenue_at_stake": "654321",
            "currency": "EUR",
        },
        f"/requirements/{rid}",
    )
    assert "654,321" in client.get("/org/").get_data(as_text=True)
    assert "654,321" in client.get(f"/requirements/{rid}").get_data(as_text=True)
    for role in (Role.PARTNER, Role.EDITOR, Role.VENDOR):
        other = app.test_client()
        login(other, make.user(role).email)
        assert "654,321" not in other.get(f"/requirements/{rid}").get_data(as_text=True)
        assert "654,321" not in other.get("/requirements").get_data(as_text=True)


@pytest.mark.parametrize(("amount", "currency"), [("-5", "EUR"), ("100", "XYZ")])
def test_bad_revenue_at_stake_is_refused(app, manager, make_requirement, amount, currency):
    rid = make_requirement()
    response = post_form(
        manager,
        f"/requirements/{rid}/vote",
        {
            "importance": "important",
            "consent": "anonymous",
            "revenue_at_stake": amount,
            "currency": currency,
        },
        f"/requirements/{rid}",
    )
    assert response.status_code in (400, 409)
    from portal.models import Vote

    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id))) == 0


REVENUE_URLS = [
    ("get", "/org/"),
    ("get", "/org/revenue"),
    ("get", "/org/revenue/import"),
    ("get", "/org/revenue/template.csv"),
    ("get", "/admin/organisations/{org}/revenue"),
    ("get", "/admin/exchange-rates"),
]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VENDOR, "other-partner", "anonymous"])
@pytest.mark.parametrize(("method", "url"), REVENUE_URLS)
def test_every_revenue_url_refuses_outsiders(app, client, make, org, rates, role, method, url):
    add_profile(app, org.id, total=Decimal("987654321"))
    if role == "other-partner":
        login(client, make.user(Role.PARTNER, is_org_manager=True).email)
    elif role != "anonymous":
        login(client, make.user(role).email)
    response = client.get(url.format(org=org.id))
    body = response.get_data(as_text=True)
    assert "987,654,321" not in body and "987654321" not in body
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "other-partner" and url.startswith("/org"):
        assert response.status_code in (200, 403)  # their own organisation's pages, never ours
    else:
        assert response.status_code in (403, 404)


def test_admin_view_of_an_organisations_figures_is_audited(app, client, make, org, rates):
    add_profile(app, org.id, total=Decimal("987654321"))
    login(client, make.user(Role.ADMIN).email)
    assert "987,654,321" in client.get(f"/admin/organisations/{org.id}/revenue").get_data(
        as_text=True
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.target).where(AuditEvent.action == "revenue.admin_view")
            )
            == "acme"
        )


def test_admin_sets_an_exchange_rate(app, client, make, rates):
    login(client, make.user(Role.ADMIN).email)
    assert (
        post_form(client, "/admin/exchange-rates", {"currency": "gbp", "rate": "1.27"}).status_code
        == 302
    )
    bad = post_form(client, "/admin/exchange-rates", {"currency": "USD", "rate": "2"})
    assert bad.status_code == 400 and "always 1" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(
            select(ExchangeRate.rate).where(ExchangeRate.currency == "GBP")
        ) == Decimal("1.27")


def test_cli_import_succeeds_and_refuses_with_every_problem(app, runner, org, rates, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD_FILE)
    result = runner.invoke(args=["import-revenue", str(good), "--org", "acme"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new and 0 updated" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2024,EUR,100,200,1,1\n2023,ABC,5,1,1,1\n")
    refused = runner.invoke(args=["import-revenue", str(bad), "--org", "acme"])
    assert refused.exit_code != 0
    lines = [line for line in refused.output.splitlines() if line.startswith("bad.csv")]
    assert lines == [
        "bad.csv: row 2, column cloud_revenue: Cloud revenue (200) is above total revenue (100).",
        "bad.csv: row 3, column currency: Unknown currency “ABC”.",
    ]
    assert profiles(app, org.id)[0][2] == 987654321  # unchanged by the refused file
    missing = runner.invoke(args=["import-revenue", str(good), "--org", "nope"])
    assert missing.exit_code != 0 and "No partner organisation" in missing.output

"""No input answers 5xx: every GET route, as every role, with odd URL arguments and query strings;
and every decimal form field refuses what is not a number with a 400 and a field error.

Runs on SQLite and on PostgreSQL (which refuses NUL bytes in text and integers beyond its
range, so it finds more than SQLite would). Example counts are bounded: well under a minute.
"""

import re
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from portal.extensions import db
from portal.models import ExchangeRate, RevenueProfile, Role, User, Vote
from portal.revenue.importer import parse_revenue_file
from portal.tokens.services import create_token
from tests.conftest import csrf_token, login

ROLES = [None, Role.PARTNER, Role.EDITOR, Role.VENDOR, Role.ADMIN]
PARAMETERS = ["page", "per_page", "from", "to", "q", "product", "topic", "status", "sort"]
PARAMETERS += ["next", "year"]
HUGE = ["9223372036854775807", "9223372036854775808", "2147483648", "1" + "0" * 20, "-1", "0"]
NASTY = [
    *HUGE,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "sNaN",
    "NaN",
    "-Infinity",
    "1e999",
    "a\x00b",
    "\x00",
    "/\r\nX-Injected: 1",
    "//evil.example",
    "%",
    "' OR 1=1 --",
    "<script>",
    "١٢٣",
    " " * 3,
]
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=2**31 - 2, max_value=2**80).map(str),  # beyond every integer column
    st.integers(min_value=-10, max_value=10**6).map(str),
    st.dates().map(str),
    texts,
)


def get_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def build_url(rule, argument) -> str:
    """The rule's path with each argument filled by `argument(is_int)`, percent-encoded."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        is_int = isinstance(rule._converters[name], IntegerConverter)
        return quote(argument(is_int), safe="")

    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", fill, rule.rule)


@pytest.fixture
def clients(app, make, board):
    """A logged-in test client per role (anonymous too), and a vendor API token."""
    result = {}
    for role in ROLES:
        client = app.test_client()
        if role is not None:
            user = make.user(role)
            login(client, user.email)
            if role == Role.VENDOR:
                with app.app_context():
                    _, secret = create_token(db.session.get(User, user.id), "fuzz")
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        result[role] = client
    return result


def no_server_error(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    response.close()


def test_every_get_route_survives_known_bad_values_as_every_role(app, clients, board):
    """Each finding of the review, on every route and role: ids beyond the integer range, huge
    pages, far dates, CR/LF in next, NUL bytes; then all the odd values at once."""
    queries = [
        {"page": "9223372036854775807"},
        {"page": "1" + "0" * 20, "per_page": "1" + "0" * 20},
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"next": "/\r\nX-Injected: 1"},
        {"q": "a\x00b"},
        {"page": "-Infinity", "per_page": "sNaN", "from": "2026-02-30", "to": "1e999"}
        | {"q": "' OR 1=1 --", "product": "<script>", "topic": "%", "status": "NaN"}
        | {"sort": "١٢٣", "next": "//evil.example", "year": "9223372036854775808"},
    ]
    for rule in get_rules(app):
        real = build_url(rule, lambda is_int: str(board["big"]) if is_int else "x")
        beyond = build_url(rule, lambda is_int: "2147483648" if is_int else "x\x00")
        for client in clients.values():
            no_server_error(client, beyond)
            no_server_error(client, real)
            for query in queries:
                no_server_error(client, f"{real}?{urlencode(query)}")


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_get_route_answers_5xx_to_random_input(app, clients, board, data):
    rule = data.draw(st.sampled_from(get_rules(app)), label="route")
    ids = st.sampled_from([str(board["big"]), str(board["small"]), *HUGE])
    url = build_url(
        rule, lambda is_int: data.draw(st.one_of(ids, values) if is_int else values, label="arg")
    )
    names = st.one_of(st.sampled_from(PARAMETERS), texts)
    query = data.draw(st.lists(st.tuples(names, values), max_size=6), label="query")
    role = data.draw(st.sampled_from(ROLES), label="role")
    no_server_error(clients[role], f"{url}?{urlencode(query)}" if query else url)


# -- Decimal form fields -------------------------------------------------------------------------

NOT_NUMBERS = ["sNaN", "NaN", "-nan", "Infinity", "-Infinity", "inf", "1e999", "1E5", "1_000"]
NOT_NUMBERS += ["99999999999999999999", "12.345", "١٢٣", "1,5", "--1", "a\x00", "\x00"]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def post(client, url: str, form_page: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, form_page), **data})


def refused(response, field: str) -> bool:
    """A 400 whose page shows the refusal beside `field` (or says why the whole request was)."""
    text = response.get_data(as_text=True)
    beside_field = f'class="field-error" id="{field}-error"' in text
    return response.status_code == 400 and (beside_field or "NUL character" in text)


@pytest.fixture
def partner(app, client, make):
    user = make.user(Role.PARTNER, is_org_manager=True)
    login(client, user.email)
    return client


@pytest.fixture
def admin(app, make):
    client = app.test_client()
    login(client, make.user(Role.ADMIN).email)
    return client


decimal_inputs = st.one_of(st.sampled_from(NOT_NUMBERS), texts.filter(lambda t: t.strip()))


def acceptable(text: str, places: int, low: Decimal, high: Decimal) -> bool:
    """The oracle: digits and a point, at most `places` decimals, from `low` to `high`."""
    match = re.fullmatch(r"[+-]?(\d*)(?:\.(\d*))?", text.strip(), re.ASCII)
    if match is None or not (match.group(1) or match.group(2)):
        return False
    if len((match.group(2) or "").rstrip("0")) > places or len(match.group(1)) > 30:
        return False
    return low <= Decimal(text.strip()) <= high


def not_an_amount(text: str) -> bool:
    return not acceptable(text, 2, Decimal(0), Decimal(10**15))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(amount=decimal_inputs.filter(not_an_amount))
def test_vote_revenue_refuses_what_is_not_a_number(app, partner, board, amount):
    url = f"/requirements/{board['small']}"
    votes = count(app, Vote)
    response = post(
        partner,
        f"{url}/vote",
        url,
        {"importance": "important", "consent": "anonymous", "currency": "USD"}
        | {"revenue_at_stake": amount},
    )
    assert refused(response, "revenue_at_stake"), (amount, response.status_code)
    assert count(app, Vote) == votes


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(amount=decimal_inputs.filter(not_an_amount), field=st.sampled_from(["total", "cloud"]))
def test_revenue_profile_refuses_what_is_not_a_number(app, partner, rates, amount, field):
    data = {"fiscal_year": "2025", "currency": "USD", "customers": "10", "seats": "100"}
    data |= {"total_revenue": "1000", "cloud_revenue": "500", f"{field}_revenue": amount}
    response = post(partner, "/org/revenue", "/org/revenue", data)
    assert refused(response, f"{field}_revenue"), (amount, response.status_code)
    assert count(app, RevenueProfile) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(rate=decimal_inputs.filter(lambda t: not acceptable(t, 8, Decimal("1e-8"), Decimal(10**6))))
def test_exchange_rate_refuses_what_is_not_a_number(app, admin, rate):
    page = "/admin/exchange-rates"
    response = post(admin, page, page, {"currency": "CHF", "rate": rate})
    assert refused(response, "rate"), (rate, response.status_code)
    assert count(app, ExchangeRate) == 0


def test_plain_numbers_are_still_accepted(app, partner, rates):
    data = {"fiscal_year": "2025", "currency": "USD", "customers": "10", "seats": "100"}
    data |= {"total_revenue": " 1234567.50 ", "cloud_revenue": "0012.5"}
    assert post(partner, "/org/revenue", "/org/revenue", data).status_code == 302
    with app.app_context():
        profile = db.session.scalars(select(RevenueProfile)).one()
        assert (profile.total_revenue, profile.cloud_revenue) == (
            Decimal("1234567.50"),
            Decimal("12.50"),
        )


@pytest.mark.parametrize("amount", ["sNaN", "NaN", "Infinity", "1e999", "9" * 40])
def test_revenue_import_refuses_what_is_not_an_amount(amount):
    """The importer reads amounts with its own notation rules; they refuse these as well."""
    header = "fiscal_year,currency,total_revenue,cloud_revenue,customers,seats"
    data = f"{header}\n2025,USD,{amount},1,1,1\n"
    parsed = parse_revenue_file(
        "r.csv", data.encode(), currencies={"USD"}, max_bytes=10_000, this_year=2026
    )
    assert not parsed.rows and [(p.row, p.column) for p in parsed.problems] == [
        (2, "total_revenue")
    ]

"""The bounds every request meets (portal/web/bounds.py, pagination, dates, next), one by one."""

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.auth.services import is_safe_next
from portal.extensions import db
from portal.models import Requirement, Role, User
from portal.reports.queries import FilterError, ReportFilters
from portal.tokens.services import create_token
from tests.conftest import login, post_form


@pytest.fixture
def vendor_client(client, make):
    login(client, make.user(Role.VENDOR).email)
    return client


@pytest.mark.parametrize(
    "requirement_id", ["0", "2147483648", "9223372036854775808", "1" + "0" * 30]
)
def test_ids_beyond_the_integer_range_are_404_on_every_engine(
    vendor_client, make_requirement, requirement_id
):
    assert vendor_client.get(f"/requirements/{make_requirement()}").status_code == 200
    assert vendor_client.get(f"/requirements/{requirement_id}").status_code == 404
    response = vendor_client.get(f"/surveys/{requirement_id}/report.csv")
    assert response.status_code == 404


def test_api_id_beyond_the_range_is_a_json_404(app, make):
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        _, secret = create_token(db.session.get(User, vendor.id), "t")
    response = app.test_client().get(
        "/api/v1/requirements/2147483648", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 404 and response.json["status"] == 404


@pytest.mark.parametrize("page", ["9223372036854775807", "1" + "0" * 20, "-5"])
def test_huge_pages_are_clamped_not_errors(vendor_client, make_requirement, page):
    make_requirement()
    for url in ("/requirements", "/reports/vendor", "/surveys"):
        assert vendor_client.get(f"{url}?page={page}").status_code == 200


@pytest.mark.parametrize("url", ["/reports/vendor", "/reports/vendor.csv", "/reports/vendor.xlsx"])
def test_dates_out_of_range_are_refused_with_a_message(vendor_client, make_requirement, url):
    make_requirement()
    response = vendor_client.get(f"{url}?to=9999-12-31")
    assert response.status_code == 400
    assert "The end date must be between 1900-01-01 and 2999-12-31." in response.text


def test_date_bounds_are_checked_in_the_shared_parser(ctx):
    with pytest.raises(FilterError) as error:
        ReportFilters.from_args(MultiDict({"from": "0001-01-01", "to": "2026-02-30"}))
    assert error.value.problems == [
        "The start date must be between 1900-01-01 and 2999-12-31.",
        "The end date must be a date like 2026-01-31, not “2026-02-30”.",
    ]
    filters = ReportFilters.from_args(MultiDict({"from": "1900-01-01", "to": "2999-12-31"}))
    assert (filters.date_from.year, filters.date_to.year) == (1900, 2999)


@pytest.mark.parametrize("target", ["/\r\nX-Injected: 1", "/ok\n", "/a\x00b", "/\x7f", "\t/x"])
def test_next_with_control_characters_is_not_followed(target):
    assert is_safe_next(target) is False


def test_login_ignores_a_next_with_cr_lf(client, make):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    response = client.get("/auth/login?next=%2F%0D%0AX-Injected%3A%201")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/requirements?q=a%00b", "The value of “q”"),
        ("/requirements?q%00=1", "A field name"),
        ("/briefs/a%00b", "The address"),
    ],
)
def test_nul_bytes_are_refused_before_any_view(vendor_client, url, where):
    response = vendor_client.get(url)
    assert response.status_code == 400
    assert f"{where} contains a NUL character" in response.text


def test_nul_byte_in_a_form_is_refused_and_nothing_written(app, client, make, catalogue):
    login(client, make.user(Role.PARTNER).email)
    data = {"title": "Bill\x00ing customers", "body": "We want to bill.", "product": catalogue[0]}
    response = post_form(client, "/requirements/new", data)
    assert response.status_code == 400
    assert "The value of “title” contains a NUL character" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/api/v1/requirements", "/api/v1/requirements/1", "/api/v1/reports/vendor"]
)
def test_undeclared_api_methods_are_405_with_allow(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405 and response.json["status"] == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}

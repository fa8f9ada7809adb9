"""Landing page, home page navigation by role, health check, error pages."""

import pytest

from portal.models import Role
from tests.conftest import login


def test_landing_page_invites_visitors_to_log_in(client):
    html = client.get("/").get_data(as_text=True)
    assert "Log in" in html
    assert "/auth/logout" not in html


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        (Role.PARTNER, "Our organisation", "Admin"),
        (Role.EDITOR, "Channel Voice", "Our organisation"),
        (Role.VENDOR, "Channel Voice", "Our organisation"),
        (Role.ADMIN, "Admin", "Our organisation"),
    ],
)
def test_logged_in_home_shows_role_navigation_and_logout(client, make, role, expected, absent):
    user = make.user(role)
    login(client, user.email)
    html = client.get("/").get_data(as_text=True)
    assert 'action="/auth/logout"' in html
    assert expected in html
    assert f">{absent}<" not in html


def test_favicon_is_served_at_the_root_and_linked_from_pages(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_unknown_page_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_static_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/pico/pico.min.css" in html
    assert "http://" not in html.split("<body")[0].replace("http://localhost", "")
    assert client.get("/static/vendor/pico/pico.min.css").status_code == 200


def test_pages_carry_security_headers(client):
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"

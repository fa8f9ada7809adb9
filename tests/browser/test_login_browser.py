"""Logging in through a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

DEMO_NAV = {
    "partner@example.com": ["Our organisation"],
    "editor@example.com": [],
    "vendor@example.com": [],
    "admin@example.com": ["Admin"],
}


def log_in(page: Page, live_server: str, email: str, password: str = "demo-password") -> None:
    page.goto(f"{live_server}/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("email", sorted(DEMO_NAV))
def test_each_demo_role_logs_in_and_sees_its_navigation(page: Page, live_server, demo, email):
    log_in(page, live_server, email)
    expect(page.get_by_text("Welcome back")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label in DEMO_NAV[email]:
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    if email != "admin@example.com":
        expect(nav.get_by_role("link", name="Admin")).to_have_count(0)


def test_wrong_password_shows_an_error(page: Page, live_server, demo):
    log_in(page, live_server, "partner@example.com", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail address or password.")
    expect(page).to_have_url(re.compile(r"/auth/login$"))


def test_log_out_returns_to_the_login_page(page: Page, live_server, demo):
    log_in(page, live_server, "editor@example.com")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()


def test_admin_invites_a_partner_who_signs_up(page: Page, live_server, demo, browser):
    log_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server}/admin/users/invite")
    page.get_by_label("E-mail address").fill("newbie@example.com")
    page.get_by_label("Organisation", exact=True).select_option(label="Kestrel Systems")
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_label("Sign-up link").input_value()
    assert "/auth/register/" in link
    newcomer = browser.new_context().new_page()
    newcomer.goto(link.replace("http://localhost", live_server))
    newcomer.get_by_label("Your name").fill("Nora Newbie")
    newcomer.get_by_label("Choose a password").fill("a-long-password")
    newcomer.get_by_label("Repeat the password").fill("a-long-password")
    newcomer.get_by_role("button", name="Create my account").click()
    expect(newcomer.get_by_text("Your account is ready")).to_be_visible()
    newcomer.screenshot(path="test-results/signed-up.png", full_page=True)

"""Merging a duplicate in a real browser: find the one to keep by title, confirm, or cancel."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in

DUPLICATE = "Wholesale price list for partner-billed subscriptions"
TARGET = "Let partners invoice BPOS customers directly"


def open_confirmation(page: Page, live_server: str) -> str:
    """From the duplicate's page to the confirmation; returns the duplicate's URL."""
    page.goto(f"{live_server}/requirements?q=wholesale")
    page.get_by_role("link", name=DUPLICATE).click()
    duplicate_url = page.url
    page.get_by_label("Merge into: its number or words from its title").fill("invoice BPOS")
    page.get_by_role("button", name=re.compile(r"Merge #\d+ into…")).click()
    page.get_by_role("button", name=re.compile(f"Choose #\\d+ {TARGET}")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Merge #\d+ into #\d+\?"))).to_be_visible()
    return duplicate_url


def test_vendor_merges_a_duplicate_after_seeing_both(page: Page, live_server, demo):
    log_in(page, live_server, "vendor@example.com")
    duplicate_url = open_confirmation(page, live_server)
    expect(page.locator(".merge-card").first).to_contain_text(DUPLICATE)
    expect(page.locator(".merge-card").last).to_contain_text(TARGET)
    expect(page.locator(".merge-effects")).to_contain_text("becomes Merged")
    page.screenshot(path="test-results/merge-confirm-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="test-results/merge-confirm-375.png", full_page=True)

    page.get_by_role("button", name="Cancel").click()
    assert page.url == duplicate_url
    expect(page.get_by_role("heading", name=DUPLICATE)).to_be_visible()

    open_confirmation(page, live_server)
    page.get_by_role("button", name=re.compile(r"^Merge #\d+ into #\d+$")).click()
    expect(
        page.get_by_text(re.compile(r"Merged #\d+ into #\d+; its author and voters"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name=TARGET)).to_be_visible()

    page.goto(duplicate_url)
    expect(page.get_by_role("heading", name=TARGET)).to_be_visible()
    expect(page.get_by_text(re.compile(r"#\d+ was merged into #\d+"))).to_be_visible()

"""The requirement board in a real browser: post with suggestions, vote, comment, respond."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in


def test_partner_sees_similar_requirements_while_typing_and_posts(page: Page, live_server, demo):
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/requirements/new")
    page.get_by_label("Title").fill("Partners invoice BPOS customers themselves")
    suggestions = page.locator("#similar")
    expect(suggestions).to_be_visible()
    expect(
        suggestions.get_by_role("link", name="Let partners invoice BPOS customers directly")
    ).to_be_visible()
    page.get_by_label("Title").fill("Quarterly invoicing option for Intune bundles")
    page.get_by_label("Details").fill("Our customers pay **quarterly**.")
    page.get_by_label("Product").select_option(label="Windows Intune")
    page.get_by_role("group", name="Topics").get_by_role("checkbox", name="Bundling").check()
    page.get_by_role("button", name="Post requirement").click()
    expect(
        page.get_by_role("heading", name="Quarterly invoicing option for Intune bundles")
    ).to_be_visible()
    expect(page.locator(".req-body strong")).to_have_text("quarterly")
    page.screenshot(path="test-results/board-posted.png", full_page=True)


def test_partner_votes_and_comments(page: Page, live_server, demo):
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/requirements?q=telephony")
    page.get_by_role("link", name=re.compile("Telephony bundle")).click()
    votes_before = int(page.locator(".stats-card dl.counts dd").first.inner_text())
    page.get_by_role("radio", name="Showstopper").check()
    page.get_by_role("radio", name=re.compile("Named: the vendor")).check()
    page.get_by_role("button", name=re.compile("Vote|Change my vote")).click()
    expect(page.get_by_text("Your vote is saved.")).to_be_visible()
    votes_after = int(page.locator(".stats-card dl.counts dd").first.inner_text())
    assert votes_after in (votes_before, votes_before + 1)
    expect(page.get_by_text("You voted showstopper")).to_be_visible()
    page.get_by_label("Your comment").fill("We would sell this **tomorrow**.")
    page.get_by_label("Quotable with our organisation's name").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    expect(page.locator(".comment strong", has_text="tomorrow")).to_be_visible()


def test_vendor_publishes_a_status_and_response(page: Page, live_server, demo):
    log_in(page, live_server, "vendor@example.com")
    page.goto(f"{live_server}/requirements?sort=score")
    page.locator("ol.board h2 a").first.click()
    page.get_by_label("Status", exact=True).select_option(label="Planned")
    page.get_by_label("Official response").fill("Planned for the **spring** release.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("watchers are notified")).to_be_visible()
    expect(page.locator("#official-response")).to_contain_text("spring")
    page.screenshot(path="test-results/board-vendor.png", full_page=True)

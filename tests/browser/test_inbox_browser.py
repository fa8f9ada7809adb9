"""The editor's inbox in a real browser: import a message, record a vote, the partner sees it."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in

MAIL = Path(__file__).parent.parent / "inbox" / "mail"


def test_editor_turns_an_email_into_a_vote_the_partner_sees(page: Page, live_server, demo):
    log_in(page, live_server, "editor@example.com")
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("link", name=re.compile("Facturation BPOS"))).to_be_visible()
    page.get_by_role("button", name="Import mail").click()
    page.get_by_label("Mail file (.eml or .mbox)").set_input_files(str(MAIL / "plain.eml"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 1 e-mail(s); 0 already in the inbox.")).to_be_visible()
    page.get_by_role("link", name="BPOS billing: we need to invoice customers ourselves").click()
    expect(page.get_by_text("Brightpath IT").first).to_be_visible()
    page.screenshot(path="test-results/inbox-item.png", full_page=True)
    form = page.locator("form", has=page.get_by_role("button", name="Record vote"))
    chosen = form.get_by_label("Requirement").input_value()
    assert chosen  # the best suggestion is chosen already
    form.get_by_role("radio", name="Showstopper").check()
    form.get_by_role("button", name="Record vote").click()
    expect(page.get_by_text("Recorded on behalf of the organisation.")).to_be_visible()
    assert page.url.endswith(f"/requirements/{chosen}")

    page.context.clear_cookies()
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/org/")
    section = page.locator("#from-emails")
    expect(
        section.get_by_text(re.compile("from an e-mail of .* recorded by the editor"))
    ).to_be_visible()
    expect(section.get_by_text(re.compile("showstopper, anonymous"))).to_be_visible()
    page.screenshot(path="test-results/inbox-org.png", full_page=True)
    section.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("Withdrawn.")).to_be_visible()

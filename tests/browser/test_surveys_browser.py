"""Surveys in a real browser: a partner answers the open demo survey; the editor reads a report."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in


def test_partner_answers_the_open_survey(page: Page, live_server, demo):
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/surveys")
    page.get_by_role("button", name="Answer this survey").click()
    expect(page.get_by_role("heading", name="Windows Intune: bundles and support")).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    page.get_by_role("radio", name="We plan to this year").check()
    page.get_by_role("checkbox", name="Helpdesk").check()
    page.get_by_role("checkbox", name="Security monitoring").check()
    page.locator("fieldset", has_text="How important is partner billing").get_by_role(
        "radio", name="4"
    ).check()
    page.get_by_label("Your answer").fill("Per-user pricing does not fit our contracts.")
    page.get_by_role("radio", name="Yes, without our name").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Helpdesk")).to_be_checked()
    page.screenshot(path="test-results/survey-answered.png", full_page=True)


def test_editor_reads_the_report_with_charts_and_suppressed_groups(page: Page, live_server, demo):
    log_in(page, live_server, "editor@example.com")
    page.goto(f"{live_server}/surveys")
    page.get_by_role("link", name="Billing for the vendor's online services").click()
    page.get_by_role("button", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Report: Billing"))).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator(".suppressed").first).to_be_visible()
    expect(page.locator("blockquote.quote").first).to_be_visible()
    page.screenshot(path="test-results/survey-report.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

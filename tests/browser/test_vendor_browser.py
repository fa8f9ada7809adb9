"""The vendor report in a real browser: filter, read, export the same view."""

import csv

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in


def test_vendor_filters_the_report_and_exports_that_view(page: Page, live_server, demo):
    log_in(page, live_server, "vendor@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendor report").click()
    expect(page.get_by_role("heading", name="Vendor report")).to_be_visible()
    page.get_by_label("Product").select_option(label="Windows Intune")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        f"{live_server}/reports/vendor?product=windows-intune&topic=&status=&from=&to="
    )
    rows = page.locator(".vendor-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path="test-results/vendor-report.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    with open(download.value.path(), encoding="utf-8", newline="") as exported:
        table = list(csv.reader(exported))
    header, data = table[0], table[1 : table.index([])]  # footnotes follow a blank row
    assert [row[header.index("product")] for row in data] == ["Windows Intune"] * 4

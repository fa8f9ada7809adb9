"""Revenue import in a browser: upload, read the preview, confirm; bad files list problems."""

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in

HEADER = "fiscal_year,currency,total_revenue,cloud_revenue,customers,seats"


def test_manager_imports_a_file_through_the_preview(page: Page, live_server, demo, tmp_path):
    good = tmp_path / "revenue.csv"
    good.write_text(
        f"{HEADER}\n2025,EUR,987654321,12345678,140,5200\n2026,EUR,1000000000,20000000,150,6000\n"
    )
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/org/revenue")
    page.get_by_role("button", name="Import a file").click()
    page.get_by_label("Revenue file (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.locator("tr.change-updated")).to_have_count(1)
    expect(page.locator("tr.change-new")).to_have_count(1)
    page.screenshot(path="test-results/revenue-preview.png", full_page=True)
    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_text("Imported 1 new and 1 updated year(s).")).to_be_visible()
    expect(page.get_by_role("cell", name="987,654,321")).to_be_visible()


def test_a_bad_file_shows_every_problem(page: Page, live_server, demo, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2025,EUR,100,200,1,1\n2024,ABC,-1,0,1,1\n")
    log_in(page, live_server, "partner@example.com")
    page.goto(f"{live_server}/org/revenue/import")
    page.get_by_label("Revenue file (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Preview import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("nothing was changed")
    expect(alert.locator("tbody tr")).to_have_count(3)
    page.screenshot(path="test-results/revenue-problems.png", full_page=True)

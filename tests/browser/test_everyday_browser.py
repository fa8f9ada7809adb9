"""Everyday forms in a real browser: the related-requirements filter and the survey builder."""

from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in


def test_editor_filters_related_requirements_and_builds_questions(page: Page, live_server, demo):
    log_in(page, live_server, "editor@example.com")
    page.goto(f"{live_server}/surveys/new")
    page.get_by_label("Title").fill("Invoicing survey")
    picker = page.locator("fieldset.picker")
    labels = picker.locator(".picker-list label")
    total = labels.count()
    page.get_by_label("Filter related requirements").fill("consolidated invoice")
    expect(labels.locator("visible=true")).to_have_count(1)
    picker.get_by_role("checkbox", name="Consolidated invoice for CRM Online and BPOS").check()
    page.get_by_label("Filter related requirements").fill("")
    expect(labels.locator("visible=true")).to_have_count(total)
    expect(picker.locator(".picker-count")).to_contain_text("1 ticked")
    page.get_by_label("Filter related requirements").press("Enter")  # filters, does not submit
    expect(page).to_have_url(f"{live_server}/surveys/new")
    page.get_by_role("button", name="Save survey").click()
    expect(page.get_by_text("The survey is saved.")).to_be_visible()

    choices = page.get_by_label("Choices, one per line (single and multiple choice only)")
    expect(choices).to_be_visible()
    page.get_by_label("Kind").select_option("scale")
    expect(choices).to_be_hidden()
    page.get_by_role("textbox", name="Question").fill("How much would it help?")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("How much would it help?")).to_be_visible()
    page.get_by_role("button", name="Preview as a partner").click()
    expect(page.get_by_text("Preview: this is the form partners see")).to_be_visible()
    expect(page.get_by_role("radio", name="5", exact=True)).to_be_visible()

"""The main pages in a real browser, as each demo role: they fit a phone's width, the vote panel
comes before the discussion on a phone, and axe-core finds no serious accessibility problem.

The demo is seeded once for the module: these tests only read.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from tests.browser.test_login_browser import log_in
from tests.conftest import empty_database
from tests.main_pages import demo_ids, main_pages

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
ROLES = ["visitor", "partner", "editor", "vendor", "admin"]


@pytest.fixture(autouse=True)
def _clean_database() -> None:
    """Overrides the suite's emptying after each test: the module's tests share one demo."""


@pytest.fixture(scope="module")
def ids(app: Flask) -> Iterator[dict[str, int]]:
    with app.app_context():
        seeded = demo_ids()
        db.session.remove()
    yield seeded
    with app.app_context():
        empty_database()


def pages_of(role: str, ids: dict[str, int]) -> tuple[str | None, list[str]]:
    email = None if role == "visitor" else f"{role}@example.com"
    return email, dict(main_pages(ids))[email]


def visit_as(page: Page, live_server: str, role: str, ids: dict[str, int]) -> list[str]:
    """Logs the page in as the role; returns the role's main page URLs."""
    email, urls = pages_of(role, ids)
    if email:
        log_in(page, live_server, email)
        page.wait_for_url(lambda url: "/auth/login" not in url)
    return urls


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_fit_a_phone_screen(page: Page, live_server, ids, role):
    page.set_viewport_size(PHONE)
    too_wide = {}
    for url in visit_as(page, live_server, role, ids):
        page.goto(f"{live_server}{url}")
        if excess := overflow(page):
            too_wide[url] = excess
    assert too_wide == {}


def test_phone_shows_the_vote_panel_before_the_discussion(page: Page, live_server, ids):
    page.set_viewport_size(PHONE)
    visit_as(page, live_server, "partner", ids)
    page.goto(f"{live_server}/requirements/{ids['requirement']}")
    vote = page.locator("#vote")
    discussion = page.get_by_role("heading", name="Discussion")
    expect(vote).to_be_visible()
    vote_box, discussion_box = vote.bounding_box(), discussion.bounding_box()
    assert vote_box and discussion_box
    assert vote_box["y"] + vote_box["height"] <= discussion_box["y"]
    # Reading order (screen readers, the Tab key) is the order on screen.
    assert vote.evaluate(
        "(v) => !!(v.compareDocumentPosition(document.getElementById('comments-heading'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )


def test_desktop_shows_the_vote_panel_beside_the_discussion(page: Page, live_server, ids):
    page.set_viewport_size(DESKTOP)
    visit_as(page, live_server, "partner", ids)
    page.goto(f"{live_server}/requirements/{ids['requirement']}")
    vote_box = page.locator("#vote").bounding_box()
    discussion_box = page.get_by_role("heading", name="Discussion").bounding_box()
    assert vote_box and discussion_box
    assert vote_box["x"] >= discussion_box["x"] + discussion_box["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("role", ROLES)
def test_main_pages_have_no_serious_accessibility_violations(
    page: Page, live_server, ids, role, viewport
):
    page.set_viewport_size(viewport)
    found = []
    for url in visit_as(page, live_server, role, ids):
        page.goto(f"{live_server}{url}")
        page.evaluate(AXE.read_text())  # not add_script_tag: the portal's CSP blocks inline scripts
        violations = page.evaluate(
            "async () => (await axe.run()).violations"
            ".filter((v) => v.impact === 'serious' || v.impact === 'critical')"
            ".map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`)"
        )
        found += [f"{url} {violation}" for violation in violations]
    assert not found, "\n".join(found)

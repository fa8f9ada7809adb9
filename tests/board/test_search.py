"""Full-text search on both engines, through one function."""

import pytest
from sqlalchemy import select

from portal.board.search import matches
from portal.extensions import db
from portal.models import Requirement, Role, Status
from tests.conftest import login


def titles(condition) -> list[str]:
    return sorted(db.session.scalars(select(Requirement.title).where(condition)))


@pytest.fixture
def searchable(app, make_requirement):
    make_requirement("Let partners invoice BPOS customers", "Billing on our own invoice.")
    make_requirement("Bundle Intune with managed desktops", "One price for the bundle.")
    make_requirement("White label under the telco brand", "Our brand on the portal.")


def test_every_word_must_match(ctx, searchable):
    assert titles(matches("invoice customers")) == ["Let partners invoice BPOS customers"]
    assert titles(matches("invoice bundle")) == []


def test_the_last_word_matches_as_a_prefix(ctx, searchable):
    assert titles(matches("white lab")) == ["White label under the telco brand"]


def test_body_text_is_searched(ctx, searchable):
    assert titles(matches("price")) == ["Bundle Intune with managed desktops"]


def test_any_term_mode_finds_partial_overlap(ctx, searchable):
    found = titles(matches("partners should bundle billing", any_term=True))
    assert found == ["Bundle Intune with managed desktops", "Let partners invoice BPOS customers"]


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "NEAR(a b", "a AND OR NOT", "*", "'; DROP TABLE requirement; --", "^~:"],
)
def test_query_syntax_never_errors(ctx, searchable, query):
    titles(matches(query))  # no exception, whatever the engine's query language


def test_search_index_follows_edits(ctx, searchable):
    requirement = db.session.scalar(select(Requirement).where(Requirement.title.like("White%")))
    requirement.title = "Reseller branding everywhere"
    db.session.commit()
    assert titles(matches("reseller")) == ["Reseller branding everywhere"]
    assert titles(matches("telco")) == []


def test_similar_endpoint_suggests_existing_requirements(client, make, searchable):
    login(client, make.user(Role.PARTNER).email)
    found = client.get("/requirements/similar?q=partner invoicing for customers").json
    assert [item["title"] for item in found] == ["Let partners invoice BPOS customers"]
    assert found[0]["url"].startswith("/requirements/")


def test_similar_leaves_out_merged_requirements(app, client, make, searchable):
    with app.app_context():
        db.session.execute(db.update(Requirement).values(status=Status.MERGED))
        db.session.commit()
    login(client, make.user(Role.PARTNER).email)
    assert client.get("/requirements/similar?q=invoice").json == []


def test_similar_puts_the_best_match_before_the_most_popular(app, client, make, make_requirement):
    popular = make_requirement("Partners want billing flexibility", "Customers and partners.")
    make_requirement("Let partners invoice BPOS customers directly", "Invoice the customers.")
    with app.app_context():
        db.session.get(Requirement, popular).score = 500
        db.session.commit()
    login(client, make.user(Role.PARTNER).email)
    found = client.get("/requirements/similar?q=invoice BPOS customers ourselves").json
    assert found[0]["title"] == "Let partners invoice BPOS customers directly"

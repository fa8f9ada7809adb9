"""`attempt`: the service's result, or its refusal rolled back and shown on the form or flashed."""

from pathlib import Path

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from portal.board import services as board
from portal.board.forms import RequirementForm
from portal.extensions import db
from portal.models import Requirement, Revision, Role, User
from portal.web.forms import REFUSED, attempt, form_status


@pytest.fixture
def posted(app):
    """A request context for a POST whose form has no CSRF token to check."""

    def enter(**data):
        return app.test_request_context(method="POST", data=data)

    return enter


def requirement_form(product_id: int, topic_ids: list[int]) -> RequirementForm:
    form = RequirementForm(meta={"csrf": False})
    form.product.choices = [(product_id, "BPOS")]
    form.topics.choices = [(t, str(t)) for t in topic_ids]
    assert form.validate()
    return form


def revisions() -> int:
    return db.session.scalar(select(func.count(Revision.id)))


def test_a_refusal_rolls_back_what_the_service_had_written(
    posted, make, make_requirement, catalogue
):
    product_id, topic_ids = catalogue
    author = make.user(Role.PARTNER)
    rid = make_requirement("The original title", author=author)
    with posted(title="A changed title", body="Changed.", product="1", topics="1"):
        form = requirement_form(product_id, topic_ids)
        requirement = db.session.get(Requirement, rid)
        # The service keeps a revision and changes the title before it finds the product unknown.
        result = attempt(
            form,
            board.edit_requirement,
            db.session.get(User, author.id),
            requirement,
            "A changed title",
            "Changed.",
            product_id + 100,
            topic_ids,
        )
        assert result is REFUSED
        db.session.commit()  # whatever commits later in the request finds nothing half-written
        assert revisions() == 0
        assert db.session.get(Requirement, rid).title == "The original title"


def test_a_refusal_naming_a_field_lands_on_that_field(posted, make, make_requirement, catalogue):
    product_id, topic_ids = catalogue
    author = make.user(Role.PARTNER)
    rid = make_requirement(author=author)
    with posted(title="A changed title", body="Changed.", product="1", topics="1"):
        form = requirement_form(product_id, topic_ids)
        user, requirement = db.session.get(User, author.id), db.session.get(Requirement, rid)
        attempt(form, board.edit_requirement, user, requirement, "A title", "B", 999, topic_ids)
        assert form.product.errors == ["Choose a product from the list."]
        assert form.form_errors == []
        assert form_status(form) == 400


def test_a_refusal_without_a_field_goes_at_the_top_of_the_form(
    posted, make, make_requirement, catalogue
):
    product_id, topic_ids = catalogue
    rid = make_requirement()
    stranger = make.user(Role.PARTNER)
    with posted(title="A changed title", body="Changed.", product="1", topics="1"):
        form = requirement_form(product_id, topic_ids)
        user, requirement = db.session.get(User, stranger.id), db.session.get(Requirement, rid)
        args = (user, requirement, "A changed title", "Changed.", product_id, topic_ids)
        assert attempt(form, board.edit_requirement, *args) is REFUSED
        assert form.form_errors == ["Only the author can edit this requirement."]
        assert not any(field.errors for field in form)


def test_a_refusal_with_no_form_to_show_again_is_flashed(posted, make, make_requirement):
    rid = make_requirement()
    partner = make.user(Role.PARTNER)
    with posted():
        result = attempt(None, board.withdraw_vote, db.session.get(User, partner.id), rid + 1)
        assert result is REFUSED
        assert get_flashed_messages(with_categories=True) == [
            ("error", "There is no such requirement.")
        ]


def test_success_returns_the_result_which_the_service_has_committed(posted, make, catalogue):
    product_id, topic_ids = catalogue
    author = make.user(Role.PARTNER)
    with posted(title="Let partners bill directly", body="Please.", product="1", topics="1"):
        form = requirement_form(product_id, topic_ids)
        created = attempt(
            form,
            board.create_requirement,
            db.session.get(User, author.id),
            title="Let partners bill directly",
            body="Please.",
            product_id=product_id,
            topic_ids=topic_ids,
        )
        assert isinstance(created, Requirement)
        assert form_status(form) == 200 and get_flashed_messages() == []
        db.session.rollback()  # the view has nothing left to commit
        assert db.session.get(Requirement, created.id).title == "Let partners bill directly"


def test_errors_other_than_refusals_are_not_swallowed(posted):
    def broken() -> None:
        raise RuntimeError("a bug, not a refusal")

    with posted(), pytest.raises(RuntimeError):
        attempt(None, broken)


def test_views_leave_queries_refusals_and_transactions_to_the_services():
    views = sorted(Path(__file__).parents[1].glob("portal/*/routes.py"))
    assert views
    for view in views:
        source = view.read_text()
        for forbidden in ("except ServiceError", "db.", "select("):
            assert forbidden not in source, f"{view.parent.name}/routes.py: {forbidden}"

"""Board fixtures: a product, topics and a requirement to vote on."""

import pytest

from portal.extensions import db
from portal.markup import render_markdown
from portal.models import Product, Requirement, Role, Topic


@pytest.fixture
def catalogue(app):
    """One product and two topics: (product_id, [topic_ids])."""
    with app.app_context():
        product = Product(name="BPOS", slug="bpos")
        topics = [
            Topic(name="Partner-led billing", slug="billing"),
            Topic(name="Bundling", slug="bundling"),
        ]
        db.session.add_all([product, *topics])
        db.session.commit()
        return product.id, [t.id for t in topics]


@pytest.fixture
def make_requirement(app, make, catalogue):
    """Factory: a requirement posted by a new partner (or `author`); returns its id."""
    product_id, topic_ids = catalogue

    def build(title="Let partners bill BPOS customers", body="We want to **bill**.", author=None):
        author = author or make.user(Role.PARTNER)
        with app.app_context():
            requirement = Requirement(
                title=title,
                body=body,
                body_html=render_markdown(body),
                product_id=product_id,
                topics=[db.session.get(Topic, topic_ids[0])],
                author_id=author.id,
                organisation_id=author.organisation_id,
            )
            db.session.add(requirement)
            db.session.commit()
            return requirement.id

    return build

"""Shared fixtures: one app per session on a migrated database, emptied after every test.

The database is SQLite in a temporary file, or the server named by TEST_DATABASE_URL
(`make test` runs the suite a second time on a throwaway PostgreSQL).

Tests that drive the HTTP client do not push an app context of their own (Flask-Login keeps the
user on `g`); they read the database inside `with app.app_context():` blocks or through `ctx`.
"""

import os
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestConfig
from portal import create_app
from portal.board import services as board_services
from portal.extensions import db
from portal.markup import render_markdown
from portal.models import (
    ExchangeRate,
    Importance,
    Organisation,
    OrgKind,
    PartnerType,
    Product,
    Region,
    Requirement,
    Role,
    SizeBand,
    Topic,
    User,
    VoteConsent,
)

PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_collection_modifyitems(config, items):
    """Tests that only make sense on one engine say so with a marker; skip them on the other."""
    engine = "postgresql" if "postgresql" in os.environ.get("TEST_DATABASE_URL", "") else "sqlite"
    for item in items:
        if "sqlite_only" in item.keywords and engine != "sqlite":
            item.add_marker(pytest.mark.skip(reason="SQLite-specific behaviour"))
        if "postgres_only" in item.keywords and engine != "postgresql":
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-specific behaviour"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url) -> Iterator[Flask]:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    yield app


def empty_database() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(app) -> Iterator[None]:
    yield
    with app.app_context():
        db.session.rollback()
        empty_database()


@pytest.fixture
def ctx(app) -> Iterator[Flask]:
    """An app context for tests that call services directly (not with the HTTP client)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, url: str = "/auth/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token on {url}"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict, form_page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the page that shows it."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    response = post_form(client, "/auth/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


class Factory:
    """Creates rows for tests; each call commits and returns a detached, loaded object."""

    def __init__(self, app: Flask):
        self.app = app
        self.counter = 0

    def _save(self, obj):
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj

    def org(self, kind: OrgKind = OrgKind.PARTNER, **fields) -> Organisation:
        self.counter += 1
        defaults = {"name": f"Org {self.counter}", "slug": f"org-{self.counter}", "kind": kind}
        if kind == OrgKind.PARTNER:
            defaults |= {
                "partner_type": PartnerType.VAR_SI,
                "region": Region.EMEA,
                "size_band": SizeBand.SMALL,
            }
        return self._save(Organisation(**(defaults | fields)))

    def user(
        self,
        role: Role = Role.PARTNER,
        org: Organisation | None = None,
        password: str = PASSWORD,
        **fields,
    ) -> User:
        self.counter += 1
        if org is None and role != Role.ADMIN:
            kind = {
                Role.PARTNER: OrgKind.PARTNER,
                Role.EDITOR: OrgKind.PUBLISHER,
                Role.VENDOR: OrgKind.VENDOR,
            }[role]
            org = self.org(kind)
        defaults = {
            "email": f"user{self.counter}@example.com",
            "display_name": f"User {self.counter}",
            "role": role,
            "organisation_id": org.id if org else None,
        }
        with self.app.app_context():
            user = User(**(defaults | fields))
            user.set_password(password)
        return self._save(user)


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


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


# Six organisations vote on "Partner billing"; their amounts (USD) are known. The fifth vote
# releases the first five amounts (sum 15,000, median 3,000); the sixth waits for four more.
AMOUNTS = [1_000, 2_000, 3_000, 4_000, 5_000, 6_000]
RELEASED_SUM, RELEASED_MEDIAN = sum(AMOUNTS[:5]), 3_000


@pytest.fixture
def rates(app):
    """Exchange rates into USD: USD 1, EUR 1.10."""
    with app.app_context():
        db.session.add_all(
            [
                ExchangeRate(currency="USD", rate=1),
                ExchangeRate(currency="EUR", rate=Decimal("1.10")),
            ]
        )
        db.session.commit()


@pytest.fixture
def board(app, make, make_requirement, rates):
    """Returns ids: the big requirement (6 orgs with amounts) and the small one (2 orgs)."""
    big = make_requirement("Partner billing for BPOS", "We bill.")
    small = make_requirement('=HYPERLINK("http://evil.example","x") @SUM(A1)', "Formula title.")
    regions = [Region.EMEA, Region.EMEA, Region.EMEA, Region.NA, Region.NA, Region.APAC]
    with app.app_context():
        for index, (amount, region) in enumerate(zip(AMOUNTS, regions, strict=True)):
            org = make.org(name=f"Voter {index}", slug=f"voter-{index}", region=region)
            user = db.session.get(User, make.user(Role.PARTNER, org=org).id)
            consent = VoteConsent.NAMED_TO_VENDOR if index == 0 else VoteConsent.ANONYMOUS
            importance = Importance.SHOWSTOPPER if index < 2 else Importance.IMPORTANT
            board_services.cast_vote(user, big, importance, consent, Decimal(amount), "USD")
            if index < 2:
                board_services.cast_vote(
                    user, small, Importance.NICE_TO_HAVE, consent, Decimal(999), "USD"
                )
    return {"big": big, "small": small}

"""The schema built by the Alembic migrations is the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from portal.database import include_in_migrations
from portal.extensions import db


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_migrations}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_name_constraints_by_convention(ctx):
    inspector = db.inspect(db.engine)
    unique_names = {u["name"] for u in inspector.get_unique_constraints("user")}
    assert "uq_user_email" in unique_names


SEED_ROWS = [
    "INSERT INTO organisation (id, name, slug, kind, verified, created_at)"
    " VALUES (1, 'Acme', 'acme', 'partner', 0, '2026-01-01')",
    "INSERT INTO user (id, email, display_name, password_hash, organisation_id, role, active,"
    " is_org_manager, notify, created_at)"
    " VALUES (1, 'a@example.com', 'A', 'x', 1, 'partner', 1, 0, 1, '2026-01-01')",
    "INSERT INTO product (id, name, slug, description, active) VALUES (1, 'P', 'p', '', 1)",
    "INSERT INTO requirement (id, title, body, body_html, product_id, status, response,"
    " response_html, created_at, updated_at, vote_count, org_count, showstopper_org_count,"
    " score, nice_to_have_votes, important_votes, showstopper_votes)"
    " VALUES (1, 'T', 'B', 'B', 1, 'open', '', '', '2026-01-01', '2026-01-01', 1, 1, 0, 3,"
    " 0, 1, 0)",
    "INSERT INTO vote (requirement_id, user_id, organisation_id, importance, consent, created_at,"
    " updated_at) VALUES (1, 1, 1, 3, 'anonymous', '2026-01-01', '2026-01-01')",
]


@pytest.mark.sqlite_only
def test_upgrading_a_populated_sqlite_database_keeps_its_rows(tmp_path):
    """Batch migrations rebuild tables; rows that reference them must survive (SQLite only)."""
    from flask_migrate import upgrade

    from config import TestConfig
    from portal import create_app

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="0004")
        for statement in SEED_ROWS:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM vote")).scalar() == 1
        assert db.session.execute(text("SELECT weekly_digest FROM user")).scalar() == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_connections_after_migrating_enforce_foreign_keys(app):
    """Migrating turns SQLite's foreign keys off; the pooled connection must get them back."""
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1

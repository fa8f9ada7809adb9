"""The schema built by the Alembic migrations is the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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

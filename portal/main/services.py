"""What the landing pages and the health check need to know."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db


def database_answers() -> bool:
    """Whether the database answers a trivial query; a failed one is rolled back."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True

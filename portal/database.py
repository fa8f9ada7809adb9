"""Declarative base with a naming convention so Alembic names constraints alike on every engine."""

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from markupsafe import Markup
from sqlalchemy import DateTime, MetaData, Table, Text, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL (and so on every engine)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class SanitisedHTML(TypeDecorator):
    """HTML that `portal.markup.render_markdown` produced; loaded as Markup, printed as is.

    Only render_markdown's output is ever assigned to these columns, so templates need no |safe.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and not isinstance(value, Markup):
            raise TypeError("SanitisedHTML columns take render_markdown() output only")
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Markup(value)  # noqa: S704  # nosec B704 - sanitised on the way in


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )

    if TYPE_CHECKING:
        __table__: ClassVar[Table]  # every model maps a plain table


# Search structures made by hand in the migrations (engine-specific), invisible to the models.
SEARCH_OBJECTS = ("requirement_fts", "ix_requirement_fts")


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the hand-made full-text search tables and indexes alone."""
    return not (name or "").startswith(SEARCH_OBJECTS)


_pragmas_installed = False


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def install_sqlite_pragmas() -> None:
    """On SQLite, enforce foreign keys and let readers and one writer overlap (WAL).

    The connect hook is registered once per process and ignores other engines.
    """
    global _pragmas_installed
    if not _pragmas_installed:
        event.listen(Engine, "connect", _sqlite_on_connect)
        _pragmas_installed = True

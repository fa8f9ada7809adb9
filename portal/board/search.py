"""Full-text search over requirements, behind one pair of functions for every engine.

SQLite uses the FTS5 table `requirement_fts` (kept by triggers), PostgreSQL a GIN index on
`to_tsvector('english', title || ' ' || body)`; both are made by the migrations.
"""

import re

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from portal.extensions import db
from portal.models import Requirement

WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "our", "that", "the", "to", "we", "with", "need", "want", "should", "able", "can",
}  # fmt: skip


def terms(query: str) -> list[str]:
    """The words of a query: letters and digits only, so no query syntax gets through."""
    return [w.lower() for w in WORD_RE.findall(query)][:MAX_TERMS]


def _words(query: str, any_term: bool) -> list[str]:
    words = terms(query)
    if any_term:
        words = [w for w in words if w not in STOPWORDS and len(w) > 2]
    return words


def _fts5_query(words: list[str], any_term: bool) -> str:
    """Every word quoted (no FTS5 syntax), as a prefix; AND by default, OR for any_term."""
    return (" OR " if any_term else " ").join(f'"{w}"*' for w in words)


def _tsquery(words: list[str], any_term: bool):
    return func.to_tsquery("english", (" | " if any_term else " & ").join(f"{w}:*" for w in words))


def _document():
    return func.to_tsvector("english", Requirement.title.op("||")(" ").op("||")(Requirement.body))


def matches(query: str, any_term: bool = False) -> ColumnElement[bool]:
    """A WHERE condition: requirements matching every word (or any word), as prefixes."""
    words = _words(query, any_term)
    if not words:
        return false()
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        ids = (
            select(literal_column("rowid", Integer))
            .select_from(text("requirement_fts"))
            .where(text("requirement_fts MATCH :fts").bindparams(fts=_fts5_query(words, any_term)))
        )
        return Requirement.id.in_(ids)
    if dialect == "postgresql":
        return _document().op("@@")(_tsquery(words, any_term))
    # Other engines: a plain, unindexed substring match.
    conditions = [
        Requirement.title.ilike(f"%{w}%") | Requirement.body.ilike(f"%{w}%") for w in words
    ]
    return or_(*conditions) if any_term else and_(*conditions)


def ranked(query: str, any_term: bool = False):
    """A subquery (id, relevance) of matching requirements; a higher relevance matches better."""
    words = _words(query, any_term)
    dialect = db.engine.dialect.name
    if dialect == "sqlite" and words:
        statement = text(
            "SELECT rowid AS id, -rank AS relevance FROM requirement_fts "
            "WHERE requirement_fts MATCH :fts"
        ).bindparams(fts=_fts5_query(words, any_term))
        return statement.columns(id=Integer, relevance=Float).subquery()
    if dialect == "postgresql" and words:
        tsquery = _tsquery(words, any_term)
        return (
            select(
                Requirement.id.label("id"), func.ts_rank(_document(), tsquery).label("relevance")
            )
            .where(_document().op("@@")(tsquery))
            .subquery()
        )
    return (
        select(Requirement.id.label("id"), literal(1.0).label("relevance"))
        .where(matches(query, any_term))
        .subquery()
    )

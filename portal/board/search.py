"""Full-text search over requirements, behind one function for every engine.

SQLite uses the FTS5 table `requirement_fts` (kept by triggers), PostgreSQL a GIN index on
`to_tsvector('english', title || ' ' || body)`; both are made by the migrations.
"""

import re

from sqlalchemy import ColumnElement, and_, false, func, literal_column, or_, select, text

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


def matches(query: str, any_term: bool = False) -> ColumnElement[bool]:
    """A WHERE condition: requirements matching every word (or any word), prefix on the last."""
    words = terms(query)
    if any_term:
        words = [w for w in words if w not in STOPWORDS and len(w) > 2]
    if not words:
        return false()
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        joiner = " OR " if any_term else " "
        fts = joiner.join(f'"{w}"*' for w in words)
        ids = (
            select(literal_column("rowid"))
            .select_from(text("requirement_fts"))
            .where(text("requirement_fts MATCH :fts").bindparams(fts=fts))
        )
        return Requirement.id.in_(ids)
    if dialect == "postgresql":
        joiner = " | " if any_term else " & "
        tsquery = joiner.join(f"{w}:*" for w in words)
        document = func.to_tsvector(
            "english", Requirement.title.op("||")(" ").op("||")(Requirement.body)
        )
        return document.op("@@")(func.to_tsquery("english", tsquery))
    # Other engines: a plain, unindexed substring match.
    conditions = [
        Requirement.title.ilike(f"%{w}%") | Requirement.body.ilike(f"%{w}%") for w in words
    ]
    return or_(*conditions) if any_term else and_(*conditions)

"""Vendor report queries: one filtered, ranked select shared by the page, the exports and the API.

Revenue and segment figures come from `portal.privacy`; nothing here reads revenue columns.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Self

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import selectinload

from portal import privacy
from portal.board.services import filter_requirements
from portal.database import utcnow
from portal.extensions import db
from portal.models import Requirement, RequirementMonth, Status
from portal.web.filters import RequirementFilters

BATCH = 500


class FilterError(ValueError):
    """Filter values the report cannot use; `problems` lists each one for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ReportFilters(RequirementFilters):
    """The report's filters: the shared ones plus dates; requirements are filtered by the date
    they were posted. The report uses no filter at all until every value is usable."""

    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Self:
        """Parse query arguments; raises FilterError listing every unusable value."""
        filters = super().from_args(args)
        if filters.problems:
            raise FilterError(filters.problems)
        return filters

    def read_args(self, args: Mapping[str, str]) -> None:
        super().read_args(args)
        self.date_from = self.read_date(args, "from", "The start date")
        self.date_to = self.read_date(args, "to", "The end date")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            self.problems.append("The start date is after the end date.")

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links to exports of the same view)."""
        args = {
            "product": self.product.slug if self.product else "",
            "topic": self.topic.slug if self.topic else "",
            "status": self.status.value if self.status else "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in args.items() if v}

    def describe(self) -> list[tuple[str, str]]:
        """Human-readable filters for notes, footers and the audit log."""
        return [
            ("Product", self.product.name if self.product else "All products"),
            ("Topic", self.topic.name if self.topic else "All topics"),
            ("Status", self.status.label if self.status else "All but merged"),
            ("Posted from", self.date_from.isoformat() if self.date_from else "the start"),
            ("Posted to", self.date_to.isoformat() if self.date_to else "today"),
        ]


def requirements_query(filters: ReportFilters) -> Select:
    """The report's requirements, ranked by score (then organisations, then newest)."""
    query = filter_requirements(select(Requirement), filters.product, filters.topic, filters.status)
    if filters.date_from is not None:
        query = query.where(
            Requirement.created_at >= datetime.combine(filters.date_from, time.min, UTC)
        )
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, UTC)
        query = query.where(Requirement.created_at < end)
    return query.options(
        selectinload(Requirement.product), selectinload(Requirement.topics)
    ).order_by(Requirement.score.desc(), Requirement.org_count.desc(), Requirement.id.desc())


def requirement_ids(filters: ReportFilters) -> Select:
    """The ids of the report's requirements, unordered (for counts and subqueries)."""
    return requirements_query(filters).with_only_columns(Requirement.id).order_by(None)


def rows_for(
    requirements: list[Requirement], viewer: Any, first_rank: int = 1, names: int | None = None
) -> list[dict[str, Any]]:
    """Report rows for a batch of requirements: live counts and shares; released revenue and
    the names `viewer` may see, through the privacy rules (the first `names` of them, or all)."""
    ids = [r.id for r in requirements]
    revenue = privacy.released_revenue(ids, viewer)
    named = privacy.named_organisations_for(ids, viewer, names)
    rows = []
    for rank, r in enumerate(requirements, first_rank):
        share = round(100 * r.showstopper_org_count / r.org_count) if r.org_count else None
        rows.append(
            {
                "rank": rank,
                "id": r.id,
                "title": r.title,
                "product": r.product.name,
                "topics": [t.name for t in r.topics],
                "status": r.status.value,
                "status_label": r.status.label,
                "created_at": r.created_at.date().isoformat(),
                "score": r.score,
                "votes": r.vote_count,
                "organisations": r.org_count,
                "showstopper_organisations": r.showstopper_org_count,
                "showstopper_share": share,
                "importance_mix": {
                    "nice_to_have": r.nice_to_have_votes,
                    "important": r.important_votes,
                    "showstopper": r.showstopper_votes,
                },
                "revenue_sum": revenue[r.id].total,
                "revenue_median": revenue[r.id].median,
                "named_organisations": named[r.id].names,
                "named_count": named[r.id].count,
            }
        )
    return rows


def all_rows(filters: ReportFilters, viewer: Any) -> Iterator[dict[str, Any]]:
    """Every matching row, fetched and enriched in batches (constant memory for exports).

    Batches continue after the last row's sort key (keyset), so each costs the same however
    deep into the report it is, unlike an OFFSET that re-reads every row before it.
    """
    viewer = privacy.Viewer.of(viewer)  # the session lets go of every object between batches
    order = tuple_(Requirement.score, Requirement.org_count, Requirement.id)
    after, rank = None, 1
    while True:
        query = requirements_query(filters)
        if after is not None:
            query = query.where(order < tuple_(*after))  # every sort column descends
        batch = list(db.session.scalars(query.limit(BATCH)))
        if not batch:
            return
        yield from rows_for(batch, viewer, rank)
        rank += len(batch)
        after = (batch[-1].score, batch[-1].org_count, batch[-1].id)
        db.session.expunge_all()  # keep the identity map from growing on a large board


def breakdowns(filters: ReportFilters) -> dict[str, Any]:
    """Who is asking: released segment cells of the filtered requirements, shown ones summed.

    Without topic or date filters the sums come from the kept totals per product and status.
    """
    kept = None
    if filters.topic is None and filters.date_from is None and filters.date_to is None:
        statuses = [filters.status] if filters.status else [s for s in Status if s != Status.MERGED]
        kept = (filters.product.id if filters.product else None, [s.value for s in statuses])
    return privacy.segment_totals(requirement_ids(filters), kept)


def trend(filters: ReportFilters, months: int = 12) -> list[dict[str, Any]]:
    """Votes and voting organisations per month (by when the vote was cast), from kept counts.

    Organisations are counted per requirement and summed, like the segment rows: an
    organisation voting on two requirements in a month counts twice.
    """
    now = utcnow()
    first = now.year * 12 + now.month - 1 - (months - 1)  # months counted from year 0
    keys = [f"{(first + i) // 12:04d}-{(first + i) % 12 + 1:02d}" for i in range(months)]
    query = (
        select(
            RequirementMonth.month,
            func.sum(RequirementMonth.votes),
            func.sum(RequirementMonth.organisations),
        )
        .where(RequirementMonth.month >= keys[0])
        .group_by(RequirementMonth.month)
    )
    if filters.as_args():
        query = query.where(RequirementMonth.requirement_id.in_(requirement_ids(filters)))
    # Unfiltered, every requirement counts: a merged one has no votes left (they moved).
    found = {key: (votes, orgs) for key, votes, orgs in db.session.execute(query)}
    return [
        {
            "month": k,
            "votes": int(found.get(k, (0, 0))[0]),
            "organisations": int(found.get(k, (0, 0))[1]),
        }
        for k in keys
    ]


def summary(filters: ReportFilters) -> dict[str, int]:
    """Headline numbers for the filtered set, from the requirements' kept counts.

    `organisations` adds each requirement's voting organisations (one organisation voting on
    three requirements counts three times), never a distinct count two filters could difference.
    """
    ids = requirement_ids(filters).subquery()
    requirements, votes, orgs = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Requirement.vote_count), 0),
            func.coalesce(func.sum(Requirement.org_count), 0),
        ).where(Requirement.id.in_(select(ids.c.id)))
    ).one()
    return {"requirements": requirements, "votes": int(votes), "organisations": int(orgs)}

"""Board rules: posting, voting, commenting, status and official responses, merging, search."""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, cast

from flask import abort
from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    Select,
    case,
    delete,
    distinct,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from portal import audit, notify, privacy
from portal.access import can_administer, can_respond, can_take_part
from portal.board import search
from portal.board.search import matches
from portal.database import utcnow
from portal.errors import ServiceError
from portal.extensions import db
from portal.markup import render_markdown
from portal.models import (
    Comment,
    Importance,
    Product,
    QuoteConsent,
    Requirement,
    RequirementMonth,
    Revision,
    Status,
    StatusChange,
    Topic,
    User,
    Vote,
    VoteConsent,
)
from portal.models.board import VENDOR_STATUSES
from portal.revenue.services import currencies
from portal.web.filters import RequirementFilters
from portal.webhooks import services as webhooks

T = TypeVar("T")

SORTS = {
    "score": "Score",
    "newest": "Newest",
    "votes": "Most votes",
    "showstoppers": "Most showstopper organisations",
    "revenue": "Revenue at stake",
}
CLOSED_FOR_VOTES = {Status.MERGED: "merged", Status.SHIPPED: "shipped"}


# -- Reading the board ---------------------------------------------------------------------------


@dataclass
class BoardFilters(RequirementFilters):
    """What the board shows: the shared filters plus search and sort; a bad value is left out
    (the rest still apply) with a note saying so."""

    sort: str = "score"
    q: str = ""

    INSTEAD: ClassVar[dict[str, str]] = {
        "product": "showing all products",
        "topic": "showing all topics",
        "status": "showing all",
        "sort": "sorting by score",
    }

    def read_args(self, args: Mapping[str, str]) -> None:
        super().read_args(args)
        self.q = args.get("q", "").strip()[:200]
        sort = args.get("sort", "score")
        if sort in SORTS:
            self.sort = sort
        else:
            self.problem("sort", f"“{sort[:50]}” is not a way to sort")


def filter_requirements(
    query: Select, product: Product | None, topic: Topic | None, status: Status | None
) -> Select:
    """Narrow a requirements select by product, topic and status (default: all but merged)."""
    if status is not None:
        query = query.where(Requirement.status == status)
    else:
        query = query.where(Requirement.status != Status.MERGED)
    if product is not None:
        query = query.where(Requirement.product_id == product.id)
    if topic is not None:
        query = query.where(Requirement.topics.any(Topic.id == topic.id))
    return query


def board_query(filters: BoardFilters, viewer: User | None = None) -> Select:
    """The board's requirements for these filters, in the chosen order (for this viewer)."""
    query = filter_requirements(select(Requirement), filters.product, filters.topic, filters.status)
    query = query.options(selectinload(Requirement.product), selectinload(Requirement.topics))
    if filters.q:
        query = query.where(matches(filters.q))
    if filters.sort == "revenue":
        return privacy.order_by_revenue(query, viewer)
    orders: dict[str, list[ColumnElement[Any]]] = {
        "score": [Requirement.score.desc(), Requirement.org_count.desc()],
        "newest": [Requirement.created_at.desc()],
        "votes": [Requirement.vote_count.desc(), Requirement.score.desc()],
        "showstoppers": [Requirement.showstopper_org_count.desc(), Requirement.score.desc()],
    }
    return query.order_by(*orders[filters.sort], Requirement.id.desc())


def similar_requirements(title: str, limit: int = 5) -> list[Requirement]:
    """Existing requirements sharing words with a title being typed, best match first."""
    if not search.terms(title):
        return []
    found = search.ranked(title, any_term=True)
    query = (
        select(Requirement)
        .join(found, found.c.id == Requirement.id)
        .where(Requirement.status != Status.MERGED)
        .order_by(found.c.relevance.desc(), Requirement.score.desc(), Requirement.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_requirement(requirement_id: int) -> Requirement:
    """The requirement, or a 404."""
    return db.get_or_404(Requirement, requirement_id)


def get_comment(requirement: Requirement, comment_id: int) -> Comment:
    """The requirement's comment, or a 404."""
    comment = db.get_or_404(Comment, comment_id)
    if comment.requirement_id != requirement.id:
        abort(404)
    return comment


def find_requirement(requirement_id: int) -> Requirement | None:
    """The requirement, or None."""
    return db.session.get(Requirement, requirement_id)


def products() -> list[Product]:
    """Every product by name, inactive ones too (older requirements still name them)."""
    return list(db.session.scalars(select(Product).order_by(Product.name)))


def topics() -> list[Topic]:
    """Every topic by name."""
    return list(db.session.scalars(select(Topic).order_by(Topic.name)))


def catalogue() -> tuple[list[Product], list[Topic]]:
    """Every product and every topic, by name (for filters and forms)."""
    return products(), topics()


def requirement_titles() -> list[tuple[int, str]]:
    """Id and title of every requirement not merged, best score first (to pick related ones)."""
    query = (
        select(Requirement.id, Requirement.title)
        .where(Requirement.status != Status.MERGED)
        .order_by(Requirement.score.desc())
    )
    return [(id_, title) for id_, title in db.session.execute(query)]


def visible_comments(requirement: Requirement, viewer: User) -> list[Comment]:
    """Comments in order; hidden ones only for admins (who see them marked)."""
    query = (
        select(Comment)
        .where(Comment.requirement_id == requirement.id)
        .options(selectinload(Comment.author).selectinload(User.organisation))
    )
    if not can_administer(viewer):
        query = query.where(~Comment.hidden)
    return list(db.session.scalars(query.order_by(Comment.created_at, Comment.id)))


def status_history(requirement: Requirement) -> list[StatusChange]:
    query = (
        select(StatusChange)
        .where(StatusChange.requirement_id == requirement.id)
        .options(selectinload(StatusChange.actor))
    )
    return list(db.session.scalars(query.order_by(StatusChange.created_at, StatusChange.id)))


def rendered_history(requirement: Requirement) -> list[tuple[StatusChange, Markup]]:
    """Each status change in order with its note (the response's markdown) rendered like every
    user text: markdown, then nh3."""
    return [
        (change, render_markdown(change.note) if change.note else Markup(""))
        for change in status_history(requirement)
    ]


@dataclass(frozen=True)
class OrganisationVote:
    """What the viewer's organisation did on one requirement: its highest importance, and the
    viewer's own importance when they voted themselves."""

    importance: Importance
    own: Importance | None


def organisation_votes(requirement_ids: list[int], viewer: User) -> dict[int, OrganisationVote]:
    """Per requirement id, how the viewer's organisation voted (absent: it did not); one query."""
    if not requirement_ids or not can_take_part(viewer) or viewer.organisation_id is None:
        return {}
    own = case((Vote.user_id == viewer.id, type_coerce(Vote.importance, Integer)), else_=None)
    query = (
        select(
            Vote.requirement_id,
            func.max(type_coerce(Vote.importance, Integer)),
            func.max(own),
        )
        .where(
            Vote.organisation_id == viewer.organisation_id,
            Vote.requirement_id.in_(requirement_ids),
        )
        .group_by(Vote.requirement_id)
    )
    return {
        requirement_id: OrganisationVote(
            Importance(highest), Importance(mine) if mine is not None else None
        )
        for requirement_id, highest, mine in db.session.execute(query)
    }


def own_vote(requirement: Requirement, user: User) -> Vote | None:
    return db.session.scalar(
        select(Vote).where(Vote.requirement_id == requirement.id, Vote.user_id == user.id)
    )


# -- Writing -------------------------------------------------------------------------------------


def _retry_on_conflict(operation: Callable[[], T], attempts: int = 8) -> T:
    """Run a write transaction again when a concurrent writer got there first."""
    for attempt in range(attempts):
        try:
            return operation()
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _check_partner(user: User) -> int:
    """The partner's organisation id; anyone else is refused."""
    if not can_take_part(user) or user.organisation_id is None:
        raise ServiceError("Only partner organisations' members can do this.")
    return user.organisation_id


def _topics(topic_ids: list[int]) -> list[Topic]:
    topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids))))
    if len(topics) != len(set(topic_ids)):
        raise ServiceError("Choose topics from the list.", "topics")
    return topics


def _product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not product.active:
        raise ServiceError("Choose a product from the list.", "product")
    return product


def create_requirement(
    author: User, title: str, body: str, product_id: int, topic_ids: list[int]
) -> Requirement:
    """Post a new requirement for the author's organisation."""
    _check_partner(author)
    requirement = Requirement(
        title=title.strip(),
        body=body,
        body_html=render_markdown(body),
        product=_product(product_id),
        topics=_topics(topic_ids),
        author_id=author.id,
        organisation_id=author.organisation_id,
    )
    db.session.add(requirement)
    db.session.flush()
    audit.record(author, "requirement.create", f"requirement:{requirement.id}")
    webhooks.emit("requirement.created", webhooks.requirement_data(requirement))
    db.session.commit()
    return requirement


def edit_requirement(
    editor: User,
    requirement: Requirement,
    title: str,
    body: str,
    product_id: int,
    topic_ids: list[int],
) -> Requirement:
    """The author changes their requirement; the previous text is kept as a revision."""
    if requirement.author_id != editor.id:
        raise ServiceError("Only the author can edit this requirement.")
    if requirement.status == Status.MERGED:
        raise ServiceError("A merged requirement can no longer be edited.")
    body_html = render_markdown(body)
    place = (requirement.product_id, requirement.status.value)
    db.session.add(
        Revision(
            requirement_id=requirement.id,
            editor_id=editor.id,
            title=requirement.title,
            body=requirement.body,
        )
    )
    requirement.title, requirement.body, requirement.body_html = title.strip(), body, body_html
    requirement.product = _product(product_id)
    requirement.topics = _topics(topic_ids)
    requirement.edited_at = utcnow()
    db.session.flush()
    privacy.requirement_moved(requirement.id, place, (requirement.product_id, place[1]))
    db.session.commit()
    return requirement


def refresh_aggregates(requirement_id: int | None = None) -> None:
    """Recompute the kept counts from the votes, for one requirement or (None) for all of them."""
    weight = type_coerce(Vote.importance, Integer)
    # Correlated on the row being updated, so the same UPDATE serves one row or the whole table.
    of_requirement = Vote.requirement_id == Requirement.id
    per_org = (
        select(func.max(weight).label("top"))
        .where(of_requirement)
        .group_by(Vote.organisation_id)
        .correlate(Requirement)  # a FROM subquery is not correlated unless asked
        .subquery()
    )

    def count_votes(*conditions):
        return select(func.count(Vote.id)).where(of_requirement, *conditions).scalar_subquery()

    statement = update(Requirement).values(
        vote_count=count_votes(),
        nice_to_have_votes=count_votes(weight == int(Importance.NICE_TO_HAVE)),
        important_votes=count_votes(weight == int(Importance.IMPORTANT)),
        showstopper_votes=count_votes(weight == int(Importance.SHOWSTOPPER)),
        org_count=select(func.count()).select_from(per_org).scalar_subquery(),
        showstopper_org_count=select(func.count())
        .select_from(per_org)
        .where(per_org.c.top == int(Importance.SHOWSTOPPER))
        .scalar_subquery(),
        score=select(func.coalesce(func.sum(per_org.c.top), 0)).scalar_subquery(),
    )
    if requirement_id is not None:
        statement = statement.where(Requirement.id == requirement_id)
    db.session.execute(statement.execution_options(synchronize_session=False))


def month_of(column):
    """`YYYY-MM` of a timestamp, in the engine's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def refresh_months(requirement_ids: list[int] | None = None) -> None:
    """Recompute the kept votes per month of these requirements (None: all) from the votes."""
    gone = delete(RequirementMonth)
    month = month_of(Vote.created_at)
    counts = select(
        Vote.requirement_id, month, func.count(Vote.id), func.count(distinct(Vote.organisation_id))
    ).group_by(Vote.requirement_id, month)
    if requirement_ids is not None:
        gone = gone.where(RequirementMonth.requirement_id.in_(requirement_ids))
        counts = counts.where(Vote.requirement_id.in_(requirement_ids))
    db.session.execute(gone.execution_options(synchronize_session=False))
    db.session.execute(
        insert(RequirementMonth).from_select(
            ["requirement_id", "month", "votes", "organisations"], counts
        )
    )


def votes_changed(requirement_ids: list[int], organisation_ids: list[int] | None = None) -> None:
    """Keep every count that follows the votes, in the vote's transaction: the requirement's
    counts and score, its votes per month, and the released figures (`privacy.refresh`)."""
    for requirement_id in requirement_ids:
        refresh_aggregates(requirement_id)
    refresh_months(requirement_ids)
    privacy.refresh(requirement_ids, organisation_ids)


def _lock_open_requirement(requirement_id: int) -> Requirement:
    """Load and lock the requirement row so concurrent votes on it queue up (PostgreSQL)."""
    requirement = db.session.scalar(
        select(Requirement).where(Requirement.id == requirement_id).with_for_update()
    )
    if requirement is None:
        raise ServiceError("There is no such requirement.")
    _check_open(requirement)
    return requirement


def _check_open(requirement: Requirement) -> None:
    if requirement.status in CLOSED_FOR_VOTES:
        state = CLOSED_FOR_VOTES[requirement.status]
        raise ServiceError(f"Voting is closed: this requirement has been {state}.")


def cast_vote(
    user: User,
    requirement_id: int,
    importance: Importance,
    consent: VoteConsent = VoteConsent.ANONYMOUS,
    revenue_at_stake: Decimal | None = None,
    currency: str | None = None,
) -> Vote:
    """Vote on a requirement, or change one's vote; one vote per user (a unique constraint).

    Revenue at stake is optional: what the requirement is worth to the voter's organisation.
    """
    organisation_id = _check_partner(user)
    if revenue_at_stake is not None:
        if revenue_at_stake < 0:
            raise ServiceError("Revenue at stake cannot be negative.", "revenue_at_stake")
        if currency not in currencies():
            raise ServiceError("Choose a currency from the list.", "currency")
    else:
        currency = None

    def write() -> Vote:
        requirement = _lock_open_requirement(requirement_id)
        vote = own_vote(requirement, user)
        if vote is None:
            vote = Vote(requirement_id=requirement.id, user_id=user.id)
            db.session.add(vote)
        vote.organisation_id = organisation_id
        vote.importance = importance
        vote.consent = consent
        vote.revenue_at_stake, vote.currency = revenue_at_stake, currency
        db.session.flush()
        votes_changed([requirement.id], [organisation_id])
        db.session.commit()
        return vote

    return _retry_on_conflict(write)


def vote_to_withdraw(user: User, requirement: Requirement) -> Vote:
    """The user's vote that withdrawing would remove; refused when voting is closed or none."""
    _check_open(requirement)
    vote = own_vote(requirement, user)
    if vote is None:
        raise ServiceError("You have not voted on this requirement.")
    return vote


def withdraw_vote(user: User, requirement_id: int) -> bool:
    """Remove the user's vote; returns whether there was one."""

    def write() -> bool:
        requirement = _lock_open_requirement(requirement_id)
        removed = cast(
            CursorResult,
            db.session.execute(
                delete(Vote).where(Vote.requirement_id == requirement.id, Vote.user_id == user.id)
            ),
        ).rowcount
        organisation_id = user.organisation_id
        votes_changed([requirement.id], [] if organisation_id is None else [organisation_id])
        db.session.commit()
        return bool(removed)

    return _retry_on_conflict(write)


def _requirement_link(requirement: Requirement) -> str:
    return notify.external_url("board.detail", requirement_id=requirement.id)


def add_comment(user: User, requirement: Requirement, body: str, quotable: QuoteConsent) -> Comment:
    """Comment on a requirement; the author hears about it (a reply)."""
    _check_partner(user)
    if requirement.status == Status.MERGED:
        raise ServiceError("This requirement was merged; comment on the one it was merged into.")
    comment = Comment(
        requirement_id=requirement.id,
        author_id=user.id,
        body=body,
        body_html=render_markdown(body),
        quotable=quotable,
    )
    db.session.add(comment)
    if requirement.author is not None:
        notify.queue(
            [requirement.author],
            f"New comment on “{requirement.title}”",
            f"{user.display_name} commented on your requirement:\n\n{body[:2000]}\n\n"
            f"{_requirement_link(requirement)}",
            exclude=user,
        )
    db.session.commit()
    return comment


def edit_comment(editor: User, comment: Comment, body: str, quotable: QuoteConsent) -> Comment:
    """The author changes their comment; the previous text is kept as a revision."""
    if comment.author_id != editor.id:
        raise ServiceError("Only the author can edit this comment.")
    body_html = render_markdown(body)
    db.session.add(Revision(comment_id=comment.id, editor_id=editor.id, body=comment.body))
    comment.body, comment.body_html, comment.quotable = body, body_html, quotable
    comment.edited_at = utcnow()
    db.session.commit()
    return comment


def set_comment_hidden(admin: User, comment: Comment, hidden: bool) -> None:
    """An admin hides (or shows again) an abusive comment; it is kept and audited."""
    if not can_administer(admin):
        raise ServiceError("Only administrators can hide comments.")
    comment.hidden = hidden
    action = "comment.hide" if hidden else "comment.unhide"
    audit.record(admin, action, f"comment:{comment.id}", requirement=comment.requirement_id)
    db.session.commit()


def _watchers(requirement: Requirement) -> list[User]:
    """Everyone who voted on, commented on or wrote the requirement."""
    voters = select(Vote.user_id).where(Vote.requirement_id == requirement.id)
    commenters = select(Comment.author_id).where(Comment.requirement_id == requirement.id)
    query = select(User).where(
        User.id.in_(voters) | User.id.in_(commenters) | (User.id == requirement.author_id)
    )
    return list(db.session.scalars(query.order_by(User.id)))


def set_status(actor: User, requirement: Requirement, status: Status, response: str) -> None:
    """The vendor sets the status and the official response; watchers are notified."""
    if not can_respond(actor):
        raise ServiceError("Only the vendor's channel team can respond officially.")
    if status not in VENDOR_STATUSES:
        raise ServiceError("Choose a status from the list.", "status")
    if requirement.status == Status.MERGED:
        raise ServiceError("This requirement was merged; respond on the one it was merged into.")
    response = response.strip()
    response_html = render_markdown(response)
    old_status = requirement.status
    response_changed = response != requirement.response
    if old_status == status and not response_changed:
        raise ServiceError("Nothing changed: pick another status or edit the response.")
    db.session.add(
        StatusChange(
            requirement_id=requirement.id,
            actor_id=actor.id,
            old_status=old_status,
            new_status=status,
            note=response if response_changed else "",
        )
    )
    requirement.status = status
    privacy.requirement_moved(
        requirement.id,
        (requirement.product_id, old_status.value),
        (requirement.product_id, status.value),
    )
    if response_changed:
        requirement.response, requirement.response_html = response, response_html
        requirement.responded_by_id, requirement.responded_at = actor.id, utcnow()
    audit.record(
        actor,
        "requirement.status",
        f"requirement:{requirement.id}",
        old=old_status.value,
        new=status.value,
        response_changed=response_changed,
    )
    if old_status != status:
        webhooks.emit("requirement.status_changed", webhooks.requirement_data(requirement))
    notify.queue(
        _watchers(requirement),
        f"“{requirement.title}” is now {status.label.lower()}",
        f"The vendor set “{requirement.title}” to {status.label.lower()}."
        + (f"\n\nOfficial response:\n{response}" if response_changed and response else "")
        + f"\n\n{_requirement_link(requirement)}",
        exclude=actor,
    )
    db.session.commit()


@dataclass(frozen=True)
class MergePlan:
    """What merging a duplicate into a target would move, for the confirmation page."""

    duplicate: Requirement
    target: Requirement
    votes: int  # votes on the duplicate
    shared_voters: int  # of those, people who voted on the target too: one vote is kept there
    organisations: int  # organisations voting on the duplicate
    new_organisations: int  # of those, organisations not yet counted on the target
    comments: int

    @property
    def moving_votes(self) -> int:
        return self.votes - self.shared_voters


def _check_merge(actor: User, duplicate: Requirement, target: Requirement) -> None:
    if not can_respond(actor):
        raise ServiceError("Only the vendor or an administrator can merge requirements.")
    if duplicate.id == target.id:
        raise ServiceError("A requirement cannot be merged into itself.", "target")
    if Status.MERGED in (duplicate.status, target.status):
        raise ServiceError("Merged requirements cannot be merged again.", "target")


def _merge_target(target_id: int) -> Requirement:
    target = find_requirement(target_id)
    if target is None:
        raise ServiceError(f"There is no requirement #{target_id}.", "target")
    return target


def merge_plan(actor: User, duplicate: Requirement, target_id: int) -> MergePlan:
    """What a merge into the requirement with this id would do; refused like the merge itself."""
    target = _merge_target(target_id)
    _check_merge(actor, duplicate, target)
    on_duplicate = Vote.requirement_id == duplicate.id
    target_voters = select(Vote.user_id).where(Vote.requirement_id == target.id)
    target_orgs = select(Vote.organisation_id).where(Vote.requirement_id == target.id)

    def count(expression, *conditions) -> int:
        return db.session.scalar(select(expression).where(*conditions)) or 0

    return MergePlan(
        duplicate=duplicate,
        target=target,
        votes=count(func.count(Vote.id), on_duplicate),
        shared_voters=count(func.count(Vote.id), on_duplicate, Vote.user_id.in_(target_voters)),
        organisations=count(func.count(distinct(Vote.organisation_id)), on_duplicate),
        new_organisations=count(
            func.count(distinct(Vote.organisation_id)),
            on_duplicate,
            Vote.organisation_id.not_in(target_orgs),
        ),
        comments=count(func.count(Comment.id), Comment.requirement_id == duplicate.id),
    )


def merge_candidates(duplicate: Requirement, words: str, limit: int = 8) -> list[Requirement]:
    """Requirements (not merged, not the duplicate) whose text matches these words, best first."""
    return [r for r in similar_requirements(words, limit + 1) if r.id != duplicate.id][:limit]


def merge_into(actor: User, duplicate: Requirement, target_id: int) -> Requirement:
    """Merge a duplicate into the requirement with this id (see `merge_requirements`)."""
    target = _merge_target(target_id)
    merge_requirements(actor, duplicate, target)
    return target


def _merge_recipients(duplicate: Requirement) -> tuple[list[User], list[User]]:
    """The duplicate's author, and everyone else who voted on it (before the votes move)."""
    voters = select(Vote.user_id).where(Vote.requirement_id == duplicate.id)
    people = db.session.scalars(
        select(User).where(User.id.in_(voters) | (User.id == duplicate.author_id)).order_by(User.id)
    ).all()
    authors = [u for u in people if u.id == duplicate.author_id]
    return authors, [u for u in people if u.id != duplicate.author_id]


def _notify_merge(
    actor: User, duplicate: Requirement, target: Requirement, recipients: tuple[list, list]
) -> None:
    authors, voters = recipients
    names = f"“{duplicate.title}” (#{duplicate.id}) into “{target.title}” (#{target.id})"
    link = _requirement_link(target)
    subject = f"“{duplicate.title}” was merged into #{target.id}"
    notify.queue(
        authors,
        subject,
        f"{actor.display_name} merged your requirement {names}, which asks for the same "
        f"thing. Its votes and comments are there now, and the discussion goes on there."
        f"\n\n{link}",
        exclude=actor,
    )
    notify.queue(
        voters,
        subject,
        f"{actor.display_name} merged {names}, which asks for the same thing. Your vote now "
        f"counts there, with the same importance and consent; if you had voted on both, you "
        f"keep one vote there with the higher importance. Change or withdraw it there."
        f"\n\n{link}",
        exclude=actor,
    )


def merge_requirements(actor: User, duplicate: Requirement, target: Requirement) -> None:
    """Merge a duplicate into another requirement: votes and comments move, counts follow.

    A user who voted on both keeps one vote on the target, with the higher importance. The
    duplicate's author and voters are told (through the outbox, in the merge's transaction).
    """
    _check_merge(actor, duplicate, target)
    recipients = _merge_recipients(duplicate)
    target_votes = {v.user_id: v for v in db.session.scalars(
        select(Vote).where(Vote.requirement_id == target.id).with_for_update()
    )}  # fmt: skip
    for vote in db.session.scalars(select(Vote).where(Vote.requirement_id == duplicate.id)).all():
        kept = target_votes.get(vote.user_id)
        if kept is None:
            vote.requirement_id = target.id
        else:
            if vote.importance > kept.importance:
                kept.importance = vote.importance
            db.session.delete(vote)
    db.session.execute(
        update(Comment)
        .where(Comment.requirement_id == duplicate.id)
        .values(requirement_id=target.id)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        StatusChange(
            requirement_id=duplicate.id,
            actor_id=actor.id,
            old_status=duplicate.status,
            new_status=Status.MERGED,
            note=f"Merged into #{target.id}",
        )
    )
    privacy.requirement_moved(
        duplicate.id,
        (duplicate.product_id, duplicate.status.value),
        (duplicate.product_id, Status.MERGED.value),
    )
    duplicate.status, duplicate.merged_into_id = Status.MERGED, target.id
    db.session.flush()
    votes_changed([duplicate.id, target.id])
    audit.record(
        actor, "requirement.merge", f"requirement:{duplicate.id}", into=f"requirement:{target.id}"
    )
    _notify_merge(actor, duplicate, target, recipients)
    webhooks.emit("requirement.merged", webhooks.merge_data(duplicate, target))
    db.session.commit()

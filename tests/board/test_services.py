"""Board rules, called directly: votes and kept counts, merges, status, comments, edits."""

import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.board import services
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Comment,
    Importance,
    OutboxMessage,
    QuoteConsent,
    Requirement,
    Revision,
    Role,
    Status,
    User,
    Vote,
    VoteConsent,
)

NICE, IMPORTANT, SHOWSTOPPER = Importance.NICE_TO_HAVE, Importance.IMPORTANT, Importance.SHOWSTOPPER


def get(model, id_):
    return db.session.get(model, id_)


def counts(requirement_id: int) -> dict:
    db.session.expire_all()
    r = get(Requirement, requirement_id)
    return {
        "votes": r.vote_count,
        "orgs": r.org_count,
        "showstopper_orgs": r.showstopper_org_count,
        "score": r.score,
        "mix": (r.nice_to_have_votes, r.important_votes, r.showstopper_votes),
    }


def vote(user, requirement_id, importance, consent=VoteConsent.ANONYMOUS):
    return services.cast_vote(get(User, user.id), requirement_id, importance, consent)


def test_score_counts_organisations_not_heads(ctx, make, make_requirement):
    rid = make_requirement()
    big = make.org(name="Big Reseller")
    # Three people at one organisation: only its highest importance counts, once.
    for importance in (NICE, SHOWSTOPPER, IMPORTANT):
        vote(make.user(Role.PARTNER, org=big), rid, importance)
    vote(make.user(Role.PARTNER), rid, NICE)
    vote(make.user(Role.PARTNER), rid, IMPORTANT)
    assert counts(rid) == {
        "votes": 5,
        "orgs": 3,
        "showstopper_orgs": 1,
        "score": 9 + 1 + 3,
        "mix": (2, 2, 1),
    }


def test_voting_again_changes_the_one_vote(ctx, make, make_requirement):
    rid = make_requirement()
    user = make.user(Role.PARTNER)
    vote(user, rid, NICE)
    vote(user, rid, SHOWSTOPPER, VoteConsent.NAMED_TO_VENDOR)
    votes = db.session.scalars(select(Vote).where(Vote.requirement_id == rid)).all()
    assert [(v.importance, v.consent) for v in votes] == [
        (SHOWSTOPPER, VoteConsent.NAMED_TO_VENDOR)
    ]
    assert counts(rid)["score"] == 9


def test_one_vote_per_user_is_a_database_constraint(ctx, make, make_requirement):
    rid = make_requirement()
    user = make.user(Role.PARTNER)
    for _ in range(2):
        db.session.add(
            Vote(requirement_id=rid, user_id=user.id, organisation_id=user.organisation_id,
                 importance=NICE)
        )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_withdrawing_a_vote_updates_the_counts(ctx, make, make_requirement):
    rid = make_requirement()
    user = make.user(Role.PARTNER)
    vote(user, rid, SHOWSTOPPER)
    assert services.withdraw_vote(get(User, user.id), rid) is True
    assert counts(rid)["votes"] == 0 and counts(rid)["score"] == 0
    assert services.withdraw_vote(get(User, user.id), rid) is False


def test_refreshing_one_requirement_or_all_of_them(ctx, make, make_requirement):
    first, second, unvoted = make_requirement(), make_requirement(), make_requirement()
    org = make.org(name="Two Voters")
    vote(make.user(Role.PARTNER, org=org), first, IMPORTANT)
    vote(make.user(Role.PARTNER, org=org), first, SHOWSTOPPER)
    vote(make.user(Role.PARTNER), second, NICE)
    expected = {rid: counts(rid) for rid in (first, second, unvoted)}
    wrong = {"vote_count": 99, "org_count": 99, "showstopper_org_count": 99, "score": 99}
    wrong |= {"nice_to_have_votes": 99, "important_votes": 99, "showstopper_votes": 99}
    db.session.execute(update(Requirement).values(**wrong))

    services.refresh_aggregates(first)  # that row only
    assert counts(first) == expected[first]
    assert counts(second)["votes"] == counts(unvoted)["votes"] == 99

    services.refresh_aggregates()  # every row, in one statement
    assert {rid: counts(rid) for rid in expected} == expected


@pytest.mark.parametrize("role", [Role.VENDOR, Role.EDITOR, Role.ADMIN])
def test_only_partners_vote(ctx, make, make_requirement, role):
    rid = make_requirement()
    with pytest.raises(ServiceError, match="Only partner"):
        vote(make.user(role), rid, NICE)


def test_voting_on_a_missing_requirement_is_refused(ctx, make):
    with pytest.raises(ServiceError, match="no such requirement"):
        vote(make.user(Role.PARTNER), 999_999, NICE)


@pytest.mark.parametrize(
    ("status", "word"), [(Status.MERGED, "merged"), (Status.SHIPPED, "shipped")]
)
def test_voting_is_closed_on_merged_and_shipped(ctx, make, make_requirement, status, word):
    rid = make_requirement()
    get(Requirement, rid).status = status
    db.session.commit()
    with pytest.raises(ServiceError, match=f"has been {word}"):
        vote(make.user(Role.PARTNER), rid, NICE)
    assert counts(rid)["votes"] == 0


def vote_all_at_once(app, requirement_id: int, voters: list[tuple]) -> list[BaseException]:
    """Start one thread per (user, importance); all cast their vote at the same moment."""
    barrier = threading.Barrier(len(voters))
    errors: list[BaseException] = []

    def cast(user, importance):
        with app.app_context():
            try:
                barrier.wait()
                services.cast_vote(db.session.get(User, user.id), requirement_id, importance)
            except BaseException as error:  # reported by the caller, not swallowed
                errors.append(error)

    threads = [threading.Thread(target=cast, args=voter) for voter in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_votes_keep_exact_counts(app, make, make_requirement):
    """Many threads vote on one requirement at once; the kept counts match the votes."""
    rid = make_requirement()
    orgs = [make.org() for _ in range(6)]
    importances = [NICE, IMPORTANT, SHOWSTOPPER]
    voters = [
        (make.user(Role.PARTNER, org=orgs[i % len(orgs)]), importances[i % 3]) for i in range(24)
    ]
    assert vote_all_at_once(app, rid, voters) == []
    with app.app_context():
        # Expected by hand: org k gets users k, k+6, k+12, k+18 with importances i % 3.
        top = {}
        for index, (_user, importance) in enumerate(voters):
            org = index % len(orgs)
            top[org] = max(top.get(org, 0), int(importance))
        assert counts(rid) == {
            "votes": 24,
            "orgs": 6,
            "showstopper_orgs": sum(1 for w in top.values() if w == 9),
            "score": sum(top.values()),
            "mix": (8, 8, 8),
        }
        assert (
            db.session.scalar(select(func.count(Vote.id)).where(Vote.requirement_id == rid)) == 24
        )


def test_concurrent_double_votes_by_one_user_keep_one_vote(app, make, make_requirement):
    rid = make_requirement()
    user = make.user(Role.PARTNER)
    assert vote_all_at_once(app, rid, [(user, SHOWSTOPPER)] * 8) == []
    with app.app_context():
        assert counts(rid)["votes"] == 1 and counts(rid)["score"] == 9


def test_merge_moves_votes_and_comments_keeping_the_higher_importance(ctx, make, make_requirement):
    target, duplicate = make_requirement("Bill BPOS ourselves"), make_requirement("Partner billing")
    both = make.user(Role.PARTNER)
    only_duplicate = make.user(Role.PARTNER)
    vote(both, target, NICE)
    vote(both, duplicate, SHOWSTOPPER)
    vote(only_duplicate, duplicate, IMPORTANT)
    services.add_comment(
        get(User, only_duplicate.id), get(Requirement, duplicate), "Same here", QuoteConsent.NO
    )
    vendor = make.user(Role.VENDOR)
    services.merge_requirements(
        get(User, vendor.id), get(Requirement, duplicate), get(Requirement, target)
    )
    assert counts(target) == {
        "votes": 2,
        "orgs": 2,
        "showstopper_orgs": 1,
        "score": 12,
        "mix": (0, 1, 1),
    }
    assert counts(duplicate)["votes"] == 0
    merged = get(Requirement, duplicate)
    assert merged.status == Status.MERGED and merged.merged_into_id == target
    assert db.session.scalar(select(Comment.requirement_id)) == target
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "requirement.merge")
    )


@pytest.mark.parametrize("case", ["self", "merged-target", "partner"])
def test_bad_merges_are_refused(ctx, make, make_requirement, case):
    a, b = make_requirement("One"), make_requirement("Two")
    actor = make.user(Role.PARTNER if case == "partner" else Role.ADMIN)
    if case == "merged-target":
        get(Requirement, b).status = Status.MERGED
        db.session.commit()
    target = a if case == "self" else b
    with pytest.raises(ServiceError):
        services.merge_requirements(
            get(User, actor.id), get(Requirement, a), get(Requirement, target)
        )
    assert get(Requirement, a).status == Status.OPEN


def test_status_change_is_audited_and_notifies_watchers(ctx, make, make_requirement):
    author = make.user(Role.PARTNER, email="author@example.com")
    rid = make_requirement(author=author)
    voter = make.user(Role.PARTNER, email="voter@example.com")
    muted = make.user(Role.PARTNER, email="muted@example.com", notify=False)
    vote(voter, rid, IMPORTANT)
    vote(muted, rid, IMPORTANT)
    vendor = make.user(Role.VENDOR)
    services.set_status(
        get(User, vendor.id), get(Requirement, rid), Status.PLANNED, "In the *next* release."
    )
    requirement = get(Requirement, rid)
    assert requirement.status == Status.PLANNED
    assert "<em>next</em>" in requirement.response_html
    assert requirement.responded_by_id == vendor.id
    recipients = set(db.session.scalars(select(OutboxMessage.to_email)))
    assert recipients == {"author@example.com", "voter@example.com"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "requirement.status"))
    assert event.details["old"] == "open" and event.details["new"] == "planned"


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        (Role.PARTNER, Status.PLANNED, "Only the vendor"),
        (Role.EDITOR, Status.PLANNED, "Only the vendor"),
        (Role.VENDOR, Status.MERGED, "Choose a status"),
        (Role.VENDOR, Status.OPEN, "Choose a status"),
    ],
)
def test_bad_status_changes_are_refused(ctx, make, make_requirement, role, status, message):
    rid = make_requirement()
    with pytest.raises(ServiceError, match=message):
        services.set_status(get(User, make.user(role).id), get(Requirement, rid), status, "")
    db.session.rollback()
    assert get(Requirement, rid).status == Status.OPEN
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_comment_notifies_the_author_as_a_reply(ctx, make, make_requirement):
    author = make.user(Role.PARTNER, email="author@example.com")
    rid = make_requirement(author=author)
    services.add_comment(
        get(User, make.user(Role.PARTNER).id),
        get(Requirement, rid),
        "Agreed",
        QuoteConsent.ANONYMOUS,
    )
    message = db.session.scalar(select(OutboxMessage))
    assert message.to_email == "author@example.com" and "Agreed" in message.body


def test_hiding_a_comment_keeps_it_and_is_audited(ctx, make, make_requirement):
    rid = make_requirement()
    comment = services.add_comment(
        get(User, make.user(Role.PARTNER).id), get(Requirement, rid), "Rude", QuoteConsent.NO
    )
    admin = make.user(Role.ADMIN)
    services.set_comment_hidden(get(User, admin.id), comment, True)
    partner = get(User, make.user(Role.PARTNER).id)
    assert services.visible_comments(get(Requirement, rid), partner) == []
    assert services.visible_comments(get(Requirement, rid), get(User, admin.id)) == [comment]
    assert db.session.scalar(select(AuditEvent.action)) == "comment.hide"


def test_editing_keeps_the_previous_text(ctx, make, make_requirement, catalogue):
    author = make.user(Role.PARTNER)
    rid = make_requirement(title="Old title", body="Old body", author=author)
    product_id, topic_ids = catalogue
    services.edit_requirement(
        get(User, author.id), get(Requirement, rid), "New title", "New body", product_id, topic_ids
    )
    requirement = get(Requirement, rid)
    assert requirement.title == "New title" and requirement.edited_at is not None
    assert len(requirement.topics) == 2
    revision = db.session.scalar(select(Revision))
    assert (revision.title, revision.body) == ("Old title", "Old body")


def test_only_the_author_edits(ctx, make, make_requirement, catalogue):
    rid = make_requirement()
    product_id, topic_ids = catalogue
    with pytest.raises(ServiceError, match="Only the author"):
        services.edit_requirement(
            get(User, make.user(Role.PARTNER).id),
            get(Requirement, rid),
            "x" * 10,
            "y",
            product_id,
            topic_ids,
        )

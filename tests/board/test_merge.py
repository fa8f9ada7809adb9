"""Merging in two steps: choose the requirement to keep (number or title words), confirm on a page
showing both and what moves; the duplicate's author and voters are told through the outbox."""

from html import unescape

import pytest
from sqlalchemy import delete, select

from portal.board import services
from portal.extensions import db
from portal.models import (
    Importance,
    OutboxMessage,
    QuoteConsent,
    Requirement,
    Role,
    Status,
    User,
    VoteConsent,
)
from tests.conftest import login, post_form


def get(model, id_):
    return db.session.get(model, id_)


def vote(user, requirement_id, importance=Importance.IMPORTANT):
    services.cast_vote(get(User, user.id), requirement_id, importance, VoteConsent.ANONYMOUS)


@pytest.fixture
def pair(app, make, make_requirement):
    """A duplicate and the requirement to keep, with votes and comments known by number.

    On the target: `both` (org A) and `colleague` (org B). On the duplicate: `both` again,
    `other` (org C, new to the target), `muted` (org B again, no notifications), and two comments.
    """
    org_a, org_b, org_c = make.org(), make.org(), make.org()
    author = make.user(Role.PARTNER, email="author@example.com")
    people = {
        "both": make.user(Role.PARTNER, org=org_a, email="both@example.com"),
        "colleague": make.user(Role.PARTNER, org=org_b, email="colleague@example.com"),
        "other": make.user(Role.PARTNER, org=org_c, email="other@example.com"),
        "muted": make.user(Role.PARTNER, org=org_b, email="muted@example.com", notify=False),
    }
    target = make_requirement("Let partners invoice BPOS customers", "Invoice them ourselves.")
    duplicate = make_requirement("Partners send the BPOS invoice", "Same idea.", author=author)
    with app.app_context():
        vote(people["both"], target, Importance.NICE_TO_HAVE)
        vote(people["colleague"], target)
        vote(people["both"], duplicate, Importance.SHOWSTOPPER)
        vote(people["other"], duplicate)
        vote(people["muted"], duplicate)
        for person in ("other", "muted"):
            services.add_comment(
                get(User, people[person].id), get(Requirement, duplicate), "Me too", QuoteConsent.NO
            )
        db.session.execute(delete(OutboxMessage))  # comment notices: not what is tested
        db.session.commit()
    return {"target": target, "duplicate": duplicate, "author": author, **people}


def test_the_plan_counts_what_moves(ctx, make, pair):
    vendor = get(User, make.user(Role.VENDOR).id)
    plan = services.merge_plan(vendor, get(Requirement, pair["duplicate"]), pair["target"])
    assert (plan.votes, plan.shared_voters, plan.moving_votes) == (3, 1, 2)
    assert (plan.organisations, plan.new_organisations, plan.comments) == (3, 1, 2)


def test_choosing_by_number_shows_both_titles_and_what_moves(app, client, make, pair):
    login(client, make.user(Role.VENDOR).email)
    duplicate, target = pair["duplicate"], pair["target"]
    response = client.get(f"/requirements/{duplicate}/merge?target=%23{target}")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"Merge #{duplicate} into #{target}?" in html
    assert "Let partners invoice BPOS customers" in html
    assert "Partners send the BPOS invoice" in html
    assert "3 votes move</strong> to" in html
    assert "1 person voted on both" in html and f"#{target} gains 2 votes" in html
    assert "1 organisation</strong> starts counting" in html and "of 3 voting on" in html
    assert "2 comments move" in html
    with app.app_context():
        assert get(Requirement, duplicate).status == Status.OPEN


def test_choosing_by_title_words_lists_candidates_but_not_the_duplicate(client, make, pair):
    login(client, make.user(Role.VENDOR).email)
    duplicate, target = pair["duplicate"], pair["target"]
    response = client.get(f"/requirements/{duplicate}/merge?target=invoice+customers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Matching requirements" in html
    assert f"/requirements/{duplicate}/merge?target={target}" in html
    assert f"?target={duplicate}" not in html


@pytest.mark.parametrize(
    ("wanted", "status", "message"),
    [
        ("", 400, "Enter a requirement number or words from its title."),
        ("999999", 400, "There is no requirement #999999."),
        ("self", 400, "A requirement cannot be merged into itself."),
        ("zebra", 200, "No requirement matches these words."),
    ],
)
def test_choosing_explains_what_cannot_be_chosen(client, make, pair, wanted, status, message):
    login(client, make.user(Role.VENDOR).email)
    duplicate = pair["duplicate"]
    wanted = str(duplicate) if wanted == "self" else wanted
    response = client.get(f"/requirements/{duplicate}/merge?target={wanted}")
    assert response.status_code == status
    assert message in unescape(response.get_data(as_text=True))


def test_the_choose_page_starts_empty(client, make, pair):
    login(client, make.user(Role.VENDOR).email)
    response = client.get(f"/requirements/{pair['duplicate']}/merge")
    assert response.status_code == 200 and "Merge into: its number" in response.get_data(True)


def test_a_refused_confirmation_shows_why_and_changes_nothing(app, client, make, pair):
    login(client, make.user(Role.ADMIN).email)
    duplicate, target = pair["duplicate"], pair["target"]
    page = f"/requirements/{duplicate}/merge?target={target}"
    with app.app_context():
        get(Requirement, target).status = Status.MERGED  # merged elsewhere meanwhile
        db.session.commit()
    response = post_form(client, f"/requirements/{duplicate}/merge", {"target": target}, page)
    assert response.status_code == 400
    assert "cannot be merged again" in response.get_data(as_text=True)
    with app.app_context():
        assert get(Requirement, duplicate).status == Status.OPEN
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_merging_tells_the_author_and_voters_who_want_mail(ctx, make, pair):
    vendor = get(User, make.user(Role.VENDOR, email="vendor@example.com").id)
    duplicate, target = get(Requirement, pair["duplicate"]), get(Requirement, pair["target"])
    services.merge_requirements(vendor, duplicate, target)
    messages = {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(messages) == {"author@example.com", "both@example.com", "other@example.com"}
    author, voter = messages["author@example.com"], messages["other@example.com"]
    assert author.subject == f"“Partners send the BPOS invoice” was merged into #{target.id}"
    assert "merged your requirement" in author.body
    assert "Your vote now counts there" in voter.body
    assert f"/requirements/{target.id}" in voter.body


def test_the_merged_page_leads_to_the_target_with_a_note(client, make, pair):
    login(client, make.user(Role.VENDOR).email)
    duplicate, target = pair["duplicate"], pair["target"]
    page = f"/requirements/{duplicate}/merge?target={target}"
    post_form(client, f"/requirements/{duplicate}/merge", {"target": target}, page)
    response = client.get(f"/requirements/{duplicate}", follow_redirects=True)
    assert response.request.path == f"/requirements/{target}"
    assert f"#{duplicate} was merged into #{target}" in response.get_data(as_text=True)

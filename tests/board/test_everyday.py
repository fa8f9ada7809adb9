"""Everyday use of the board: what my organisation voted on, rendered status history."""

import re

from sqlalchemy import event

from portal.board import services
from portal.extensions import db
from portal.models import Importance, Role, User, VoteConsent
from tests.conftest import login, post_form


def vote(app, user_id: int, requirement_id: int, importance: Importance) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        services.cast_vote(user, requirement_id, importance, VoteConsent.ANONYMOUS, None, None)


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="voted-badge">([^<]+)</span>', html)


def test_board_marks_my_vote_and_my_colleagues_votes(app, client, make, make_requirement):
    org = make.org()
    me, colleague = make.user(Role.PARTNER, org=org), make.user(Role.PARTNER, org=org)
    stranger = make.user(Role.PARTNER)
    mine = make_requirement("Mine")
    theirs = make_requirement("Colleague's")
    others = make_requirement("Stranger's")
    vote(app, me.id, mine, Importance.IMPORTANT)
    vote(app, colleague.id, mine, Importance.SHOWSTOPPER)
    vote(app, colleague.id, theirs, Importance.NICE_TO_HAVE)
    vote(app, stranger.id, others, Importance.SHOWSTOPPER)
    login(client, me.email)
    html = client.get("/requirements").get_data(as_text=True)
    assert sorted(badges(html)) == [
        "You voted (Important)",
        "Your organisation voted (Nice to have)",
    ]
    detail = client.get(f"/requirements/{theirs}").get_data(as_text=True)
    assert badges(detail) == ["Your organisation voted (Nice to have)"]
    assert badges(client.get(f"/requirements/{others}").get_data(as_text=True)) == []


def test_vendor_sees_no_vote_badges(app, client, make, make_requirement):
    partner = make.user(Role.PARTNER)
    rid = make_requirement()
    vote(app, partner.id, rid, Importance.IMPORTANT)
    login(client, make.user(Role.VENDOR).email)
    assert badges(client.get("/requirements").get_data(as_text=True)) == []


def test_vote_badges_take_one_query_for_the_whole_page(app, make, make_requirement):
    me = make.user(Role.PARTNER)
    ids = [make_requirement(f"Requirement {n}") for n in range(6)]
    for rid in ids[:4]:
        vote(app, me.id, rid, Importance.SHOWSTOPPER)
    with app.app_context():
        viewer = db.session.get(User, me.id)
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            marks = services.organisation_votes(ids, viewer)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert set(marks) == set(ids[:4])
    assert {m.own for m in marks.values()} == {Importance.SHOWSTOPPER}


def test_status_history_renders_markdown_not_raw_text(app, client, make, make_requirement):
    rid = make_requirement()
    login(client, make.user(Role.VENDOR).email)
    post_form(
        client,
        f"/requirements/{rid}/status",
        {"status": "planned", "response": "Coming in **Q3**. <script>alert(1)</script>"},
        f"/requirements/{rid}",
    )
    html = client.get(f"/requirements/{rid}").get_data(as_text=True)
    history = html[html.index("Status history") :]
    assert "<strong>Q3</strong>" in history
    assert "**Q3**" not in history
    assert "<script>alert(1)" not in html


def test_topics_are_checkboxes_and_a_bad_post_keeps_the_ticks(app, client, make, catalogue):
    product_id, topic_ids = catalogue
    login(client, make.user(Role.PARTNER).email)
    page = client.get("/requirements/new").get_data(as_text=True)
    assert "<select multiple" not in page and 'name="topics" multiple' not in page
    assert f'<input type="checkbox" name="topics" value="{topic_ids[1]}">' in page
    assert "Hold Ctrl" not in page
    response = post_form(
        client,
        "/requirements/new",
        {"title": "Short", "body": "Body", "product": product_id, "topics": [topic_ids[1]]},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'value="{topic_ids[1]}" checked' in html
    assert f'value="{topic_ids[0]}" checked' not in html


def test_no_topic_ticked_is_explained_beside_the_group(client, make, catalogue):
    product_id, _ = catalogue
    login(client, make.user(Role.PARTNER).email)
    response = post_form(
        client,
        "/requirements/new",
        {"title": "Let partners bill", "body": "Body", "product": product_id},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<small class="field-error" id="topics-error">Choose at least one topic.</small>' in html


def test_status_filter_says_all_except_merged(client, make):
    login(client, make.user(Role.PARTNER).email)
    html = client.get("/requirements").get_data(as_text=True)
    assert '<option value="">All except merged</option>' in html

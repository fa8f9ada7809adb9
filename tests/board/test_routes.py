"""Board pages: access by role, forms, bad input, redirects."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Comment, Requirement, Role, Status, Vote
from tests.conftest import csrf_token, login, post_form


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def partner_client(client, make):
    user = make.user(Role.PARTNER)
    login(client, user.email)
    client.user = user
    return client


def new_requirement_data(catalogue, **fields):
    product_id, topic_ids = catalogue
    return {
        "title": "Let partners bill Intune customers",
        "body": "We bill the **whole** bundle.",
        "product": product_id,
        "topics": topic_ids,
    } | fields


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/requirements").headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_board(client, make, make_requirement, role):
    make_requirement("Visible requirement")
    login(client, make.user(role).email)
    html = client.get("/requirements").get_data(as_text=True)
    assert "Visible requirement" in html
    assert ("Post a requirement" in html) == (role == Role.PARTNER)


def test_partner_posts_a_requirement(app, partner_client, catalogue):
    response = post_form(partner_client, "/requirements/new", new_requirement_data(catalogue))
    assert response.status_code == 302
    page = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>whole</strong>" in page
    with app.app_context():
        requirement = db.session.scalar(select(Requirement))
        assert requirement.organisation_id == partner_client.user.organisation_id
        assert len(requirement.topics) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"title": "x" * 10_000}, "Use between 8 and 160 characters"),
        ({"title": "short"}, "Use between 8 and 160 characters"),
        ({"body": ""}, "This field is required"),
        ({"body": "x" * 20_001}, "Use at most 20,000 characters"),
        ({"body": ">" * 500 + " deep"}, "nests quotes or lists"),
        ({"topics": []}, "Choose at least one topic"),
        ({"product": ""}, "Choose a product."),
        ({"product": 999}, "Not a valid choice"),
        ({"product": "abc"}, "Invalid Choice"),
    ],
)
def test_bad_requirements_are_explained_and_nothing_is_written(
    app, partner_client, catalogue, fields, message
):
    response = post_form(
        partner_client, "/requirements/new", new_requirement_data(catalogue, **fields)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Requirement) == 0


@pytest.mark.parametrize("role", [Role.VENDOR, Role.EDITOR, Role.ADMIN])
def test_only_partners_post(client, make, catalogue, role):
    login(client, make.user(role).email)
    assert client.get("/requirements/new").status_code == 403


def test_script_payloads_are_inert_on_the_page(partner_client, catalogue):
    body = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    title = '<img src=x onerror="alert(4)"> title'
    response = post_form(
        partner_client, "/requirements/new", new_requirement_data(catalogue, title=title, body=body)
    )
    html = partner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "javascript:" not in html
    assert "&lt;img src=x onerror=" in html  # the title is shown as text


def test_vote_change_and_withdraw_through_the_page(app, partner_client, make_requirement):
    rid = make_requirement()
    url = f"/requirements/{rid}/vote"
    assert (
        post_form(
            partner_client,
            url,
            {"importance": "important", "consent": "anonymous"},
            f"/requirements/{rid}",
        ).status_code
        == 302
    )
    post_form(
        partner_client,
        url,
        {"importance": "showstopper", "consent": "named_to_vendor"},
        f"/requirements/{rid}",
    )
    with app.app_context():
        votes = db.session.scalars(select(Vote)).all()
        assert [(v.importance.key, v.consent.value) for v in votes] == [
            ("showstopper", "named_to_vendor")
        ]
    post_form(partner_client, f"{url}/withdraw", {}, f"/requirements/{rid}")
    assert count(app, Vote) == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"importance": "critical", "consent": "anonymous"}, 400),
        ({"importance": "", "consent": "anonymous"}, 400),
        ({"importance": "important", "consent": "public"}, 400),
    ],
)
def test_bad_votes_are_refused(app, partner_client, make_requirement, data, status):
    rid = make_requirement()
    response = post_form(partner_client, f"/requirements/{rid}/vote", data, f"/requirements/{rid}")
    assert response.status_code == status
    assert count(app, Vote) == 0


def test_voting_on_a_missing_requirement_is_404(partner_client, make_requirement):
    rid = make_requirement()
    token = csrf_token(partner_client, f"/requirements/{rid}")
    response = partner_client.post(
        "/requirements/999/vote",
        data={"csrf_token": token, "importance": "important", "consent": "anonymous"},
    )
    assert response.status_code == 404


def test_voting_without_csrf_is_refused(app, partner_client, make_requirement):
    rid = make_requirement()
    response = partner_client.post(
        f"/requirements/{rid}/vote", data={"importance": "important", "consent": "anonymous"}
    )
    assert response.status_code == 400
    assert count(app, Vote) == 0


def test_voting_on_a_merged_requirement_explains_why(app, partner_client, make_requirement):
    rid = make_requirement()
    with app.app_context():
        db.session.get(Requirement, rid).status = Status.SHIPPED
        db.session.commit()
    response = post_form(
        partner_client,
        f"/requirements/{rid}/vote",
        {"importance": "important", "consent": "anonymous"},
        f"/requirements/{rid}",
    )
    assert response.status_code == 409
    assert "Voting is closed" in response.get_data(as_text=True)


def test_partner_cannot_post_a_vendor_response(app, partner_client, make_requirement):
    rid = make_requirement()
    token = csrf_token(partner_client, f"/requirements/{rid}")
    response = partner_client.post(
        f"/requirements/{rid}/status",
        data={"csrf_token": token, "status": "planned", "response": "Sure"},
    )
    assert response.status_code == 403
    assert count(app, AuditEvent) == 0


def test_vendor_sets_status_with_a_response(app, client, make, make_requirement):
    rid = make_requirement()
    login(client, make.user(Role.VENDOR).email)
    response = post_form(
        client,
        f"/requirements/{rid}/status",
        {"status": "planned", "response": "Coming in **Q3**."},
        f"/requirements/{rid}",
    )
    assert response.status_code == 302
    html = client.get(f"/requirements/{rid}").get_data(as_text=True)
    assert "<strong>Q3</strong>" in html and "Official response" in html


@pytest.mark.parametrize("status", ["shipped-ish", "merged", "open", ""])
def test_status_outside_the_list_is_refused(app, client, make, make_requirement, status):
    rid = make_requirement()
    login(client, make.user(Role.VENDOR).email)
    response = post_form(
        client,
        f"/requirements/{rid}/status",
        {"status": status, "response": ""},
        f"/requirements/{rid}",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Requirement, rid).status == Status.OPEN


def test_merged_requirement_redirects_to_its_target(app, client, make, make_requirement):
    target, duplicate = make_requirement("Keep this one"), make_requirement("Duplicate one")
    login(client, make.user(Role.ADMIN).email)
    response = post_form(
        client, f"/requirements/{duplicate}/merge", {"target": target}, f"/requirements/{duplicate}"
    )
    assert response.status_code == 302
    follow = client.get(f"/requirements/{duplicate}")
    assert follow.headers["Location"] == f"/requirements/{target}"
    page = client.get(follow.headers["Location"]).get_data(as_text=True)
    assert f"#{duplicate} was merged into #{target}" in page


@pytest.mark.parametrize("target", ["", "0", "999999", "abc"])
def test_merge_into_a_bad_target_is_refused(app, client, make, make_requirement, target):
    rid = make_requirement()
    login(client, make.user(Role.VENDOR).email)
    response = post_form(
        client, f"/requirements/{rid}/merge", {"target": target}, f"/requirements/{rid}"
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Requirement, rid).status == Status.OPEN


def test_comment_and_edit_it(app, partner_client, make_requirement):
    rid = make_requirement()
    response = post_form(
        partner_client,
        f"/requirements/{rid}/comments",
        {"body": "First *thought*", "quotable": "anonymous"},
        f"/requirements/{rid}",
    )
    assert response.status_code == 302
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    edit_url = f"/requirements/{rid}/comments/{comment_id}/edit"
    post_form(partner_client, edit_url, {"body": "Second thought", "quotable": "on_record"})
    html = partner_client.get(f"/requirements/{rid}").get_data(as_text=True)
    assert "Second thought" in html and "edited" in html


def test_others_cannot_edit_my_comment(app, client, make, make_requirement):
    rid = make_requirement()
    author = make.user(Role.PARTNER)
    login(client, author.email)
    post_form(
        client,
        f"/requirements/{rid}/comments",
        {"body": "Mine", "quotable": "no"},
        f"/requirements/{rid}",
    )
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    other = app.test_client()
    login(other, make.user(Role.PARTNER).email)
    assert other.get(f"/requirements/{rid}/comments/{comment_id}/edit").status_code == 403


def test_admin_hides_a_comment(app, client, make, make_requirement):
    rid = make_requirement()
    with app.app_context():
        from portal.markup import render_markdown

        db.session.add(
            Comment(requirement_id=rid, body="abuse", body_html=render_markdown("abuse"))
        )
        db.session.commit()
        comment_id = db.session.scalar(select(Comment.id))
    login(client, make.user(Role.ADMIN).email)
    post_form(
        client,
        f"/requirements/{rid}/comments/{comment_id}/hide",
        {"hidden": "1"},
        f"/requirements/{rid}",
    )
    assert "Hidden from members" in client.get(f"/requirements/{rid}").get_data(as_text=True)
    partner = app.test_client()
    login(partner, make.user(Role.PARTNER).email)
    assert "abuse" not in partner.get(f"/requirements/{rid}").get_data(as_text=True)


def test_partner_cannot_hide_comments(partner_client, make_requirement):
    rid = make_requirement()
    token = csrf_token(partner_client, f"/requirements/{rid}")
    assert (
        partner_client.post(
            f"/requirements/{rid}/comments/1/hide", data={"csrf_token": token}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("status=bogus", "is not a status"),
        ("product=nope", "There is no product"),
        ("topic=nope", "There is no topic"),
        ("sort=random", "is not a way to sort"),
    ],
)
def test_unknown_filters_get_a_notice_not_an_error(partner_client, make_requirement, query, notice):
    make_requirement("Still listed")
    response = partner_client.get(f"/requirements?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert notice in html and "Still listed" in html


def test_board_filters_sorts_and_paginates(app, partner_client, make_requirement):
    for index in range(25):
        make_requirement(f"Requirement number {index:02d}")
    first = partner_client.get("/requirements?sort=newest&per_page=10").get_data(as_text=True)
    assert "Requirement number 24" in first and "Requirement number 14" not in first
    assert "Page 1 of 3" in first
    huge = partner_client.get("/requirements?per_page=1000000000&page=-1")
    assert huge.status_code == 200


def test_search_from_the_board(partner_client, make_requirement):
    make_requirement("White label for telcos")
    make_requirement("Partner billing")
    html = partner_client.get("/requirements?q=white").get_data(as_text=True)
    assert "White label for telcos" in html and "Partner billing</a>" not in html


def test_vendor_sees_only_consenting_names(app, client, make, make_requirement):
    from portal.board import services
    from portal.models import Importance, User, VoteConsent

    rid = make_requirement()
    named, anonymous = (
        make.org(name="Named Org", slug="named"),
        make.org(name="Quiet Org", slug="quiet"),
    )
    with app.app_context():
        for org, consent in (
            (named, VoteConsent.NAMED_TO_VENDOR),
            (anonymous, VoteConsent.ANONYMOUS),
        ):
            user = db.session.get(User, make.user(Role.PARTNER, org=org).id)
            services.cast_vote(user, rid, Importance.IMPORTANT, consent)
    login(client, make.user(Role.VENDOR).email)
    html = client.get(f"/requirements/{rid}").get_data(as_text=True)
    assert "Named Org" in html and "Quiet Org" not in html

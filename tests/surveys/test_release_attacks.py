"""Attacks 9 and 10 played against the survey report: the tracker and the tiny survey.

Attack 9 (tracker): read the report, let one organisation answer, read it again; the difference
would be that organisation's answers. Attack 10: a survey or question answered by fewer than
PRIVACY_MIN_ORGS organisations would show their answers outright.
"""

import csv
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from portal import privacy
from portal.extensions import db
from portal.models import (
    Answer,
    Brief,
    Response,
    Role,
    Survey,
    SurveyRelease,
    SurveyStatus,
)
from portal.surveys import release, services
from portal.surveys.report import build_report
from portal.surveys.services import SubmittedAnswer as A
from tests.conftest import login, post_form
from tests.surveys.conftest import new_survey, user

NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def results_figures(html: str) -> list[str]:
    """Every number the report page shows in its results (not in the 'as of' line)."""
    assert 'id="results"' in html, "the page shows no results"
    section = html.split('id="results"', 1)[1].split("</main>", 1)[0]
    section = section.split('<section class="publish">', 1)[0]  # the editor's brief form
    return NUMBER.findall(re.sub(r'id="question-\d+"', "", section))


def csv_figures(text: str) -> list[list[str]]:
    """The CSV's data rows (the notes before them say how current they are)."""
    return [row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) if row[0] != "Note"]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def publish(client, survey: int, slug: str):
    return post_form(
        client,
        f"/surveys/{survey}/brief",
        {"title": f"Brief {slug}", "slug": slug},
        f"/surveys/{survey}/report",
    )


def brief_snapshot(app, slug: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Brief.snapshot).where(Brief.slug == slug))


def stored_release(app, survey: int) -> SurveyRelease | None:
    with app.app_context():
        found = db.session.get(SurveyRelease, survey)
        if found is not None:
            db.session.expunge(found)
        return found


def read_all(client, survey: int) -> tuple[list[str], list[list[str]]]:
    page = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    sheet = client.get(f"/surveys/{survey}/report.csv").get_data(as_text=True)
    return results_figures(page), csv_figures(sheet)


def target_answers(ids) -> dict:
    """The target organisation answers unlike everybody else, so a difference would show."""
    return {
        ids["single"]: A([str(ids["vendor"])]),
        ids["multi"]: A([str(ids["security"])]),
        ids["scale"]: A([], scale="1"),
    }


# -- Attack 9: the tracker ------------------------------------------------------------------------


def test_tracker_one_more_organisation_changes_no_figure(
    app, client, make, survey, ids, answered_by
):
    answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    page_before, csv_before = read_all(client, survey)
    assert publish(client, survey, "before").status_code == 302
    assert ["Answers", "Q1. Who bills?", "All", "", "Vendor", "0", "0%", "", "", ""] in csv_before

    answered_by(1, target_answers(ids))
    page_after, csv_after = read_all(client, survey)
    assert publish(client, survey, "after").status_code == 302
    assert page_after == page_before and len(page_before) > 20
    assert csv_after == csv_before
    assert brief_snapshot(app, "after") == brief_snapshot(app, "before")
    note = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    assert "1 organisation has answered or changed their answers since" in note
    assert "the report updates after 4 more (every 5 organisations)" in note

    answered_by(3, target_answers(ids))
    assert read_all(client, survey) == (page_before, csv_before)
    answered_by(1, target_answers(ids))
    page_moved, csv_moved = read_all(client, survey)
    assert page_moved != page_before
    assert ["Answers", "Q1. Who bills?", "All", "", "Vendor", "5", "50%", "", "", ""] in csv_moved
    assert stored_release(app, survey).organisations == 10


def test_tracker_a_changed_answer_waits_like_a_new_one(app, client, make, survey, ids, answered_by):
    first, *_ = answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    before = read_all(client, survey)
    with app.app_context():
        item = db.session.get(Survey, survey)
        services.submit_response(user(first), item, target_answers(ids))
        db.session.commit()
        assert release.pending_organisations(item) == 1
    assert read_all(client, survey) == before


def test_closing_right_after_one_answer_does_not_move_the_report(
    app, client, make, survey, ids, answered_by
):
    answered_by(5)
    login(client, make.user(Role.EDITOR).email)
    before = read_all(client, survey)
    released = stored_release(app, survey)
    answered_by(1, target_answers(ids))
    post_form(client, f"/surveys/{survey}/close", {}, f"/surveys/{survey}")
    assert stored_release(app, survey).released_at == released.released_at
    assert read_all(client, survey) == before
    page = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    assert "they leave out the answers of 1 organisation" in page
    vendor = app.test_client()
    login(vendor, make.user(Role.VENDOR).email)
    assert read_all(vendor, survey) == before


def seed_responses(survey: int, ids, partners) -> None:
    """Responses written straight to the database, as demo seeding does (no release runs)."""
    for partner in partners:
        db.session.add(
            Response(
                survey_id=survey,
                user_id=partner.id,
                organisation_id=partner.organisation_id,
                answers=[
                    Answer(question_id=ids["single"], choice_id=ids["vendor"]),
                    Answer(question_id=ids["scale"], scale_value=1),
                ],
            )
        )
    db.session.commit()


def test_closing_with_enough_organisations_waiting_releases_them(
    ctx, make, survey, ids, answered_by, partner_in
):
    answered_by(5)
    seed_responses(survey, ids, [partner_in() for _ in range(5)])
    item = db.session.get(Survey, survey)
    assert release.pending_organisations(item) == 5
    services.set_status(user(make.user(Role.EDITOR)), item, SurveyStatus.CLOSED)
    assert release.pending_organisations(item) == 0
    assert release.released_report(item)["organisations"] == 10


def test_release_due_surveys_releases_seeded_answers_once(ctx, survey, ids, partner_in):
    seed_responses(survey, ids, [partner_in() for _ in range(4)])
    assert release.release_due_surveys() == 0
    seed_responses(survey, ids, [partner_in()])
    assert release.release_due_surveys() == 1
    db.session.commit()
    assert release.release_due_surveys() == 0
    choices = release.released_report(db.session.get(Survey, survey))["questions"][0]["choices"]
    assert [c["count"] for c in choices] == [0, 5]


# -- Attack 10: the tiny survey and the tiny question ---------------------------------------------


def test_a_survey_answered_by_four_organisations_shows_no_counts(
    app, client, make, survey, answered_by
):
    answered_by(4)
    login(client, make.user(Role.EDITOR).email)
    page = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    assert (
        "No results yet: the report is released once 5 organisations have answered (4 so far)."
        in page
    )
    assert 'id="results"' not in page and "Partner</th>" not in page
    for suffix in (".csv", ".pdf"):
        export = client.get(f"/surveys/{survey}/report{suffix}")
        assert export.status_code == 302 and export.headers["Location"].endswith("/report")
    assert "No results yet" in client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    refused = publish(client, survey, "tiny")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "This survey has no released results yet" in html.split('<section class="publish">')[1]
    post_form(client, f"/surveys/{survey}/close", {}, f"/surveys/{survey}")
    page = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    assert "No results: fewer than 5 organisations answered this survey (4)" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Brief.id))) == 0
        assert db.session.get(SurveyRelease, survey) is None


def test_a_question_answered_by_four_organisations_is_suppressed_others_shown(
    app, client, make, survey, ids, answered_by
):
    answered_by(1, {ids["multi"]: A([])})
    answered_by(4)  # the fifth organisation releases: 4 of 5 answered "What would you bundle?"
    login(client, make.user(Role.EDITOR).email)
    page = client.get(f"/surveys/{survey}/report").get_data(as_text=True)
    multi = page.split(f'id="question-{ids["multi"]}"')[1].split("</section>")[0]
    assert "Not shown: fewer than 5 organisations answered." in multi
    assert "Backup" not in multi
    assert NUMBER.findall(re.sub(r"<[^>]+>", "", multi)) == ["2", "5"]  # "Q2.", "fewer than 5"
    single = page.split(f'id="question-{ids["single"]}"')[1].split("</section>")[0]
    assert "answered by 5 of 5 respondents (5 organisations)" in single
    rows = csv_figures(client.get(f"/surveys/{survey}/report.csv").get_data(as_text=True))
    bundled = [r for r in rows if r[1] == "Q2. What would you bundle?"]
    assert bundled == [
        [
            "Answers",
            "Q2. What would you bundle?",
            "All",
            "",
            "",
            "",
            "",
            "",
            "",
            "suppressed: fewer than 5 organisations answered",
        ]
    ]
    assert ["Answers", "Q1. Who bills?", "All", "", "Partner", "5", "100%", "", "", ""] in rows
    text = pdf_text(client.get(f"/surveys/{survey}/report.pdf").data)
    assert "fewer than 5 organisations answered" in text
    assert "Backup" not in text and "Who bills?" in text
    assert publish(client, survey, "bundles").status_code == 302
    public = app.test_client().get("/briefs/bundles").get_data(as_text=True)
    assert "Backup" not in public and "fewer than 5 organisations answered" in public
    assert "One invoice, please." not in public


def test_build_report_suppresses_a_question_four_of_six_organisations_answered(
    ctx, survey, ids, answered_by
):
    answered_by(2, {ids["multi"]: A([])})
    answered_by(4)
    report = build_report(db.session.get(Survey, survey))
    questions = {q["id"]: q for q in report["questions"]}
    multi = questions[ids["multi"]]
    assert multi["suppressed"] and multi["note"] == "fewer than 5 organisations answered"
    assert {"choices", "segments"}.isdisjoint(multi) and multi["organisations"] is None
    assert multi["answered"] is None
    single = questions[ids["single"]]
    assert not single["suppressed"] and single["organisations"] == 6
    assert [c["count"] for c in single["choices"]] == [6, 0]


# -- Property: every release moves by at least PRIVACY_MIN_ORGS organisations ---------------------


def figures(snapshot: dict | None) -> dict | None:
    """A release's content without its time stamps."""
    if snapshot is None:
        return None
    return {k: v for k, v in snapshot.items() if k not in ("generated_at", "released_at")}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 1)), min_size=1, max_size=24),
    close=st.booleans(),
)
def test_consecutive_releases_differ_by_at_least_threshold_organisations(ctx, make, steps, close):
    item = new_survey()
    single, _, scale, _ = item.questions
    choices = [c.id for c in single.choices]
    partners = [user(make.user(Role.PARTNER)) for _ in range(8)]
    threshold = privacy.threshold()
    since: set[int] = set()
    answers: dict[int, int] = {}
    released_at, shown = None, None

    def check() -> None:
        nonlocal since, released_at, shown
        state = release.release_state(item)
        if state.released_at != released_at:
            assert len(since) >= threshold, f"released after {len(since)} organisations"
            counts = [c["count"] for c in state.report["questions"][0]["choices"]]
            assert counts == [list(answers.values()).count(i) for i in (0, 1)]
            since, released_at, shown = set(), state.released_at, figures(state.report)
        assert figures(state.report) == shown
        assert state.pending == len(since) < threshold

    for who, pick in steps:
        answers_now = {single.id: A([str(choices[pick])]), scale.id: A([], scale="3")}
        services.submit_response(partners[who], item, answers_now)
        since.add(who)
        answers[who] = pick
        check()
    if close:
        services.set_status(user(make.user(Role.EDITOR)), item, SurveyStatus.CLOSED)
        check()

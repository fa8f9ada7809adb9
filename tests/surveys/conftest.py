"""Survey fixtures: a built survey, partners in known segments, and partners answering it."""

import pytest

from portal.extensions import db
from portal.models import (
    Choice,
    OrgKind,
    PartnerType,
    Question,
    QuestionKind,
    Region,
    Role,
    SizeBand,
    Survey,
    SurveyStatus,
    User,
)
from portal.surveys import services
from portal.surveys.services import SubmittedAnswer as A


def new_survey(editor_id: int | None = None) -> Survey:
    """An open survey with a single, a multi, a scale and a text question (committed)."""
    item = Survey(
        title="Billing survey",
        status=SurveyStatus.OPEN,
        editor_id=editor_id,
        questions=[
            Question(
                position=1,
                kind=QuestionKind.SINGLE,
                prompt="Who bills?",
                choices=[
                    Choice(position=1, label="Partner"),
                    Choice(position=2, label="Vendor"),
                ],
            ),
            Question(
                position=2,
                kind=QuestionKind.MULTI,
                prompt="What would you bundle?",
                required=False,
                choices=[
                    Choice(position=1, label="Backup"),
                    Choice(position=2, label="Security"),
                    Choice(position=3, label="Voice"),
                ],
            ),
            Question(position=3, kind=QuestionKind.SCALE, prompt="Sales impact?"),
            Question(position=4, kind=QuestionKind.TEXT, prompt="What else?", required=False),
        ],
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def survey(app, make):
    """The new_survey above, by the editor; returns its id."""
    editor = make.user(Role.EDITOR)
    with app.app_context():
        return new_survey(editor.id).id


@pytest.fixture
def ids(app, survey):
    """Question and choice ids by name."""
    with app.app_context():
        item = db.session.get(Survey, survey)
        single, multi, scale, text = item.questions
        return {
            "single": single.id,
            "partner": single.choices[0].id,
            "vendor": single.choices[1].id,
            "multi": multi.id,
            "backup": multi.choices[0].id,
            "security": multi.choices[1].id,
            "voice": multi.choices[2].id,
            "scale": scale.id,
            "text": text.id,
        }


@pytest.fixture
def partner_in(make):
    """Factory: a partner user in a new organisation of the given segment."""

    def build(region=Region.EMEA, partner_type=PartnerType.VAR_SI, size=SizeBand.SMALL, name=None):
        org = make.org(
            OrgKind.PARTNER,
            region=region,
            partner_type=partner_type,
            size_band=size,
            **({"name": name} if name else {}),
        )
        return make.user(Role.PARTNER, org=org)

    return build


def user(app_user: User) -> User:
    return db.session.get(User, app_user.id)


def good_answers(ids, changes=None) -> dict[int, A]:
    """A complete, valid set of answers to the `survey` fixture, with `changes` by question id."""
    answers = {
        ids["single"]: A([str(ids["partner"])]),
        ids["multi"]: A([str(ids["backup"]), str(ids["voice"])]),
        ids["scale"]: A([], scale="4"),
        ids["text"]: A([], text="One invoice, please.", quotable="on_record"),
    }
    answers.update(changes or {})
    return answers


@pytest.fixture
def answered_by(app, survey, ids, partner_in):
    """Factory: `count` new partner organisations answer the survey; returns their users."""

    def build(count: int, changes=None, **segment) -> list[User]:
        partners = [partner_in(**segment) for _ in range(count)]
        with app.app_context():
            for partner in partners:
                _, problems = services.submit_response(
                    user(partner), db.session.get(Survey, survey), good_answers(ids, changes)
                )
                assert problems == {}
        return partners

    return build

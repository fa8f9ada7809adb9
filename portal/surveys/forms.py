"""Survey forms: the survey and a question."""

from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.models import QuestionKind
from portal.models.surveys import PROMPT_MAX


class SurveyForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired(), Length(max=200, message="Use at most 200 characters.")]
    )
    intro = TextAreaField(
        "Introduction",
        validators=[Length(max=10_000, message="Use at most 10,000 characters.")],
        description="Shown above the questions. Markdown works.",
    )
    product = SelectField("Product", coerce=int)
    opens_at = DateField("Opens on (optional)", validators=[Optional()])
    closes_at = DateField("Closes after (optional)", validators=[Optional()])
    requirements = SelectMultipleField(
        "Related requirements",
        coerce=int,
        validators=[Optional()],
        description="Tick the requirements to show in the report with their headline numbers.",
    )
    submit = SubmitField("Save survey")


class QuestionForm(FlaskForm):
    kind = SelectField("Kind", choices=QuestionKind.choices())
    prompt = StringField(
        "Question",
        validators=[
            DataRequired(),
            Length(max=PROMPT_MAX, message=f"Use at most {PROMPT_MAX} characters."),
        ],
    )
    required = BooleanField("An answer is required", default=True)
    choices = TextAreaField(
        "Choices, one per line (single and multiple choice only)",
        validators=[Length(max=5_000, message="Use at most 5,000 characters.")],
    )
    submit = SubmitField("Save question")


def start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, UTC) if day else None


def end_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.max, UTC) if day else None

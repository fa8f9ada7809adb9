"""Board forms: requirement, vote, comment, status, merge."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.database import MAX_ID
from portal.models import Importance, QuoteConsent, VoteConsent
from portal.models.board import BODY_MAX, COMMENT_MAX, TITLE_MAX, VENDOR_STATUSES
from portal.web.fields import DecimalNumberField


def limit(maximum: int, minimum: int = -1) -> Length:
    if minimum > 0:
        message = f"Use between {minimum} and {maximum:,} characters."
    else:
        message = f"Use at most {maximum:,} characters."
    return Length(min=minimum, max=maximum, message=message)


def id_or_none(value) -> int | None:
    """Coerces a select's value; its empty placeholder option is no choice, not a bad one."""
    return None if value in ("", None) else int(value)


class RequirementForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired(), limit(TITLE_MAX, 8)],
        description="One sentence saying what partners need, e.g. “Let partners bill BPOS "
        "customers directly”.",
    )
    body = TextAreaField(
        "Details",
        validators=[DataRequired(), limit(BODY_MAX)],
        description="Why it matters to your business. Markdown: **bold**, lists, links.",
    )
    product = SelectField(
        "Product", coerce=id_or_none, validators=[InputRequired(message="Choose a product.")]
    )
    topics = SelectMultipleField(
        "Topics",
        coerce=int,
        validators=[DataRequired(message="Choose at least one topic.")],
        description="Tick every topic that fits.",
    )
    submit = SubmitField("Post requirement")


class VoteForm(FlaskForm):
    importance = RadioField(
        "How important is this to your organisation?",
        choices=Importance.choices(),
        validators=[InputRequired(message="Choose how important this is.")],
    )
    consent = RadioField(
        "Who may see your organisation's name on this vote?",
        choices=VoteConsent.choices(),
        default=VoteConsent.ANONYMOUS.value,
        validators=[InputRequired()],
    )
    revenue_at_stake = DecimalNumberField(
        "Revenue at stake per year (optional)",
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=10**15, message="Enter an amount from 0 upwards."),
        ],
        description="What this requirement is worth to us per year. Only our organisation sees it.",
    )
    # Checked by the service, and only when an amount is given.
    currency = SelectField("Currency", validate_choice=False)
    submit = SubmitField("Save my vote")


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw my vote")


class CommentForm(FlaskForm):
    body = TextAreaField("Your comment", validators=[DataRequired(), limit(COMMENT_MAX)])
    quotable = RadioField(
        "May the editor quote this comment?",
        choices=QuoteConsent.choices(),
        default=QuoteConsent.NO.value,
        validators=[InputRequired()],
    )
    submit = SubmitField("Post comment")


class HideForm(FlaskForm):
    submit = SubmitField("Hide")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[(s.value, s.label) for s in VENDOR_STATUSES])
    response = TextAreaField(
        "Official response",
        validators=[limit(BODY_MAX)],
        description="Shown on the requirement and sent to everyone who voted or commented.",
    )
    submit = SubmitField("Publish status and response")


class MergeSearchForm(FlaskForm):
    """Step one of a merge (a GET form, no CSRF): the requirement to keep, by number or title."""

    class Meta:
        csrf = False

    target = StringField(
        "Merge into: its number or words from its title",
        validators=[
            DataRequired(message="Enter a requirement number or words from its title."),
            limit(200),
        ],
    )
    submit = SubmitField("Find")


class MergeForm(FlaskForm):
    """Step two: the confirmed target, posted from the confirmation page."""

    target = IntegerField(
        "Merge into requirement number",
        validators=[
            InputRequired(message="Enter the number of the requirement to keep."),
            NumberRange(min=1, max=MAX_ID, message="Enter a requirement number."),
        ],
    )
    submit = SubmitField("Merge")

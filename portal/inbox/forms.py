"""Forms of the editor's inbox and of an organisation's records made from its e-mails."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.board.forms import id_or_none, limit
from portal.models import Importance, QuoteConsent, VoteConsent
from portal.models.board import BODY_MAX, COMMENT_MAX, TITLE_MAX


class ImportForm(FlaskForm):
    file = FileField(
        "Mail file (.eml or .mbox)", validators=[FileRequired("Choose a .eml or .mbox file.")]
    )
    submit = SubmitField("Import")


def _importance() -> RadioField:
    return RadioField(
        "Importance (as the e-mail puts it)",
        choices=Importance.choices(),
        default=Importance.IMPORTANT.key,
        validators=[InputRequired(message="Choose how important this is.")],
    )


def _vote_consent(label: str = "Consent given in the e-mail") -> RadioField:
    return RadioField(
        label,
        choices=VoteConsent.choices(),
        default=VoteConsent.ANONYMOUS.value,
        validators=[InputRequired()],
    )


def _quotable(label: str = "Quote consent given in the e-mail") -> RadioField:
    return RadioField(
        label,
        choices=QuoteConsent.choices(),
        default=QuoteConsent.NO.value,
        validators=[InputRequired()],
    )


def _requirement_choice() -> SelectField:
    return SelectField(
        "Requirement",
        coerce=id_or_none,
        validators=[InputRequired(message="Choose a requirement.")],
    )


class VoteOnBehalfForm(FlaskForm):
    requirement = _requirement_choice()
    importance = _importance()
    consent = _vote_consent()
    submit = SubmitField("Record vote")


class RequirementOnBehalfForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), limit(TITLE_MAX, 5)])
    body = TextAreaField("What they need", validators=[DataRequired(), limit(BODY_MAX)])
    product = SelectField("Product", coerce=id_or_none, validators=[InputRequired()])
    topics = SelectMultipleField("Topics", coerce=int)
    importance = _importance()
    consent = _vote_consent()
    submit = SubmitField("Post requirement")


class CommentOnBehalfForm(FlaskForm):
    requirement = _requirement_choice()
    body = TextAreaField("Comment", validators=[DataRequired(), limit(COMMENT_MAX)])
    quotable = _quotable()
    submit = SubmitField("Record comment")


class AssignForm(FlaskForm):
    organisation = SelectField("File under", coerce=id_or_none, validators=[Optional()])
    submit = SubmitField("File under this organisation")


class ConsentForm(FlaskForm):
    """One record's consent on /org (its prefix: `record-<id>`); it posts the field that applies."""

    consent = SelectField(
        "Who may see our name on this vote?",
        choices=VoteConsent.choices(),
        default=VoteConsent.ANONYMOUS.value,
    )
    quotable = SelectField(
        "May the editor quote this?", choices=QuoteConsent.choices(), default=QuoteConsent.NO.value
    )
    submit = SubmitField("Save")

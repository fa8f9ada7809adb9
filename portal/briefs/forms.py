"""The form that publishes a brief (from a survey report or the board's top list)."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class BriefForm(FlaskForm):
    title = StringField(
        "Brief title",
        validators=[DataRequired(), Length(max=200, message="Use at most 200 characters.")],
    )
    slug = StringField(
        "Address: /briefs/…",
        validators=[
            DataRequired(),
            Length(max=80, message="Use at most 80 characters."),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Use lower-case letters, digits and dashes."
            ),
        ],
    )
    submit = SubmitField("Publish brief")

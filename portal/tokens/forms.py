"""Forms for /api-tokens."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=80, message="Use at most 80 characters.")],
    )
    submit = SubmitField("Create token")

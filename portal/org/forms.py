"""Forms for the pages under /org."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from portal.models.accounts import EMAIL_MAX


class ColleagueInviteForm(FlaskForm):
    email = EmailField(
        "Colleague's e-mail address",
        validators=[DataRequired(), Length(max=EMAIL_MAX), Email(check_deliverability=False)],
    )
    is_org_manager = BooleanField("Also manages our organisation")
    submit = SubmitField("Create invitation")

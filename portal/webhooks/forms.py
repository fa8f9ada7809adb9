"""Forms for /webhooks."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.webhooks.services import EVENTS


class EndpointForm(FlaskForm):
    url = StringField(
        "Receiver URL",
        validators=[
            DataRequired(message="Enter the URL that should receive the events."),
            Length(max=500, message="Use at most 500 characters."),
        ],
    )
    events = SelectMultipleField(
        "Events",
        choices=[(event, f"{event} — {label}") for event, label in EVENTS.items()],
        default=list(EVENTS),
        validators=[DataRequired(message="Choose at least one event.")],
        description="Each ticked event is posted to the URL as signed JSON.",
    )
    submit = SubmitField("Add endpoint")

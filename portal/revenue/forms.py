"""Revenue forms: one fiscal year, a file import, the import confirmation, exchange rates."""

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.revenue.importer import MAX_AMOUNT, MAX_COUNT
from portal.web.fields import DecimalNumberField


def amount_field(label: str) -> DecimalNumberField:
    return DecimalNumberField(
        label,
        places=2,
        validators=[
            InputRequired(message="Enter an amount (0 if none)."),
            NumberRange(min=0, max=MAX_AMOUNT, message="Enter an amount from 0 upwards."),
        ],
    )


def count_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message="Enter a whole number (0 if none)."),
            NumberRange(min=0, max=MAX_COUNT, message="Enter a whole number from 0 upwards."),
        ],
    )


class RevenueProfileForm(FlaskForm):
    fiscal_year = IntegerField(
        "Fiscal year",
        validators=[
            InputRequired(message="Enter the fiscal year, e.g. 2025."),
            NumberRange(
                min=1990,
                max=date.today().year + 1,
                message=f"Use a year from 1990 to {date.today().year + 1}.",
            ),
        ],
    )
    currency = SelectField("Currency")
    total_revenue = amount_field("Total revenue")
    cloud_revenue = amount_field("Cloud revenue")
    customers = count_field("Customers")
    seats = count_field("Seats under management")
    submit = SubmitField("Save year")


class ImportForm(FlaskForm):
    file = FileField(
        "Revenue file (CSV or XLSX)", validators=[FileRequired(message="Choose a file to upload.")]
    )
    submit = SubmitField("Preview import")


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import these figures")


class ExchangeRateForm(FlaskForm):
    currency = StringField(
        "Currency (ISO code)",
        validators=[DataRequired(), Length(min=3, max=3, message="Use a three-letter code.")],
    )
    rate = DecimalNumberField(
        "Value of one unit in the reporting currency",
        places=8,
        validators=[
            InputRequired(),
            NumberRange(min=0.00000001, max=10**6, message="Enter a rate above zero."),
        ],
    )
    submit = SubmitField("Save rate")

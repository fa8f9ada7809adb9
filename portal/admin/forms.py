"""Administration forms."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.models import OrgKind, PartnerType, Region, Role, SizeBand
from portal.models.accounts import DOMAIN_MAX, EMAIL_MAX, NAME_MAX


def optional_choices(enum_class) -> list[tuple[str, str]]:
    return [("", "—"), *enum_class.choices()]


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
    )
    slug = StringField(
        "Slug (for URLs; made from the name when empty)",
        validators=[Optional(), Length(max=80, message="Use at most 80 characters.")],
    )
    kind = SelectField("Kind", choices=OrgKind.choices(), default=OrgKind.PARTNER.value)
    partner_type = SelectField("Partner type", choices=optional_choices(PartnerType))
    region = SelectField("Region", choices=optional_choices(Region))
    size_band = SelectField("Size (employees)", choices=optional_choices(SizeBand))
    verified = BooleanField("Verified organisation")
    submit = SubmitField("Save organisation")


class InviteForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired(), Length(max=EMAIL_MAX), Email(check_deliverability=False)],
    )
    role = SelectField("Role", choices=Role.choices(), default=Role.PARTNER.value)
    organisation = SelectField("Organisation", coerce=int)
    is_org_manager = BooleanField("Manages their organisation (partners only)")
    submit = SubmitField("Create invitation")


class UserForm(FlaskForm):
    role = SelectField("Role", choices=Role.choices())
    organisation = SelectField("Organisation", coerce=int)
    is_org_manager = BooleanField("Manages their organisation (partners only)")
    active = BooleanField("Active (may log in)")
    submit = SubmitField("Save user")


class CatalogueForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=80, message="Use at most 80 characters.")]
    )
    slug = StringField(
        "Slug (for URLs; made from the name when empty)",
        validators=[Optional(), Length(max=80, message="Use at most 80 characters.")],
    )
    description = TextAreaField(
        "Description", validators=[Length(max=1000, message="Use at most 1,000 characters.")]
    )
    active = BooleanField("Offered on the board (products only)", default=True)
    submit = SubmitField("Save")


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[("", "All actions")])
    actor = StringField(
        "Actor e-mail",
        validators=[Optional(), Length(max=254, message="Use at most 254 characters.")],
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date must not be before the start date.")


class EmailDomainForm(FlaskForm):
    domain = StringField(
        "E-mail domain",
        validators=[DataRequired(), Length(max=DOMAIN_MAX)],
    )
    organisation = SelectField("Partner organisation", coerce=int, validators=[DataRequired()])
    sso_required = BooleanField("Require single sign-on for this domain")
    submit = SubmitField("Map domain")

"""Small helpers shared by every form-handling view."""

from flask_wtf import FlaskForm

from portal.errors import ServiceError


def apply_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal beside its field, or at the top of the form."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status(form: FlaskForm) -> int:
    """400 when a submitted form was refused, so clients and tests can tell; 200 otherwise."""
    return 400 if form.errors or form.form_errors else 200


class ActionForm(FlaskForm):
    """A form with only its CSRF token, behind a POST button (delete, hide, withdraw)."""

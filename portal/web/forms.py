"""Running a form through a service: `attempt` shows a refusal beside the form, or flashes it.

Services own their transactions: a service function commits what it wrote, and on a refusal
(`ServiceError`) `attempt` rolls the session back; views never call `db.session.commit()` or
`rollback()` themselves.
"""

from collections.abc import Callable
from enum import Enum
from typing import Any, Literal, ParamSpec, TypeVar

from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from portal.errors import ServiceError
from portal.extensions import db

P = ParamSpec("P")
T = TypeVar("T")


class Refused(Enum):
    """The one value `attempt` returns when the service refused (its message is already shown)."""

    REFUSED = "refused"


REFUSED = Refused.REFUSED


def attempt(
    form: FlaskForm | None, service: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T | Literal[Refused.REFUSED]:
    """Call `service(*args, **kwargs)` and return its result, or REFUSED when it refuses.

    A refusal rolls back whatever the service had written, then its message goes beside the
    form's field (or at the top of the form) to be rendered again; with no form (a button whose
    page is not shown again) it is flashed instead.
    """
    try:
        return service(*args, **kwargs)
    except ServiceError as error:
        db.session.rollback()
        if form is None:
            flash(error.message, "error")
        else:
            apply_error(form, error)
        return REFUSED


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


def confirm_step(form: FlaskForm, template: str, **context: Any) -> ResponseReturnValue | None:
    """The first half of a destructive action: on GET its confirmation page (nothing changes);
    on POST None once the form's CSRF token checks out, so the view goes on to act (400 if not).
    """
    if request.method == "GET":
        return render_template(template, form=form, **context)
    if not form.validate_on_submit():
        abort(400)
    return None

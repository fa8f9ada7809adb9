"""Who may see what: the one decorator every view uses to check roles."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Organisation, Role


def role_required(*roles: Role, org_manager: bool = False) -> Callable:
    """Require a logged-in user with one of `roles` (any role when none given).

    Anonymous visitors are sent to log in; a logged-in user without the role gets 403.
    With `org_manager=True` the user must also manage their partner organisation.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            if org_manager and not current_user.manages_org:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_organisation() -> Organisation:
    """The current partner's organisation (404 for a partner without one)."""
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation

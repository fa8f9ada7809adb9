"""Who may do what: named permission checks shared by views, services and templates.

Each `can_*` predicate takes a user (Flask-Login's anonymous user included) and answers from the
role alone; views guard themselves with `@require(predicate)`, services call the same predicate
before they write, and templates read `can.<name>` (see `permissions_for`). The privacy rules
(`portal/privacy/`) decide what revenue a permitted reader sees.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Organisation, Role, Survey, SurveyStatus

Check = Callable[[Any], bool]


def _role(user: Any) -> Role | None:
    """The user's role; None for Flask-Login's anonymous user, which has none."""
    return getattr(user, "role", None)


def can_read_board(user: Any) -> bool:
    """Every signed-in role reads the board, requirements and surveys' questions."""
    return _role(user) is not None


def can_take_part(user: Any) -> bool:
    """Partners post, vote, comment, answer surveys and keep their organisation's figures."""
    return _role(user) == Role.PARTNER


def can_manage_org(user: Any) -> bool:
    """A partner who manages their organisation: invites colleagues, edits and imports revenue."""
    return can_take_part(user) and bool(user.is_org_manager)


def can_run_surveys(user: Any) -> bool:
    """The editor (and admins): build, open and close surveys, see drafts, publish briefs."""
    return _role(user) in (Role.EDITOR, Role.ADMIN)


def can_triage_inbox(user: Any) -> bool:
    """The editor (and admins): import partners' e-mails and record them on their behalf."""
    return _role(user) in (Role.EDITOR, Role.ADMIN)


def can_read_survey_reports(user: Any) -> bool:
    """Survey reports: the editor and admins always, the vendor once a survey closes."""
    return _role(user) in (Role.EDITOR, Role.ADMIN, Role.VENDOR)


def can_read_survey_report(user: Any, survey: Survey) -> bool:
    return can_run_surveys(user) or (
        can_read_survey_reports(user) and survey.status == SurveyStatus.CLOSED
    )


def can_read_vendor_report(user: Any) -> bool:
    """The vendor's ranked, revenue-weighted report: the vendor, admins, and the editor."""
    return _role(user) in (Role.VENDOR, Role.ADMIN, Role.EDITOR)


def can_export_reports(user: Any) -> bool:
    """Exports and consented organisation names are for the vendor (and admins), not the editor."""
    return _role(user) in (Role.VENDOR, Role.ADMIN)


def can_see_consented_names(user: Any) -> bool:
    """Partners consent to being named to the vendor: the vendor (and admins) see those names."""
    return _role(user) in (Role.VENDOR, Role.ADMIN)


def can_respond(user: Any) -> bool:
    """The vendor's official voice (and admins): status changes, responses, merges."""
    return _role(user) in (Role.VENDOR, Role.ADMIN)


def can_hold_api_tokens(user: Any) -> bool:
    """API tokens belong to vendor users."""
    return _role(user) == Role.VENDOR


def can_manage_webhooks(user: Any) -> bool:
    """Webhook endpoints, which post board and survey events to the vendor's systems."""
    return _role(user) in (Role.VENDOR, Role.ADMIN)


def can_receive_digest(user: Any) -> bool:
    """The weekly digest of new requirements and status changes is for vendor users."""
    return _role(user) == Role.VENDOR


def can_administer(user: Any) -> bool:
    """Admins: organisations, accounts, catalogue, moderation, audit log, anyone's token."""
    return _role(user) == Role.ADMIN


TEMPLATE_PERMISSIONS: dict[str, Check] = {
    "take_part": can_take_part,
    "manage_org": can_manage_org,
    "run_surveys": can_run_surveys,
    "triage_inbox": can_triage_inbox,
    "read_survey_reports": can_read_survey_reports,
    "read_vendor_report": can_read_vendor_report,
    "export_reports": can_export_reports,
    "see_consented_names": can_see_consented_names,
    "respond": can_respond,
    "hold_api_tokens": can_hold_api_tokens,
    "receive_digest": can_receive_digest,
    "manage_webhooks": can_manage_webhooks,
    "administer": can_administer,
}


def permissions_for(user: Any) -> dict[str, bool]:
    """What templates may ask: `{% if can.respond %}`."""
    return {name: check(user) for name, check in TEMPLATE_PERMISSIONS.items()}


def require(check: Check) -> Callable:
    """Guard a view: anonymous visitors are sent to log in, others without permission get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_organisation() -> Organisation:
    """The current partner's organisation (404 for a partner without one)."""
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation

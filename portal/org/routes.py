"""Pages under /org for members of a partner organisation."""

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from portal.access import role_required
from portal.admin.forms import ColleagueInviteForm
from portal.auth.services import create_invitation
from portal.errors import ServiceError
from portal.extensions import db
from portal.formtools import apply_error, form_status
from portal.models import Role

bp = Blueprint("org", __name__)


def own_organisation():
    """The current partner's organisation (404 for a partner without one)."""
    if current_user.organisation is None:
        abort(404)
    return current_user.organisation


@bp.route("/")
@role_required(Role.PARTNER)
def index():
    """Our organisation: profile and members."""
    return render_template("org/index.html", organisation=own_organisation())


@bp.route("/invite", methods=["GET", "POST"])
@role_required(Role.PARTNER, org_manager=True)
def invite():
    """An org manager invites a colleague into their own organisation."""
    organisation = own_organisation()
    form = ColleagueInviteForm()
    if form.validate_on_submit():
        try:
            invitation, token = create_invitation(
                current_user, form.email.data, Role.PARTNER, organisation, form.is_org_manager.data
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            link = url_for("auth.register", token=token, _external=True)
            return render_template("invitation_created.html", invitation=invitation, link=link)
    return render_template("org/invite.html", form=form, organisation=organisation), form_status(
        form
    )

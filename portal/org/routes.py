"""Pages under /org: our organisation, its members and votes (revenue pages: portal/revenue)."""

from flask import (
    Blueprint,
    render_template,
    url_for,
)
from flask_login import current_user

from portal import privacy
from portal.access import can_manage_org, can_take_part, own_organisation, require
from portal.auth.services import create_invitation
from portal.inbox.forms import ConsentForm
from portal.inbox.services import records_for
from portal.models import Role
from portal.org.forms import ColleagueInviteForm
from portal.web.forms import REFUSED, ActionForm, attempt, form_status

bp = Blueprint("org", __name__)


@bp.route("/")
@require(can_take_part)
def index():
    """Our organisation: profile, members, our votes and how the community ranks them."""
    organisation = own_organisation()
    return render_template(
        "org/index.html",
        organisation=organisation,
        votes=privacy.own_votes(current_user, organisation),
        profiles=privacy.own_revenue_profiles(current_user, organisation),
        recorded=records_for(current_user, organisation),
        consent_form=ConsentForm,
        action_form=ActionForm(),
    )


@bp.route("/invite", methods=["GET", "POST"])
@require(can_manage_org)
def invite():
    """An org manager invites a colleague into their own organisation."""
    organisation = own_organisation()
    form = ColleagueInviteForm()
    if form.validate_on_submit():
        created = attempt(
            form,
            create_invitation,
            current_user,
            form.email.data,
            Role.PARTNER,
            organisation,
            form.is_org_manager.data,
        )
        if created is not REFUSED:
            invitation, token = created
            link = url_for("auth.register", token=token, _external=True)
            return render_template("invitation_created.html", invitation=invitation, link=link)
    return render_template("org/invite.html", form=form, organisation=organisation), form_status(
        form
    )

"""Admin pages under /admin."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit, privacy
from portal.access import can_administer, require
from portal.admin import services
from portal.admin.forms import (
    AuditFilterForm,
    CatalogueForm,
    EmailDomainForm,
    InviteForm,
    OrganisationForm,
    UserForm,
)
from portal.auth.services import create_invitation
from portal.models import Role
from portal.org import services as org
from portal.revenue import services as revenue
from portal.revenue.forms import ExchangeRateForm
from portal.web.forms import REFUSED, ActionForm, attempt, confirm_step, form_status
from portal.web.pagination import paginate

bp = Blueprint("admin", __name__)


@bp.before_request
@require(can_administer)
def require_admin():
    """Every admin page is for administrators only."""


def organisation_choices() -> list[tuple[int, str]]:
    return [(0, "— none (administrators only) —"), *org.organisation_names()]


@bp.route("/")
def index():
    return render_template("admin/index.html", counts=services.dashboard_counts())


@bp.route("/organisations")
def organisations():
    rows = services.organisations_with_members()
    return render_template("admin/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def edit_organisation(organisation_id: int | None = None):
    organisation = services.get_organisation(organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        saved = attempt(form, services.save_organisation, current_user, organisation, **form.data)
        if saved is not REFUSED:
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/organisation_form.html", form=form, organisation=organisation
    ), form_status(form)


@bp.route("/users")
def users():
    search = request.args.get("q", "")[:100]
    pagination = paginate(services.users_query(search), per_page=50)
    return render_template("admin/users.html", pagination=pagination, search=search)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = services.get_user(user_id)
    form = UserForm(obj=user, organisation=user.organisation_id or 0)
    form.organisation.choices = organisation_choices()
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.update_user,
            current_user,
            user,
            Role(form.role.data),
            services.find_organisation(form.organisation.data),
            form.is_org_manager.data,
            form.active.data,
        )
        if saved is not REFUSED:
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form_status(form)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    form.organisation.choices = organisation_choices()
    if form.validate_on_submit():
        created = attempt(
            form,
            create_invitation,
            current_user,
            form.email.data,
            Role(form.role.data),
            services.find_organisation(form.organisation.data),
            form.is_org_manager.data,
        )
        if created is not REFUSED:
            invitation, token = created
            link = url_for("auth.register", token=token, _external=True)
            return render_template("invitation_created.html", invitation=invitation, link=link)
    return render_template("admin/invite.html", form=form), form_status(form)


@bp.route("/audit")
def audit_log():
    """The audit log, filtered by action, actor e-mail and dates from the query string; a bad
    filter is explained beside its field and left out."""
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "All actions"), *((a, a) for a in services.audit_actions())]
    status = 400 if request.args and not form.validate() else 200

    def usable(field):
        return None if field.errors else field.data

    query = services.audit_query(
        usable(form.action) or "", usable(form.actor) or "", usable(form.since), usable(form.until)
    )
    pagination = paginate(query, per_page=50)
    return render_template(
        "admin/audit.html", pagination=pagination, form=form, describe=audit.describe
    ), status


@bp.route("/<any(products, topics):kind>")
def catalogue(kind: str):
    """Products or topics of the board."""
    items = services.catalogue_items(kind)
    return render_template("admin/catalogue.html", kind=kind, items=items)


@bp.route("/<any(products, topics):kind>/new", methods=["GET", "POST"])
@bp.route("/<any(products, topics):kind>/<int:item_id>", methods=["GET", "POST"])
def edit_catalogue_item(kind: str, item_id: int | None = None):
    item = services.get_catalogue_item(kind, item_id) if item_id else None
    form = CatalogueForm(obj=item)
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.save_catalogue_item,
            current_user,
            kind,
            item,
            form.name.data or "",
            form.slug.data or "",
            form.description.data or "",
            form.active.data,
        )
        if saved is not REFUSED:
            flash(f"Saved {form.name.data}.", "success")
            return redirect(url_for("admin.catalogue", kind=kind))
    return render_template(
        "admin/catalogue_form.html", form=form, kind=kind, item=item
    ), form_status(form)


@bp.route("/outbox")
def outbox():
    """Notification e-mails: sent by SMTP when MAIL_SERVER is set, otherwise kept here."""
    pagination = paginate(services.outbox_query(), per_page=50)
    return render_template("admin/outbox.html", pagination=pagination)


@bp.route("/organisations/<int:organisation_id>/revenue")
def organisation_revenue(organisation_id: int):
    """An organisation's own revenue figures; every viewing is an audit event."""
    organisation = services.get_organisation(organisation_id)
    profiles = privacy.admin_revenue_profiles(current_user, organisation)
    return render_template(
        "admin/organisation_revenue.html", organisation=organisation, profiles=profiles
    )


@bp.route("/exchange-rates", methods=["GET", "POST"])
def exchange_rates():
    """Rates into the reporting currency, used by every revenue aggregate."""
    form = ExchangeRateForm()
    if form.validate_on_submit():
        saved = attempt(
            form, revenue.set_exchange_rate, current_user, form.currency.data, form.rate.data
        )
        if saved is not REFUSED:
            flash(f"Saved the rate for {form.currency.data.upper()}.", "success")
            return redirect(url_for("admin.exchange_rates"))
    rates = revenue.exchange_rates()
    return render_template("admin/exchange_rates.html", form=form, rates=rates), form_status(form)


@bp.route("/exchange-rates/<currency>/delete", methods=["GET", "POST"])
def delete_exchange_rate(currency: str):
    """Ask, then delete a currency's rate (refused for the reporting currency and used ones)."""
    rate = revenue.get_rate(currency)
    form = ActionForm()
    if form.validate_on_submit():
        deleted = attempt(None, revenue.delete_exchange_rate, current_user, rate.currency)
        if deleted is not REFUSED:
            flash(f"The rate for {rate.currency} is deleted.", "success")
        return redirect(url_for("admin.exchange_rates"))
    return render_template(
        "admin/exchange_rate_delete.html",
        rate=rate,
        uses=revenue.currency_uses(rate.currency),
        form=form,
    )


@bp.route("/domains", methods=["GET", "POST"])
def email_domains():
    """E-mail domains of partner organisations (single sign-on and the editor's inbox use them)."""
    form = EmailDomainForm()
    form.organisation.choices = [(0, "Choose an organisation…"), *org.partner_organisations()]
    if form.validate_on_submit():
        mapping = attempt(
            form,
            org.add_email_domain,
            current_user,
            form.domain.data or "",
            form.organisation.data or 0,
            form.sso_required.data,
        )
        if mapping is not REFUSED:
            flash(f"{mapping.domain} now belongs to {mapping.organisation.name}.", "success")
            return redirect(url_for("admin.email_domains"))
    return render_template(
        "admin/email_domains.html", form=form, domains=org.email_domains()
    ), form_status(form)


@bp.route("/domains/<int:domain_id>/delete", methods=["GET", "POST"])
def delete_email_domain(domain_id: int):
    mapping = org.get_email_domain(domain_id)
    if page := confirm_step(ActionForm(), "admin/email_domain_delete.html", mapping=mapping):
        return page
    if attempt(None, org.delete_email_domain, current_user, mapping) is not REFUSED:
        flash(f"{mapping.domain} is no longer mapped.", "info")
    return redirect(url_for("admin.email_domains"))

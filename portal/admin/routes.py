"""Admin pages under /admin."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import privacy
from portal.access import role_required
from portal.admin import services
from portal.admin.forms import CatalogueForm, InviteForm, OrganisationForm, UserForm
from portal.auth.services import create_invitation
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import ExchangeRate, Organisation, Role, User
from portal.revenue import services as revenue
from portal.revenue.forms import ExchangeRateForm
from portal.web.forms import apply_error, form_status
from portal.web.pagination import page_args

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every admin page is for administrators only."""


def organisation_choices() -> list[tuple[int, str]]:
    names = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    return [(0, "— none (administrators only) —"), *((i, n) for i, n in names)]


@bp.route("/")
def index():
    return render_template("admin/index.html", counts=services.dashboard_counts())


@bp.route("/organisations")
def organisations():
    rows = db.session.execute(services.organisations_query()).all()
    return render_template("admin/organisations.html", rows=rows)


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def edit_organisation(organisation_id: int | None = None):
    organisation = db.get_or_404(Organisation, organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            saved = services.save_organisation(current_user, organisation, **form.data)
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template(
        "admin/organisation_form.html", form=form, organisation=organisation
    ), form_status(form)


@bp.route("/users")
def users():
    search = request.args.get("q", "")[:100]
    pagination = db.paginate(services.users_query(search), **page_args(per_page=50))
    return render_template("admin/users.html", pagination=pagination, search=search)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, organisation=user.organisation_id or 0)
    form.organisation.choices = organisation_choices()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data or 0)
        try:
            services.update_user(
                current_user,
                user,
                Role(form.role.data),
                organisation,
                form.is_org_manager.data,
                form.active.data,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash(f"Saved {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), form_status(form)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    form.organisation.choices = organisation_choices()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data or 0)
        try:
            invitation, token = create_invitation(
                current_user,
                form.email.data,
                Role(form.role.data),
                organisation,
                form.is_org_manager.data,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            link = url_for("auth.register", token=token, _external=True)
            return render_template("invitation_created.html", invitation=invitation, link=link)
    return render_template("admin/invite.html", form=form), form_status(form)


@bp.route("/audit")
def audit_log():
    action = request.args.get("action", "")[:64]
    pagination = db.paginate(services.audit_query(action), **page_args(per_page=50))
    return render_template("admin/audit.html", pagination=pagination, action=action)


@bp.route("/<any(products, topics):kind>")
def catalogue(kind: str):
    """Products or topics of the board."""
    model = services.CATALOGUES[kind]
    items = db.session.scalars(select(model).order_by(model.name)).all()
    return render_template("admin/catalogue.html", kind=kind, items=items)


@bp.route("/<any(products, topics):kind>/new", methods=["GET", "POST"])
@bp.route("/<any(products, topics):kind>/<int:item_id>", methods=["GET", "POST"])
def edit_catalogue_item(kind: str, item_id: int | None = None):
    model = services.CATALOGUES[kind]
    item = db.get_or_404(model, item_id) if item_id else None
    form = CatalogueForm(obj=item)
    if form.validate_on_submit():
        try:
            services.save_catalogue_item(
                current_user,
                kind,
                item,
                form.name.data or "",
                form.slug.data or "",
                form.description.data or "",
                form.active.data,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash(f"Saved {form.name.data}.", "success")
            return redirect(url_for("admin.catalogue", kind=kind))
    return render_template(
        "admin/catalogue_form.html", form=form, kind=kind, item=item
    ), form_status(form)


@bp.route("/outbox")
def outbox():
    """Notification e-mails: sent by SMTP when MAIL_SERVER is set, otherwise kept here."""
    pagination = db.paginate(services.outbox_query(), **page_args(per_page=50))
    return render_template("admin/outbox.html", pagination=pagination)


@bp.route("/organisations/<int:organisation_id>/revenue")
def organisation_revenue(organisation_id: int):
    """An organisation's own revenue figures; every viewing is an audit event."""
    organisation = db.get_or_404(Organisation, organisation_id)
    profiles = privacy.admin_revenue_profiles(current_user, organisation)
    return render_template(
        "admin/organisation_revenue.html", organisation=organisation, profiles=profiles
    )


@bp.route("/exchange-rates", methods=["GET", "POST"])
def exchange_rates():
    """Rates into the reporting currency, used by every revenue aggregate."""
    form = ExchangeRateForm()
    if form.validate_on_submit():
        try:
            revenue.set_exchange_rate(current_user, form.currency.data, form.rate.data)
        except ServiceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            flash(f"Saved the rate for {form.currency.data.upper()}.", "success")
            return redirect(url_for("admin.exchange_rates"))
    rates = db.session.scalars(select(ExchangeRate).order_by(ExchangeRate.currency)).all()
    return render_template("admin/exchange_rates.html", form=form, rates=rates), form_status(form)

"""Pages under /org/revenue: our revenue profile per year, its CSV/XLSX import and template."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import privacy
from portal.access import can_manage_org, can_take_part, own_organisation, require
from portal.documents.files import BOM, download_headers
from portal.models import Organisation
from portal.revenue import services as revenue
from portal.revenue.forms import ConfirmImportForm, ImportForm, RevenueProfileForm
from portal.revenue.importer import RevenueRow, template_csv
from portal.web.forms import REFUSED, ActionForm, attempt, confirm_step, form_status

bp = Blueprint("revenue", __name__)


def profile_form() -> RevenueProfileForm:
    form = RevenueProfileForm()
    # Plain values are valid choices; the WTForms stubs accept (value, label) tuples only.
    form.currency.choices = revenue.currencies()  # type: ignore[assignment]
    return form


def render_revenue(organisation: Organisation, form: RevenueProfileForm, status: int = 200):
    return render_template(
        "revenue/index.html",
        organisation=organisation,
        profiles=privacy.own_revenue_profiles(current_user, organisation),
        form=form,
        import_form=ImportForm(),
        can_edit=revenue.can_edit_revenue(current_user, organisation),
    ), status


@bp.route("", methods=["GET", "POST"])
@require(can_take_part)
def index():
    """Our revenue profile per fiscal year: members read, managers add and edit."""
    organisation = own_organisation()
    form = profile_form()
    if request.method == "POST":
        if not revenue.can_edit_revenue(current_user, organisation):
            abort(403)
        if form.validate():
            row = RevenueRow(
                form.fiscal_year.data,
                form.currency.data,
                form.total_revenue.data,
                form.cloud_revenue.data,
                form.customers.data,
                form.seats.data,
            )
            saved = attempt(form, revenue.save_profile, current_user, organisation, row)
            if saved is not REFUSED:
                flash(f"Saved the figures for {row.fiscal_year}.", "success")
                return redirect(url_for("revenue.index"))
        return render_revenue(organisation, form, form_status(form) if form.errors else 400)
    year = request.args.get("year", type=int)
    for profile in privacy.own_revenue_profiles(current_user, organisation):
        if profile.fiscal_year == year:
            form.process(obj=profile)
            form.currency.choices = revenue.currencies()
    return render_revenue(organisation, form)


@bp.route("/<int:fiscal_year>/delete", methods=["GET", "POST"])
@require(can_manage_org)
def delete(fiscal_year: int):
    """GET asks to confirm (showing the year's figures); the confirmed POST deletes the year."""
    organisation = own_organisation()
    profiles = privacy.own_revenue_profiles(current_user, organisation)
    profile = next((p for p in profiles if p.fiscal_year == fiscal_year), None)
    if profile is None:
        flash(f"There are no figures for {fiscal_year}.", "error")
        return redirect(url_for("revenue.index"))
    page = confirm_step(
        ActionForm(), "revenue/delete_confirm.html", organisation=organisation, profile=profile
    )
    if page:
        return page
    deleted = attempt(None, revenue.delete_profile, current_user, organisation, fiscal_year)
    if deleted is not REFUSED:
        flash(f"Deleted the figures for {fiscal_year}.", "info")
    return redirect(url_for("revenue.index"))


@bp.route("/template.csv")
@require(can_take_part)
def template():
    """A CSV with the expected header and an example row."""
    return Response(
        BOM + template_csv(),
        mimetype="text/csv",
        headers=download_headers("revenue-template.csv"),
    )


@bp.route("/import", methods=["GET", "POST"])
@require(can_manage_org)
def import_file():
    """Upload a CSV or XLSX; show every problem, or a preview to confirm."""
    organisation = own_organisation()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        parsed = revenue.parse_upload(upload.filename or "", upload.read())
        if not parsed.ok:
            return render_template(
                "revenue/import.html", form=form, problems=parsed.problems, filename=upload.filename
            ), 400
        return render_template(
            "revenue/preview.html",
            organisation=organisation,
            changes=revenue.preview_changes(organisation, parsed.rows),
            confirm_form=ConfirmImportForm(
                token=revenue.sign_import(organisation, current_user, parsed.rows)
            ),
            filename=upload.filename,
        )
    return render_template("revenue/import.html", form=form, problems=[]), form_status(form)


@bp.route("/import/confirm", methods=["POST"])
@require(can_manage_org)
def confirm_import():
    """Write a previewed import, all or nothing."""
    organisation = own_organisation()
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    counts = attempt(None, revenue.apply_signed_import, form.token.data, organisation, current_user)
    if counts is REFUSED:
        return redirect(url_for("revenue.import_file"))
    flash(revenue.import_summary(counts), "success")
    return redirect(url_for("revenue.index"))

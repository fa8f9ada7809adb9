"""/webhooks: the vendor's channel team and admins register endpoints and read their deliveries."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import can_manage_webhooks, require
from portal.web.forms import REFUSED, ActionForm, attempt, confirm_step, form_status
from portal.webhooks import services as webhooks
from portal.webhooks.forms import EndpointForm

bp = Blueprint("webhooks", __name__)


@bp.route("", methods=["GET", "POST"])
@require(can_manage_webhooks)
def index():
    form = EndpointForm()
    created = None
    if form.validate_on_submit():
        result = attempt(
            form, webhooks.create_endpoint, current_user, form.url.data, form.events.data
        )
        if result is not REFUSED:
            created = result
            form = EndpointForm(formdata=None)
    return render_template(
        "webhooks/index.html",
        form=form,
        created=created,
        endpoints=webhooks.endpoints(),
        events=webhooks.EVENTS,
    ), form_status(form)


@bp.get("/<int:endpoint_id>")
@require(can_manage_webhooks)
def detail(endpoint_id: int):
    endpoint = webhooks.get_endpoint(endpoint_id)
    return render_template(
        "webhooks/detail.html",
        endpoint=endpoint,
        deliveries=webhooks.deliveries_of(endpoint),
        log_size=webhooks.DELIVERY_LOG,
        form=ActionForm(),
    )


@bp.post("/<int:endpoint_id>/test")
@require(can_manage_webhooks)
def send_test(endpoint_id: int):
    """Queue a `ping` for this endpoint; the next `flask send-webhooks` posts it."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if attempt(None, webhooks.send_test, current_user, endpoint) is not REFUSED:
        flash("A test event is queued: it is posted with the next run of send-webhooks.", "info")
    return redirect(url_for("webhooks.detail", endpoint_id=endpoint.id))


@bp.route("/<int:endpoint_id>/delete", methods=["GET", "POST"])
@require(can_manage_webhooks)
def delete(endpoint_id: int):
    """GET asks to confirm; the confirmed POST removes the endpoint and its log."""
    endpoint = webhooks.get_endpoint(endpoint_id)
    if page := confirm_step(ActionForm(), "webhooks/delete_confirm.html", endpoint=endpoint):
        return page
    if attempt(None, webhooks.delete_endpoint, current_user, endpoint) is not REFUSED:
        flash(f"The endpoint {endpoint.url} is removed.", "info")
    return redirect(url_for("webhooks.index"))

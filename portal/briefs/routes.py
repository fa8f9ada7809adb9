"""Public briefs under /briefs, and the editor's publishing of the board's top requirements."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import can_run_surveys, require
from portal.briefs import services as briefs
from portal.briefs.forms import BriefForm
from portal.web.forms import REFUSED, ActionForm, attempt, confirm_step, form_status

bp = Blueprint("briefs", __name__)


def render_index(form: BriefForm | None = None, status: int = 200):
    return render_template(
        "briefs/index.html",
        briefs=briefs.all_briefs(),
        form=form or BriefForm(),
        action_form=ActionForm(),
    ), status


@bp.route("/board", methods=["POST"])
@require(can_run_surveys)
def publish_board():
    """Publish the board's top list; a bad title or address is shown beside its field, kept."""
    form = BriefForm()
    if form.validate_on_submit():
        brief = attempt(
            form, briefs.publish_board_brief, current_user, form.slug.data, form.title.data
        )
        if brief is not REFUSED:
            flash("The brief is published.", "success")
            return redirect(url_for("briefs.show", slug=brief.slug))
    return render_index(form, form_status(form))


@bp.route("")
@require(can_run_surveys)
def index():
    """The editor's published briefs, and publishing the board's top requirements."""
    return render_index()


@bp.route("/<slug>")
def show(slug: str):
    """A published brief: public, frozen, aggregates only."""
    brief = briefs.get_brief(slug)
    return render_template("briefs/show.html", brief=brief, data=brief.snapshot)


@bp.route("/<slug>/unpublish", methods=["GET", "POST"])
@require(can_run_surveys)
def unpublish(slug: str):
    """GET asks to confirm (the public address stops answering); the confirmed POST removes it."""
    brief = briefs.get_brief(slug)
    if page := confirm_step(ActionForm(), "briefs/unpublish_confirm.html", brief=brief):
        return page
    if attempt(None, briefs.unpublish, current_user, brief) is not REFUSED:
        flash(f"/briefs/{slug} is unpublished.", "info")
    return redirect(url_for("briefs.index"))

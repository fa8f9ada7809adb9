"""/api-tokens: vendor users create and revoke their API tokens (shown once)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import can_hold_api_tokens, require
from portal.tokens import services as tokens
from portal.tokens.forms import TokenForm
from portal.web.forms import REFUSED, ActionForm, attempt, confirm_step, form_status

bp = Blueprint("api_tokens", __name__)


@bp.route("", methods=["GET", "POST"])
@require(can_hold_api_tokens)
def index():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        created = attempt(form, tokens.create_token, current_user, form.name.data)
        if created is not REFUSED:
            _, secret = created
            form = TokenForm(formdata=None)
    return render_template(
        "tokens/index.html",
        form=form,
        secret=secret,
        tokens=tokens.tokens_of(current_user),
    ), form_status(form)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@require(can_hold_api_tokens)
def revoke(token_id: int):
    """GET asks to confirm (which token, last used when); the confirmed POST revokes it."""
    token = tokens.get_own_token(current_user, token_id)
    if token.revoked_at is not None:
        flash(f"The token “{token.name}” is already revoked.", "info")
        return redirect(url_for("api_tokens.index"))
    if page := confirm_step(ActionForm(), "tokens/revoke_confirm.html", token=token):
        return page
    if attempt(None, tokens.revoke_token, current_user, token) is not REFUSED:
        flash(f"The token “{token.name}” is revoked.", "info")
    return redirect(url_for("api_tokens.index"))

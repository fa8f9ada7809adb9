"""Account pages: /auth/login, /auth/logout, /auth/register/<token>, /auth/password."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import services
from portal.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    SettingsForm,
)
from portal.extensions import limiter
from portal.web.forms import REFUSED, attempt

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in with e-mail and password; follows a safe `next` only."""
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if services.is_safe_next(next_url) else url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = attempt(form, services.authenticate, form.email.data, form.password.data)
        if user is not REFUSED:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(next_url if services.is_safe_next(next_url) else url_for("main.index"))
    status = 401 if form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks for confirmation (so the link works); POST, with its CSRF token, logs out."""
    form = LogoutForm()
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        logout_user()
        flash("You have been logged out.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


def invalid_invitation(form: RegisterForm):
    """410 with the reason the invitation cannot be used (the refusal `attempt` put on the form)."""
    return render_template("auth/invitation_invalid.html", problem=form.form_errors[-1]), 410


@bp.route("/register/<token>", methods=["GET", "POST"])
def register(token: str):
    """Sign up through an invitation link."""
    form = RegisterForm()
    invitation = attempt(form, services.find_invitation, token)
    if invitation is REFUSED:
        return invalid_invitation(form)
    if form.validate_on_submit():
        user = attempt(
            form, services.register, token, form.display_name.data or "", form.password.data or ""
        )
        if user is REFUSED:
            return invalid_invitation(form)
        logout_user()
        login_user(user)
        flash("Your account is ready. Welcome to Channel Voice.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form, invitation=invitation)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed = attempt(
            form,
            services.change_password,
            current_user,
            form.current_password.data,
            form.new_password.data,
        )
        if changed is not REFUSED:
            flash("Your password has been changed.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """One's own notification preferences."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        services.update_settings(current_user, form.notify.data, form.weekly_digest.data)
        flash("Your settings are saved.", "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form)

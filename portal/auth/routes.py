"""Pages under /auth: log in/out, sign-up by invitation, passwords (change, reset), settings."""

import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.auth import oidc, services, sessions
from portal.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    SettingsForm,
)
from portal.extensions import limiter
from portal.web.forms import REFUSED, ActionForm, attempt

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _account_key() -> str:
    """The account a log-in or reset form names, hashed (the limiter's store holds no addresses)."""
    email = services.normalise_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def _failed(response) -> bool:
    return response.status_code == 401


def _next_or_home() -> str:
    next_url = request.args.get("next")
    return next_url if next_url and services.is_safe_next(next_url) else url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login():
    """Log in with e-mail and password; follows a safe `next` only.

    Limited per client address and, for failed attempts, per account named in the form.
    """
    if current_user.is_authenticated:
        return redirect(_next_or_home())
    form = LoginForm()
    if form.validate_on_submit():
        user = attempt(form, services.authenticate, form.email.data, form.password.data)
        if user is not REFUSED:
            sessions.start(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(_next_or_home())
    status = 401 if form.form_errors else 200
    return render_template("auth/login.html", form=form, sso=_sso_label()), status


def _sso_label() -> str | None:
    """The single sign-on button's label, or None when the portal offers none."""
    return current_app.config["OIDC_BUTTON_LABEL"] if oidc.is_configured() else None


def sso_refused(form: ActionForm):
    """403 saying why single sign-on did not sign anyone in, with the way back."""
    problem = form.form_errors[-1]
    return render_template("auth/sso_refused.html", problem=problem, sso=_sso_label()), 403


@bp.get("/oidc/login")
@limiter.limit(_login_limit)
def oidc_login():
    """Start single sign-on: off to the identity provider (404 when none is configured)."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = ActionForm(meta={"csrf": False})  # carries a refusal to the page; nothing is posted
    redirect_uri = url_for("auth.oidc_callback", _external=True)
    response = attempt(form, oidc.start, redirect_uri)
    return sso_refused(form) if response is REFUSED else response


@bp.get("/oidc/callback")
@limiter.limit(_login_limit)
def oidc_callback():
    """End single sign-on: the provider's verified answer logs in a linked or new account."""
    if not oidc.is_configured():
        abort(404)
    form = ActionForm(meta={"csrf": False})
    user = attempt(form, oidc.finish)
    if user is REFUSED:
        return sso_refused(form)
    sessions.start(user)
    flash(f"Welcome, {user.display_name}.", "success")
    return redirect(url_for("main.index"))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks for confirmation (so the link works); POST, with its CSRF token, logs out.

    "Log out on every device" also ends the account's other sessions and remember-me cookies.
    """
    form = LogoutForm()
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if form.validate_on_submit():
        everywhere = bool(form.everywhere.data)
        if everywhere:
            services.end_all_sessions(current_user)
        sessions.end()
        flash("You have been logged out" + (" on every device." if everywhere else "."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


def invalid_link(form: RegisterForm | ResetPasswordForm, reset: bool = False):
    """410 saying why an e-mailed link cannot be used (the refusal `attempt` put on the form)."""
    page = render_template("auth/link_invalid.html", problem=form.form_errors[-1], reset=reset)
    return page, 410


@bp.route("/register/<token>", methods=["GET", "POST"])
def register(token: str):
    """Sign up through an invitation link."""
    form = RegisterForm()
    invitation = attempt(form, services.find_invitation, token)
    if invitation is REFUSED:
        return invalid_link(form)
    if form.validate_on_submit():
        user = attempt(
            form, services.register, token, form.display_name.data or "", form.password.data or ""
        )
        if user is REFUSED:
            return invalid_link(form)
        sessions.start(user)
        flash("Your account is ready. Welcome to Channel Voice.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form, invitation=invitation)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions are logged out, this one stays."""
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
            sessions.renew(current_user)
            flash(
                "Your password has been changed. Your other sessions have been logged out.",
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_account_key)
def request_reset():
    """Ask for a password-reset link; the answer is the same whether or not the account exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        return render_template("auth/reset_sent.html", minutes=_reset_minutes())
    return render_template("auth/reset_request.html", form=form)


def _reset_minutes() -> int:
    return current_app.config["PASSWORD_RESET_MINUTES"]


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password through the e-mailed link; every session is logged out."""
    form = ResetPasswordForm()
    if attempt(form, services.find_password_reset, token) is REFUSED:
        return invalid_link(form, reset=True)
    if form.validate_on_submit():
        if attempt(form, services.reset_password, token, form.new_password.data or "") is REFUSED:
            return invalid_link(form, reset=True)
        sessions.end()
        flash(
            "Your new password is set, and every session was logged out. Log in with it.", "success"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """One's own notification preferences, and one's sessions (to log out the others)."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        services.update_settings(current_user, form.notify.data, form.weekly_digest.data)
        flash("Your settings are saved.", "success")
        return redirect(url_for("auth.settings"))
    user_sessions = services.active_sessions(current_user)
    return render_template("auth/settings.html", form=form, user_sessions=user_sessions)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out every other browser and device; this one stays logged in."""
    if ActionForm().validate_on_submit():
        services.end_all_sessions(current_user)
        sessions.renew(current_user)
        flash("Every other session has been logged out.", "success")
    return redirect(url_for("auth.settings"))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Log out one other browser or device, chosen from the settings page."""
    if ActionForm().validate_on_submit():
        if attempt(None, services.end_session, current_user, session_id) is not REFUSED:
            flash("That session has been logged out.", "success")
    return redirect(url_for("auth.settings"))

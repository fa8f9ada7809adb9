"""This browser's log-in session: started afresh at log-in, renewed after a revocation, ended.

The session cookie and the remember-me cookie carry `User.get_id()` (`<id>:<generation>`); the
user loader refuses a stale generation, so `services.end_all_sessions` ends them everywhere.
"""

from flask import current_app, g, request, session
from flask_login import login_user, logout_user

from portal.models import User


def start(user: User, remember: bool = False) -> None:
    """Log in on a new session: nothing from before log-in (the CSRF secret included) survives."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    login_user(user, remember=remember)


def has_remember_cookie() -> bool:
    """Whether this browser sent a remember-me cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def renew(user: User) -> None:
    """Keep this browser logged in after the user's sessions were ended (new generation)."""
    start(user, remember=has_remember_cookie())


def end() -> None:
    """Log out this browser: the session is emptied and the remember-me cookie deleted."""
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session

"""This browser's log-in session: started afresh at log-in, renewed after a revocation, ended.

Each log-in is a `UserSession` row; the session cookie and the remember-me cookie carry
`User.get_id()` (`<id>:<session key>`), and the user loader refuses a key whose row is gone. Log
out deletes this browser's row, `services.end_all_sessions` every row of the user.
"""

from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from portal.auth import services
from portal.models import User

BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_summary(user_agent: str) -> str:
    """A short name for a browser ("Firefox on Linux") from its User-Agent, for the settings."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def start(user: User, remember: bool = False) -> None:
    """Log in on a new session: nothing from before log-in (the CSRF secret included) survives."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the request's token here
    services.open_session(user, browser_summary(request.headers.get("User-Agent", "")))
    login_user(user, remember=remember)


def has_remember_cookie() -> bool:
    """Whether this browser sent a remember-me cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def renew(user: User) -> None:
    """Keep this browser logged in after the user's sessions were ended (a new session)."""
    start(user, remember=has_remember_cookie())


def end() -> None:
    """Log out this browser: its session row goes, the session is emptied, remember-me deleted."""
    if current_user.is_authenticated:
        services.close_session(current_user)
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session

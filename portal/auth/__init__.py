"""Accounts: log in, log out, invitations, passwords."""

from flask_login import LoginManager

from portal.auth.services import user_for_session


def init_login(login_manager: LoginManager) -> None:
    """Tell Flask-Login how to load users and where to send anonymous visitors.

    The id in the session and remember-me cookie is `<user id>:<session key>`; a key whose
    `UserSession` row was deleted (log out, log out everywhere) loads nobody.
    """
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(user_for_session)

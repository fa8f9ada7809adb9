"""Accounts: log in, log out, invitations, passwords."""

from flask_login import LoginManager

from portal.models import User


def init_login(login_manager: LoginManager) -> None:
    """Tell Flask-Login how to load users and where to send anonymous visitors."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        from portal.auth.services import user_for_session

        return user_for_session(session_id)

"""Accounts: log in, log out, invitations, passwords."""

from flask_login import LoginManager

from portal.extensions import db
from portal.models import User


def init_login(login_manager: LoginManager) -> None:
    """Tell Flask-Login how to load users and where to send anonymous visitors."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

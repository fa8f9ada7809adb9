"""The account e-mails: an invitation, an invitation for an address that has an account, a reset.

Each function returns (subject, body) for `portal.notify.queue_message`.
"""

from portal.models import Invitation, User
from portal.notify import external_url

INVITATION_SUBJECT = "Your invitation to Channel Voice"


def _joining(invitation: Invitation) -> str:
    if invitation.organisation is None:
        return f"as {invitation.role.label.lower()}"
    return f"to join {invitation.organisation.name} as {invitation.role.label.lower()}"


def invitation(invitation: Invitation, inviter: User, link: str) -> tuple[str, str]:
    """The sign-up link for someone without an account."""
    body = (
        f"Hello,\n\n{inviter.display_name} invited you {_joining(invitation)} on Channel Voice, "
        "the portal where channel partners tell the vendor what they need.\n\n"
        "Create your account with this link. It works once, until "
        f"{invitation.expires_at:%Y-%m-%d}:\n\n{link}\n\n"
        "If you did not expect this invitation, you can ignore this e-mail.\n"
    )
    return INVITATION_SUBJECT, body


def existing_account(invitation: Invitation, inviter: User) -> tuple[str, str]:
    """For an address that already has an account: log in, no second account."""
    body = (
        f"Hello,\n\n{inviter.display_name} invited you {_joining(invitation)} on Channel Voice. "
        "You already have an account with this e-mail address, so there is nothing to sign up "
        f"for: log in at\n\n{external_url('auth.login')}\n\n"
        "Forgotten your password? Set a new one at\n\n"
        f"{external_url('auth.request_reset')}\n\n"
        "This invitation does not change your account. If it should belong to another "
        "organisation, ask the portal administrator.\n"
    )
    return INVITATION_SUBJECT, body


def password_reset(user: User, link: str, minutes: int) -> tuple[str, str]:
    """The link to set a new password."""
    body = (
        f"Hello {user.display_name},\n\n"
        f"Someone asked to set a new password for the Channel Voice account {user.email}. "
        f"If it was you, set it with this link. It works once, within {minutes} minutes:\n\n"
        f"{link}\n\n"
        "Setting a new password logs you out everywhere. If you did not ask for this, ignore "
        "this e-mail: your password stays as it is.\n"
    )
    return "Set a new password for Channel Voice", body

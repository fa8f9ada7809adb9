"""Error pages and the exception service functions raise for a refused request."""


class ServiceError(ValueError):
    """A request the rules refuse; the message is safe to show to the user.

    `field` names the form field the problem belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

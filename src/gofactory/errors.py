"""Errors that are reported to the user as a message, without a traceback."""

USAGE_EXIT_CODE = 2


class GofactoryError(Exception):
    """A problem the user can fix: printed as ``error: <message>``, then exit."""

    def __init__(self, message: str, exit_code: int = USAGE_EXIT_CODE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

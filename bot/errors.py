"""The bot package's errors, and the one line a front end shows for any of newsbot's errors."""

from __future__ import annotations

from config.errors import NewsbotError


class BotError(NewsbotError):
    """A front end cannot do what was asked; the message says why."""


class BotSetupError(BotError):
    """The bot cannot start: a missing or rejected token, an unreachable Bot API, a bad secret."""


# What the front ends turn into one line instead of a traceback: our own errors, and the
# operating system's (a missing file, a full disk), which name their file.
USER_ERRORS: tuple[type[Exception], ...] = (NewsbotError, OSError)


def describe_error(error: Exception) -> str:
    """One line that says what went wrong, without a traceback."""
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__

"""The ingest package's errors (the whole tree is drawn in `config/errors.py`)."""

from __future__ import annotations

from config.errors import NewsbotError


class IngestError(NewsbotError):
    """Articles could not be taken in; the message names the file, URL or feed."""


def first_line(error: BaseException) -> str:
    """The first line of an error's message, or its type's name when it has none.

    Load and fetch errors quote the library's message in one-line reasons; a multi-line one
    (a parser's context dump) would break the one-line-per-failure summary.
    """
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__

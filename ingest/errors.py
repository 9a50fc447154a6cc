"""The ingest package's errors (the whole tree is drawn in `config/errors.py`)."""

from __future__ import annotations

from config.errors import NewsbotError


class IngestError(NewsbotError):
    """Articles could not be taken in; the message names the file, URL or feed."""

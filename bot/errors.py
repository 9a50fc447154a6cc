"""The errors meant for people, gathered so each front end turns them into one clear line."""

from __future__ import annotations

from ingest.fetch import FetchError
from ingest.pipeline import IngestLockedError
from retrieval.archive.embedding import EmbeddingError
from retrieval.archive.store import StoreError

USER_ERRORS: tuple[type[Exception], ...] = (
    StoreError,
    EmbeddingError,
    IngestLockedError,
    FetchError,
    OSError,
)


def describe_error(error: Exception) -> str:
    """One line that says what went wrong, without a traceback."""
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__

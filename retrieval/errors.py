"""The retrieval package's errors (the whole tree is drawn in `config/errors.py`)."""

from __future__ import annotations

from config.errors import NewsbotError


class RetrievalError(NewsbotError):
    """Searching, answering or evaluating cannot go on; the message says why."""


class ArchiveError(RetrievalError):
    """The archive (catalog, vector store or embedding) cannot be opened or used."""

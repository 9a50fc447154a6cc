"""The root of newsbot's errors: everything raised for a person to read derives from it.

    NewsbotError                    config/errors.py
    ├── SettingsError               a setting is missing or malformed
    ├── RetrievalError              retrieval/errors.py
    │   ├── ArchiveError            the archive cannot be opened or used
    │   │   ├── StoreError          retrieval/archive/store.py
    │   │   └── EmbeddingError      retrieval/archive/embedding.py
    │   ├── LLMError                retrieval/generation/errors.py
    │   │   ├── LLMUnavailableError
    │   │   └── LLMTimeoutError
    │   └── QuestionSetError        retrieval/evaluation/questions.py
    ├── IngestError                 ingest/errors.py
    │   ├── FetchError, IngestLockedError, SubscriptionError, SyndicationError
    └── BotError                    bot/errors.py
        └── BotSetupError

Messages are written for the user: what went wrong, which file or setting, what to do. Front
ends catch `NewsbotError` alone and show its first line; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations


class NewsbotError(Exception):
    """An error a person can act on; its message says what to do."""


class SettingsError(NewsbotError):
    """A setting is missing or malformed; the message names it."""

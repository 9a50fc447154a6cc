"""Why a language model could not be used (its own module so backends and the factory share it)."""

from __future__ import annotations

from retrieval.errors import RetrievalError


class LLMError(RetrievalError):
    """The language model cannot be used; the message names the setting or the fix."""


class LLMUnavailableError(LLMError):
    """The model file, package or server is not there, or refused the request."""


class LLMTimeoutError(LLMError):
    """The model did not finish its reply in time."""

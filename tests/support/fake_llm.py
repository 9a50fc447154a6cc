"""A FAKE model: a real llama-index `CustomLLM` that streams a fixed reply, or raises."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.bridge.pydantic import Field
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback


class FakeScriptedLLM(CustomLLM):
    """A FAKE model: streams `reply` word by word, or raises `error`; records its prompts."""

    reply: str = ""
    error: Exception | None = None
    delay_s: float = 0.0
    prompts: list[str] = Field(default_factory=list)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="fake-scripted", is_chat_model=False)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text="".join(self._pieces(prompt)))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for piece in self._pieces(prompt):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

        return gen()

    def _pieces(self, prompt: str) -> Iterator[str]:
        self.prompts.append(prompt)
        if self.error is not None:
            raise self.error
        for i, word in enumerate(self.reply.split(" ")):
            time.sleep(self.delay_s)
            yield word if i == 0 else " " + word

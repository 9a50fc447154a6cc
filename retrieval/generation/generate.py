"""Generative answers whose every citation is checked before the answer is sent.

The model reads a short prompt (`retrieval.generation.prompt`) and its reply is streamed to the
caller; then each sentence is verified (`retrieval.generation.verify`) and the answer keeps the
sentences that passed, renumbered `[1]..[k]` in order of first use, each citation quoting the
passage sentence that backs it.

Falling back to the extractive answer (with a note saying why) happens when:
- the extractive step abstained and `ask_when_extractive_abstains` is off (by default the model
  reads the passages itself, so LLM mode does not inherit the extractive step's refusals; it
  may decline too, and every sentence it writes is verified);
- the model timed out or failed;
- nothing of the reply survived verification;
- the model said the passages do not answer while the extractive step found an answer: the
  extractive sentences passed stricter checks (rare terms, names) than a small model's
  judgement, so we keep them and say the model declined.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from llama_index.core.llms import LLM

from config.settings import LLMSettings
from retrieval.citations import (
    SupportChecker,
)
from retrieval.generation.errors import LLMError, LLMTimeoutError
from retrieval.generation.llm import stream_reply
from retrieval.generation.prompt import (
    PromptPassage,
    build_messages,
    select_passages,
)
from retrieval.generation.verify import KeptSentence, ReplyCheck, verify_reply
from retrieval.results import Answer, Citation, Passage

NOTE_TIMEOUT = "the language model did not answer in time; this is the extractive answer"
NOTE_FAILED = "the language model is unavailable; this is the extractive answer"
NOTE_UNSUPPORTED = (
    "the language model's answer could not be checked against the sources; "
    "this is the extractive answer"
)
NOTE_DECLINED = "the language model found no answer in the passages; this is the extractive answer"


def generate_answer(
    llm: LLM,
    question: str,
    passages: Sequence[Passage],
    *,
    fallback: Answer,
    checker: SupportChecker,
    as_of: date,
    settings: LLMSettings,
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """An LLM answer with verified citations, or `fallback` with a note saying why.

    Args:
        llm: from `make_llm`.
        question: the standalone question (after follow-up rewriting).
        passages: the ranked passages the extractive answer considered.
        fallback: the extractive answer to the same question over the same passages.
        checker: the support checker (with the archive's sentence embedder).
        as_of: the date the question is asked on, told to the model.
        settings: `timeout_s` bounds the whole reply; `model` names it in `verification`;
            `ask_when_extractive_abstains` whether a `fallback` abstention still asks.
        on_token: called with each streamed text delta (for live message edits); the text
            sent at the end is the verified one, which may differ.

    Returns:
        An `Answer` whose `verification` says what was checked, kept, re-cited and dropped.
    """
    started = time.perf_counter()
    model = llm.metadata.model_name or settings.model
    info: dict[str, object] = {"mode": "llm", "model": model}
    if fallback.abstained and not settings.ask_when_extractive_abstains:
        reason = "the extractive step found no answer in the archive; the model was not asked"
        return replace(fallback, verification={**info, "fallback": True, "reason": reason})

    prompt_passages = select_passages(question, passages, fallback)
    if not prompt_passages:
        reason = "no passages to show the model"
        return replace(fallback, verification={**info, "fallback": True, "reason": reason})
    messages = build_messages(question, prompt_passages, as_of)
    info["prompt_passages"] = len(prompt_passages)
    info["prompt_chars"] = sum(len(m.content or "") for m in messages)

    deadline = time.monotonic() + settings.timeout_s
    parts: list[str] = []
    ttft_ms: float | None = None
    try:
        for delta in stream_reply(llm, messages):
            if ttft_ms is None:
                ttft_ms = (time.perf_counter() - started) * 1000
            parts.append(delta)
            if on_token is not None:
                on_token(delta)
            if time.monotonic() > deadline:
                raise LLMTimeoutError(f"no complete reply within {settings.timeout_s:g} s")
    except LLMError as error:
        timed_out = isinstance(error, LLMTimeoutError)
        info |= {"fallback": True, "reason": str(error), "ttft_ms": _ms(ttft_ms)}
        return _fall_back(fallback, NOTE_TIMEOUT if timed_out else NOTE_FAILED, info, started)
    generate_ms = (time.perf_counter() - started) * 1000
    reply = "".join(parts).strip()

    mark = time.perf_counter()
    report = verify_reply(reply, question, prompt_passages, checker)
    verify_ms = (time.perf_counter() - mark) * 1000
    info |= {
        "sentences": report.sentences,
        "kept": len(report.kept),
        "dropped": report.dropped,
        "recited": report.recited,
        "ttft_ms": _ms(ttft_ms),
        "generate_ms": _ms(generate_ms),
        "verify_ms": _ms(verify_ms),
    }
    if not report.kept:
        note, reason = _why_fall_back(report, fallback)
        return _fall_back(fallback, note, info | {"fallback": True, "reason": reason}, started)

    text, citations = _renumber(report.kept, prompt_passages)
    info |= {"fallback": False, "reason": "every sentence kept is supported by a cited passage"}
    return Answer(
        question=fallback.question or question,
        text=text,
        citations=citations,
        passages=fallback.passages or tuple(passages),
        abstained=False,
        notes=fallback.notes,
        timings_ms=_timings(fallback, started, ttft_ms, generate_ms, verify_ms),
        verification=info,
        search_query=fallback.search_query,
    )


def _renumber(
    kept: Sequence[KeptSentence], prompt_passages: Sequence[PromptPassage]
) -> tuple[str, tuple[Citation, ...]]:
    """Text with `[n]` in order of first use, and one citation per passage used."""
    passage_of = {p.number: p.passage for p in prompt_passages}
    new_number: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    for item in kept:
        markers = []
        for n, quote in zip(item.numbers, item.quotes, strict=True):
            m = new_number.setdefault(n, len(new_number) + 1)
            if quote not in quotes.setdefault(m, []):
                quotes[m].append(quote)
            markers.append(f"[{m}]")
        parts.append(f"{item.claim} {' '.join(markers)}")
    citations = tuple(
        Citation(n=m, passage=passage_of[n], quote=" … ".join(quotes[m]))
        for n, m in sorted(new_number.items(), key=lambda kv: kv[1])
    )
    return " ".join(parts), citations


def _why_fall_back(report: ReplyCheck, fallback: Answer) -> tuple[str | None, str]:
    """The note for the reader (None: the abstention speaks for itself) and the reason."""
    if report.declined and fallback.abstained:
        return None, "the model said the passages do not answer"
    if report.declined:
        return NOTE_DECLINED, "the model declined; the extractive step did not"
    return NOTE_UNSUPPORTED, "no sentence of the reply was supported"


def _fall_back(
    fallback: Answer, note: str | None, info: dict[str, object], started: float
) -> Answer:
    notes = (*fallback.notes, note) if note else fallback.notes
    timings = dict(fallback.timings_ms)
    llm_ms = (time.perf_counter() - started) * 1000
    timings["llm"] = round(llm_ms, 1)
    if "total" in timings:
        timings["total"] = round(timings["total"] + llm_ms, 1)
    return replace(fallback, notes=notes, verification=info, timings_ms=timings)


def _timings(
    fallback: Answer, started: float, ttft: float | None, generate: float, verify: float
) -> dict[str, float]:
    timings = dict(fallback.timings_ms)
    llm_ms = (time.perf_counter() - started) * 1000
    timings |= {
        "llm_ttft": _ms(ttft) or 0.0,
        "llm_generate": round(generate, 1),
        "llm_verify": round(verify, 1),
        "llm": round(llm_ms, 1),
    }
    if "total" in timings:
        timings["total"] = round(timings["total"] + llm_ms, 1)
    return timings


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

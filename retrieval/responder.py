"""A question's walk: plan -> search -> read -> (generate), with timings.

The one entry point front ends call (`Responder.ask`). The question is planned first (its time
window, its parts: `question.plan`), the archive searched inside the window (`search`), and the
passages read by the extractive reader (`answering.reader`), which owns the reply. When a window
held nothing that answers, the reply names the closest article outside it, rather than
silently widening. In LLM mode the model writes the reply from the same passages and every
sentence is verified. It stays synchronous; the Telegram bot runs it in a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from config.settings import AnswerSettings, LLMSettings, RetrievalSettings, Settings
from retrieval.answering.reader import ExtractiveReader
from retrieval.archive import Archive
from retrieval.citations import SupportChecker
from retrieval.generation.errors import LLMError
from retrieval.question.followup import Conversation
from retrieval.question.plan import QuestionPlan, plan_question
from retrieval.results import Answer, Passage
from retrieval.search import SearchOptions, search
from retrieval.text.calendar import format_day
from retrieval.text.language import asked_language

if TYPE_CHECKING:  # llama-index takes seconds to import; only LLM mode needs it
    from llama_index.core.llms import LLM


@dataclass(frozen=True)
class AskOptions:
    """Per-question options a front end may set."""

    as_of: date | None = None
    top_k: int | None = None


class Responder:
    """Answers questions from one archive."""

    def __init__(
        self,
        archive: Archive,
        *,
        retrieval: RetrievalSettings | None = None,
        answer: AnswerSettings | None = None,
        generation: LLMSettings | None = None,
        llm: LLM | None = None,
    ) -> None:
        """Each part gets its section (defaults where none is given); `llm` overrides the model
        `generation` names."""
        self.archive = archive
        self.retrieval = retrieval or RetrievalSettings()
        self.answer_settings = answer or AnswerSettings()
        self.generation = generation or LLMSettings()
        self.reader = ExtractiveReader(
            self.answer_settings, archive.catalog, archive.read_sentences, archive.chance_cosine
        )
        self._llm = llm
        self._llm_lock = threading.Lock()
        self._checker: SupportChecker | None = None

    @classmethod
    def from_settings(
        cls, archive: Archive, settings: Settings, llm: LLM | None = None
    ) -> Responder:
        """A responder configured by the sections of `settings` (the front ends' way in)."""
        return cls(
            archive,
            retrieval=settings.retrieval,
            answer=settings.answer,
            generation=settings.llm,
            llm=llm,
        )

    def _language_model(self) -> LLM:
        """The configured LLM, made once on first use (loading a local model takes seconds)."""
        with self._llm_lock:
            if self._llm is None:
                from retrieval.generation.llm import make_llm  # deferred: llama-index

                self._llm = make_llm(self.generation)
            return self._llm

    def _generate(
        self,
        question: str,
        passages: Sequence[Passage],
        extractive: Answer,
        as_of: date,
        on_token: Callable[[str], None] | None,
    ) -> Answer:
        """A fluent answer whose every citation is verified, or the extractive one with a note."""
        if self._checker is None:
            self._checker = SupportChecker(embed=self.archive.embed_sentences)
        try:
            llm = self._language_model()
        except LLMError as error:
            note = f"the language model is not available ({error}); this is the extractive answer"
            return replace(extractive, notes=(*extractive.notes, note))
        from retrieval.generation.generate import generate_answer  # deferred: llama-index

        return generate_answer(
            llm,
            question,
            passages,
            fallback=extractive,
            checker=self._checker,
            as_of=as_of,
            settings=self.generation,
            on_token=on_token,
        )

    def ask(
        self,
        question: str,
        options: AskOptions | None = None,
        conversation: Conversation | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer `question` from the archive, citing the passages used.

        With a `conversation`, a follow-up is first rewritten into a standalone question and
        the turn is recorded.
        """
        asked = " ".join(question.split())
        standalone = conversation.rewrite(asked) if conversation else asked
        options = options or AskOptions()
        answer = self._answer(standalone, options)
        if self.answer_settings.mode == "llm":
            started = time.perf_counter()
            ranked = answer.passages
            considered = ranked[: self.answer_settings.passages_considered]
            answer = self._generate(
                standalone, considered, answer, options.as_of or date.today(), on_token
            )
            answer = replace(answer, passages=ranked)
            llm_ms = round((time.perf_counter() - started) * 1000, 1)
            answer = replace(answer, timings_ms={**answer.timings_ms, "llm_total": llm_ms})
        answer = replace(answer, question=asked, search_query=standalone)
        if conversation is not None:
            conversation.record(asked, standalone, answer)
        return answer

    def _answer(self, question: str, options: AskOptions) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        plan = plan_question(
            question,
            self.retrieval,
            as_of=options.as_of,
            top_k=options.top_k,
            covers=self.archive.catalog.has_published,
            language=asked_language(question),
        )
        window = SearchOptions(k=plan.k, start=plan.start, end=plan.end, prefer_recent=plan.recent)
        result = search(self.archive, plan.query, window, self.retrieval)
        timings["retrieve"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        answer = self.reader.answer(plan, result.passages)
        if answer.abstained and plan.windowed:
            answer = replace(answer, notes=(*answer.notes, *self._outside_window(plan)))
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return replace(answer, timings_ms={k: round(v, 1) for k, v in timings.items()})

    def _outside_window(self, plan: QuestionPlan) -> list[str]:
        """When a window held no answer: what the archive covers, or its closest match outside."""
        first, last = self.archive.catalog.date_range()
        if first and last:
            covers = f"the archive covers {format_day(first)} to {format_day(last)}"
            if plan.start and plan.start > last:
                return [covers]
            if plan.end and plan.end < first:
                return [covers]
        wider = search(self.archive, plan.query, SearchOptions(k=1), self.retrieval).passages
        if not wider:
            return []
        closest = wider[0]
        when = format_day(closest.published) if closest.published else "an undated article"
        return [f"outside that window the closest match is “{closest.title}” from {when}"]

"""A question's walk: time window -> search -> extractive answer, with timings.

The one entry point front ends call (`Responder.ask`). A time expression in the question
("last week", "in May 2019") becomes a hard filter on publication dates for both retrievers;
when the window holds nothing that answers, the reply says so and names the closest article
outside it, rather than silently widening. It stays synchronous; the Telegram bot runs it in a
worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from llama_index.core.llms import LLM

from retrieval.answering.answer import (
    DATE_WORDS,
    Evidence,
    QuestionProfile,
    ScoredSentence,
    choose,
    choose_timeline,
    combine,
    compose,
    is_timeline,
    profile,
    score_sentences,
)
from retrieval.answering.short_answer import fit, short_answer
from retrieval.archive import Archive
from retrieval.citations import SupportChecker
from retrieval.generation.errors import LLMError
from retrieval.generation.generate import generate_answer
from retrieval.generation.llm import make_llm
from retrieval.question.compound import split_question
from retrieval.question.followup import Conversation
from retrieval.question.timeframe import (
    TimeFrame,
    describe_window,
    format_day,
    parse_timeframe,
    strip_time_expression,
)
from retrieval.results import Answer, Passage
from retrieval.search import SearchOptions, search

REPORTING_LAG = timedelta(days=7)


@dataclass(frozen=True)
class AskOptions:
    """Per-question options a front end may set."""

    as_of: date | None = None
    top_k: int | None = None


class Responder:
    """Answers questions from one archive."""

    def __init__(self, archive: Archive, llm: LLM | None = None) -> None:
        self.archive = archive
        self.settings = archive.settings
        self._llm = llm
        self._llm_lock = threading.Lock()
        self._checker: SupportChecker | None = None

    def _language_model(self) -> LLM:
        """The configured LLM, made once on first use (loading a local model takes seconds)."""
        with self._llm_lock:
            if self._llm is None:
                self._llm = make_llm(self.settings.llm)
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
            self._checker = SupportChecker(embed=self.archive.embed_sentences)  # type: ignore[arg-type]  # lists are sequences
        try:
            llm = self._language_model()
        except LLMError as error:
            note = f"the language model is not available ({error}); this is the extractive answer"
            return replace(extractive, notes=(*extractive.notes, note))
        return generate_answer(
            llm,
            question,
            passages,
            fallback=extractive,
            checker=self._checker,
            as_of=as_of,
            settings=self.settings.llm,
            on_token=on_token,
        )

    def _article_text(self, passage: Passage) -> str:
        return "\n".join(
            text for _cid, text in self.archive.catalog.article_chunks(passage.article_id)
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
        if self.settings.answer.mode == "llm":
            started = time.perf_counter()
            ranked = answer.passages
            considered = ranked[: self.settings.answer.passages_considered]
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

    def _window(
        self, question: str, options: AskOptions
    ) -> tuple[TimeFrame | None, str, SearchOptions]:
        as_of = options.as_of or date.today()
        aware = self.settings.retrieval.news_aware
        frame = parse_timeframe(question, as_of) if aware else None
        query = strip_time_expression(question, frame) if frame else question
        start = frame.start if frame else None
        end = frame.end if frame else None
        if end is not None and frame is not None and frame.kind not in ("recent", "latest"):
            # News is published after the event: Friday's vote is in Saturday's and Monday's
            # papers. The window on publication dates runs a week past the event window.
            end = min(end + REPORTING_LAG, as_of) if end < as_of else end
        if options.as_of is not None and aware:
            # Nothing published after the day the question is asked on can answer it.
            end = min(end, options.as_of) if end else options.as_of
        recent = frame is not None and frame.kind in ("recent", "latest")
        top_k = options.top_k or self.settings.retrieval.top_k
        if aware and is_timeline(question):
            top_k = max(top_k, 20)
        return frame, query, SearchOptions(k=top_k, start=start, end=end, prefer_recent=recent)

    def _answer(self, question: str, options: AskOptions) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        frame, query, search_options = self._window(question, options)
        result = search(self.archive, query, search_options)
        timings["retrieve"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        aware = self.settings.retrieval.news_aware
        timeline = aware and is_timeline(question)
        parts = split_question(query) if aware and not timeline else [query]
        breadth = self.settings.answer.passages_considered
        if timeline:
            breadth = 12
        elif len(parts) > 1:  # each part may be answered by another article
            breadth = min(breadth + 4, search_options.k)
        considered = result.passages[:breadth]
        unanswered: list[str] = []
        if timeline:
            prof = profile(query, self.archive.catalog.idf)
            scored = self._scored(prof, query, considered)
            evidence, short = choose_timeline(scored, considered, self.settings.answer), None
        elif len(parts) > 1:
            answers = [self._evidence(part, considered, aware) for part in parts]
            evidence, short = combine(answers, self.settings.answer.max_sentences)
            if evidence.confident:
                unanswered = [
                    p for p, (e, _) in zip(parts, answers, strict=True) if not e.confident
                ]
        else:
            evidence, short = self._evidence(query, considered, aware)
        notes = self._notes(frame, search_options, query, evidence.confident)
        notes += [f"the archive does not answer “{part}”" for part in unanswered]
        answer = compose(
            question,
            evidence,
            result.passages[: search_options.k],
            short=short,
            notes=notes,
            timeline=timeline,
        )
        if not evidence.confident and frame is not None and frame.kind not in ("recent", "latest"):
            window = describe_window(search_options.start, search_options.end)
            answer = replace(
                answer,
                text=f"Nothing in the archive answers that for “{frame.expression}” "
                f"(searched articles published {window}).",
            )
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return replace(answer, timings_ms={k: round(v, 1) for k, v in timings.items()})

    def _scored(
        self, prof: QuestionProfile, query: str, considered: Sequence[Passage]
    ) -> list[ScoredSentence]:
        return score_sentences(
            prof,
            query,
            considered,
            self.archive.read_sentences,
            max_candidates=self.settings.answer.sentences_read,
        )

    def _evidence(
        self, query: str, considered: Sequence[Passage], aware: bool
    ) -> tuple[Evidence, str | None]:
        """The chosen sentences for one question (or one part of a compound question) and the
        short answer they give."""
        prof = profile(query, self.archive.catalog.idf)
        scored = self._scored(prof, query, considered)

        def fits_kind(c: ScoredSentence) -> float:
            published = considered[c.passage_index].published
            return max(
                fit(prof.kind, c.text, query, prof.terms, published),
                0.5 if prof.kind == "when" and DATE_WORDS.search(c.text) else 0.0,
            )

        evidence = choose(
            prof,
            scored,
            considered,
            self.settings.answer,
            self._article_text,
            fits_kind=fits_kind if aware else None,
        )
        if not (evidence.confident and aware):
            return evidence, None
        best = evidence.chosen[0]
        published = considered[best.passage_index].published
        return evidence, short_answer(prof.kind, best.text, query, prof.terms, published)

    def _notes(
        self, frame: TimeFrame | None, options: SearchOptions, query: str, confident: bool
    ) -> list[str]:
        """What the reader should know about the time window and the archive's coverage."""
        notes: list[str] = []
        if frame is not None:
            notes.append(
                f"“{frame.expression}”: searched articles published "
                + describe_window(options.start, options.end, ongoing=frame.ongoing)
            )
        if confident or frame is None or frame.kind in ("recent", "latest"):
            return notes
        stats = self.archive.catalog.stats()
        if stats.first and stats.last and options.start and options.start > stats.last:
            notes.append(
                f"the archive covers {format_day(stats.first)} to {format_day(stats.last)}"
            )
            return notes
        if stats.first and stats.last and options.end and options.end < stats.first:
            notes.append(
                f"the archive covers {format_day(stats.first)} to {format_day(stats.last)}"
            )
            return notes
        wider = search(self.archive, query, SearchOptions(k=1)).passages
        if wider:
            closest = wider[0]
            when = format_day(closest.published) if closest.published else "an undated article"
            notes.append(f"outside that window the closest match is “{closest.title}” from {when}")
        return notes

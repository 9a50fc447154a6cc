"""A question's walk: time window -> search -> extractive answer, with timings.

The one entry point front ends call (`Responder.ask`). It stays synchronous; the Telegram bot
runs it in a worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date

from retrieval.answer import choose, compose, profile, score_sentences
from retrieval.archive import Archive
from retrieval.conversation import Conversation
from retrieval.results import Answer, Passage
from retrieval.search import SearchOptions, search


@dataclass(frozen=True)
class AskOptions:
    """Per-question options a front end may set."""

    as_of: date | None = None
    top_k: int | None = None


class Responder:
    """Answers questions from one archive."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.settings = archive.settings

    def _article_text(self, passage: Passage) -> str:
        return "\n".join(
            text for _cid, text in self.archive.catalog.article_chunks(passage.article_id)
        )

    def ask(
        self,
        question: str,
        options: AskOptions | None = None,
        conversation: Conversation | None = None,
    ) -> Answer:
        """Answer `question` from the archive, citing the passages used.

        With a `conversation`, a follow-up is first rewritten into a standalone question and
        the turn is recorded.
        """
        asked = " ".join(question.split())
        standalone = conversation.rewrite(asked) if conversation else asked
        answer = self._answer(standalone, options or AskOptions())
        answer = replace(answer, question=asked, search_query=standalone)
        if conversation is not None:
            conversation.record(asked, standalone, answer)
        return answer

    def _answer(self, question: str, options: AskOptions) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        top_k = options.top_k or self.settings.retrieval.top_k
        result = search(self.archive, question, SearchOptions(k=top_k))
        timings["retrieve"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        considered = result.passages[: self.settings.answer.passages_considered]
        prof = profile(question, self.archive.catalog.idf)
        scored = score_sentences(prof, result.query_vector, considered, self.archive.embed_sentences)
        evidence = choose(prof, scored, considered, self.settings.answer, self._article_text)
        answer = compose(question, evidence, result.passages)
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return replace(answer, timings_ms={k: round(v, 1) for k, v in timings.items()})

"""The extractive answer: the one entry point that reads the found passages and replies.

It owns the answering policy (how many passages to read for a plain, compound or timeline
question), the choice of evidence, the short answer and every abstention text, so a reply is
decided in one place. Given a `QuestionPlan` and the ranked passages, it needs from the archive
only term rarities and whole articles (`ArticleSource`), and an embedding function to read
candidate sentences with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from config.settings import AnswerSettings
from retrieval.answering.article_dates import dated_outside, mentions_date
from retrieval.answering.compose import compose
from retrieval.answering.confidence import Calibration
from retrieval.answering.evidence import (
    LATEST,
    NOTHING_MATCHED,
    Evidence,
    choose,
    choose_latest,
    choose_timeline,
    combine,
)
from retrieval.answering.scoring import TYPED_KINDS, ScoredSentence, score_sentences
from retrieval.answering.short_answer import TypedAnswer, typed_answer
from retrieval.answering.verdict import verdict
from retrieval.question.plan import QuestionPlan
from retrieval.question.profile import QuestionProfile, profile
from retrieval.results import Answer, Passage
from retrieval.text.calendar import describe_window
from retrieval.text.sentences import split_sentences
from retrieval.text.vectors import Read

# Passages read for a timeline: one step per article, so more than for one fact.
TIMELINE_BREADTH = 12
# A compound question reads this many more passages: each part may be answered by another article.
COMPOUND_EXTRA = 4
# A "when" candidate that names a date but whose date cannot be resolved still fits this much.
WRITTEN_DATE_FIT = 0.5
# A "who" sentence that says "he" or "she": the person named in the sentence before or the
# headline fits this much (less than a name in the sentence itself).
NEARBY_NAME_FIT = 0.5
_REFERS_BACK = re.compile(r"\b(?:he|she|him|her|his|they|them|their)\b", re.I)


def _named_nearby(
    sentence: str, passage: Passage, query: str, prof: QuestionProfile
) -> TypedAnswer:
    """The person a sentence's "he"/"she" refers to: named in the sentence before it, or the
    headline. The reply still quotes the sentence; the name is its short answer."""
    sentences = split_sentences(passage.text)
    index = sentences.index(sentence) if sentence in sentences else -1
    before = [sentences[index - 1]] if index > 0 else []
    for context in (*before, passage.title):
        found = typed_answer("who", context, query, prof.terms, passage.published)
        if found.text is not None:
            return TypedAnswer(found.text, found.fit * NEARBY_NAME_FIT)
    return TypedAnswer(None, 0.0)


class ArticleSource(Protocol):
    """What reading needs from the archive (the catalog is one)."""

    def idf(self, terms: Sequence[str]) -> Mapping[str, float]:
        """How rare each word is in the archive."""
        ...

    def article_chunks(self, article_id: str) -> list[tuple[str, str]]:
        """(chunk_id, text) of an article in reading order."""
        ...


@dataclass(frozen=True)
class _Reading:
    """One question (or one part of a compound question) read: its evidence and short answer."""

    evidence: Evidence
    short: str | None


class ExtractiveReader:
    """Answers from the retrieved passages by quoting the sentences that answer, or abstains."""

    def __init__(
        self, settings: AnswerSettings, articles: ArticleSource, read: Read, chance: float = 0.0
    ) -> None:
        """`chance`: the cosine the embedding model gives unrelated texts (0 for MiniLM)."""
        self.settings = settings
        self.articles = articles
        self.read = read
        self.chance = chance
        self.calibration = (
            Calibration.load(settings.abstention_model)
            if settings.abstention == "calibrated"
            else None
        )

    def answer(self, plan: QuestionPlan, passages: Sequence[Passage]) -> Answer:
        """The reply to `plan.question` from `passages` (best first), citing what it quotes."""
        breadth = self.settings.passages_considered
        if plan.timeline or (plan.frame is not None and plan.frame.kind == "latest"):
            breadth = TIMELINE_BREADTH
        elif len(plan.parts) > 1:
            breadth = min(breadth + COMPOUND_EXTRA, plan.k)
        considered = list(passages[:breadth])
        rest = list(passages[breadth : plan.k])  # shown, not read
        if plan.windowed:
            # An undated page stays in every window, unless all the dates it states are
            # outside this one: then it is about another time, and is shown, not read.
            outside = [
                p
                for p in considered
                if p.published is None and dated_outside(p.text, plan.start, plan.end)
            ]
            considered = [p for p in considered if p not in outside]
            rest = [*outside, *rest]
        unanswered: list[str] = []
        if plan.timeline:
            prof = profile(plan.query, self.articles.idf)
            scored = self._scored(prof, plan.query, considered, spread=True)
            reading = _Reading(choose_timeline(scored, considered, self.settings), None)
        elif len(plan.parts) > 1:
            readings = [self._read(part, considered, plan.news_aware) for part in plan.parts]
            evidence, short = combine(
                [(r.evidence, r.short) for r in readings], self.settings.max_sentences
            )
            reading = _Reading(evidence, short)
            if evidence.confident:
                unanswered = [
                    part
                    for part, r in zip(plan.parts, readings, strict=True)
                    if not r.evidence.confident
                ]
        else:
            latest = plan.frame is not None and plan.frame.kind == "latest"
            if latest:
                considered = self._with_openings(considered)
            reading = self._read(plan.query, considered, plan.news_aware, latest=latest)
        notes: list[str] = []
        if plan.frame is not None:
            searched = describe_window(plan.start, plan.end, ongoing=plan.frame.ongoing)
            chosen = " (no year given: the latest the archive covers)" if plan.year_chosen else ""
            notes.append(
                f"“{plan.frame.expression}”{chosen}: searched articles published {searched}"
            )
        notes += [f"the archive does not answer “{part}”" for part in unanswered]
        abstention = None
        if plan.windowed and plan.frame is not None:
            # Why the passages found in the window do not answer, when some were found: "the
            # closest passages neither confirm nor deny it" is not "nothing in May".
            why = (
                "" if reading.evidence.reason == NOTHING_MATCHED else f": {reading.evidence.reason}"
            )
            abstention = (
                f"Nothing in the archive answers that for “{plan.frame.expression}” "
                f"(searched articles published {describe_window(plan.start, plan.end)}){why}."
            )
        answer = compose(
            plan.question,
            reading.evidence,
            [*considered, *rest],
            short=reading.short,
            notes=notes,
            timeline=plan.timeline or reading.evidence.reason == LATEST,
            abstention=abstention,
        )
        if not plan.windowed or plan.frame is None:
            return answer
        undated = dict.fromkeys(
            c.passage.title for c in answer.citations if not c.passage.published
        )
        flags = [
            f"“{title}” is undated: it may not be from {describe_window(plan.start, plan.end)}"
            for title in undated
        ]
        return replace(answer, notes=(*answer.notes, *flags)) if flags else answer

    def _scored(
        self,
        prof: QuestionProfile,
        query: str,
        considered: Sequence[Passage],
        spread: bool = False,
    ) -> list[ScoredSentence]:
        return score_sentences(
            prof,
            query,
            considered,
            self.read,
            max_candidates=self.settings.sentences_read,
            spread=spread,
            chance=self.chance,
        )

    def _with_openings(self, considered: Sequence[Passage]) -> list[Passage]:
        """`considered` and, after it, the opening chunk of each article it has none of.

        "The latest on X" asks what happened, and news says that first: an article found by
        a later paragraph is answered by its lede."""
        opened = {p.article_id for p in considered if p.position == 0}
        extra: list[Passage] = []
        for passage in considered:
            if passage.article_id in opened:
                continue
            opened.add(passage.article_id)
            chunks = self.articles.article_chunks(passage.article_id)
            if chunks:
                chunk_id, text = chunks[0]
                extra.append(replace(passage, chunk_id=chunk_id, text=text, position=0))
        return [*considered, *extra]

    def _article_text(self, passage: Passage) -> str:
        return "\n".join(text for _cid, text in self.articles.article_chunks(passage.article_id))

    def _read(
        self, query: str, considered: Sequence[Passage], aware: bool, latest: bool = False
    ) -> _Reading:
        """The chosen sentences for one question and the short answer their lead gives.

        A yes/no question is answered "Yes" or "No" only when its lead settles it; "the latest
        on X" is the newest articles that answer, newest first, each with its date."""
        prof = profile(query, self.articles.idf)
        scored = self._scored(prof, query, considered, spread=latest)
        shorts: dict[str, str | None] = {}

        def fits_kind(c: ScoredSentence) -> float:
            passage = considered[c.passage_index]
            found = typed_answer(prof.kind, c.text, query, prof.terms, passage.published)
            if found.text is None and prof.kind == "who" and _REFERS_BACK.search(c.text):
                found = _named_nearby(c.text, passage, query, prof)
            shorts[c.text] = found.text
            written = prof.kind == "when" and mentions_date(c.text)
            return max(found.fit, WRITTEN_DATE_FIT if written else 0.0)

        evidence = choose(
            prof,
            scored,
            considered,
            self.settings,
            self._article_text,
            fits_kind=fits_kind if aware else None,
            calibration=self.calibration,
        )
        if not (evidence.confident and aware):
            return _Reading(evidence, None)
        lead = evidence.chosen[0]
        if prof.kind == "yesno":
            said = verdict(prof, query, lead.text, considered[lead.passage_index].title)
            if said is None:
                refusal = "the closest passages neither confirm nor deny it"
                return _Reading(Evidence((), False, refusal, evidence.decision), None)
            return _Reading(evidence, said)
        if latest and prof.kind not in TYPED_KINDS:
            newest = choose_latest(
                prof, evidence, scored, considered, self.settings, self._article_text
            )
            return _Reading(newest, None)
        if lead.text not in shorts:
            fits_kind(lead)
        return _Reading(evidence, shorts[lead.text])

"""Near-miss twins of answerable questions: one detail changed, the rest kept, so the archive
no longer answers them ("What did Erdogan say in Ankara?" -> "... in Izmir?").

They label what the abstention decision must learn to refuse: evidence that matches all of a
question but one detail. A name is swapped for another name the archive holds elsewhere (and
that the evidence article never mentions), or, failing a name, a number or a year is moved.
Twins are made, not written: deterministic for a question id, with no lists of words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from retrieval.evaluation.questions import EvalQuestion
from retrieval.question.profile import NAME_WORD
from retrieval.text.sentences import STOPWORDS

_T = TypeVar("_T")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_NUMBER = re.compile(r"\b\d[\d,]*\b")


def _pick(key: str, options: Sequence[_T]) -> _T:
    """A stable choice among `options` for `key` (the same twin every run)."""
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return options[digest % len(options)]


def name_pool(titles: Sequence[str]) -> list[str]:
    """Capitalised words of the archive's titles that can stand for a name in a question."""
    pool = {
        m.group(0)
        for title in titles
        for m in NAME_WORD.finditer(title)
        if len(m.group(0)) > 3 and m.group(0).lower() not in STOPWORDS and m.start() > 0
    }
    return sorted(pool)


def make_twin(
    question: EvalQuestion, pool: Sequence[str], absent_from_evidence: Callable[[str], bool]
) -> EvalQuestion | None:
    """`question` with one detail changed so its evidence no longer answers it, or None.

    `absent_from_evidence(word)` says whether the question's evidence articles never mention
    `word`: a swapped-in name must be new to them, or the twin might still be answerable.
    """
    text = question.question
    names = [
        m for m in NAME_WORD.finditer(text) if m.start() > 0 and m.group(0).lower() not in STOPWORDS
    ]
    if names:
        target = _pick(question.id, names)
        options = [
            p
            for p in pool
            if p.lower() not in text.lower() and absent_from_evidence(p) and p[0] != target[0][0]
        ]
        if options:
            swapped = _pick(question.id + target.group(0), options)
            return _twin(question, text[: target.start()] + swapped + text[target.end() :])
    if year := _YEAR.search(text):
        moved = str(int(year.group(0)) - 3)
        return _twin(question, text[: year.start()] + moved + text[year.end() :])
    if number := _NUMBER.search(text):
        value = int(number.group(0).replace(",", ""))
        return _twin(question, text[: number.start()] + str(value * 3 + 7) + text[number.end() :])
    return None


def _twin(question: EvalQuestion, text: str) -> EvalQuestion:
    return replace(
        question,
        id=f"{question.id}-twin",
        question=text,
        answers=(),
        evidence=(),
        type="unanswerable",
        answerable=False,
        choices=(),
        extra={**question.extra, "twin_of": question.id},
    )

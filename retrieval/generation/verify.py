"""Is each sentence of a model's reply backed by a passage it cites? Keep it, re-cite it, or drop it.

- its `[n]` markers must name passages that were in the prompt;
- a cited passage must support it (`citations.SupportChecker`), judged against the passage
  without its instruction-like sentences, so a parroted injection finds no support;
- it must be about the question: the sentence or the passage sentence backing it shares a key
  term with the question (catches "HACKED"-style replies backed only by off-topic text).

A sentence that fails is re-cited to another prompt passage that supports it, or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.citations import SupportChecker, citation_numbers, strip_citation_markers
from retrieval.citations import split_cited as split_reply
from retrieval.generation.prompt import PromptPassage, instruction_like
from retrieval.question.profile import profile
from retrieval.results import Passage
from retrieval.text.sentences import content_words, split_sentences, stem

_DECLINE = re.compile(
    r"\b(?:passages?|articles?|sources?|texts?|context)\b.{0,30}\b(?:do(?:es)?\s*n[o']t|"
    r"not|never|no)\b.{0,30}\b(?:say|answer|mention|contain|state|include|provide|specify|"
    r"information)"
    r"|\b(?:cannot|can't|can not|unable to)\s+(?:answer|determine|find|tell)"
    r"|\bno (?:information|answer|mention)\b"
    r"|\bnot (?:mentioned|stated|specified)\b",
    re.IGNORECASE,
)
_FINISHED = re.compile(r"[.!?…][\"'”’)]*$")
_LEADING_LABEL = re.compile(r"^\s*(?:answer|reply|response)\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class KeptSentence:
    """A reply sentence that passed, with the prompt passages backing it."""

    claim: str
    numbers: tuple[int, ...]  # prompt numbers, supported
    quotes: tuple[str, ...]  # one backing sentence per number


@dataclass
class ReplyCheck:
    """What verification made of a reply: kept sentences, and what was dropped or re-cited."""

    kept: list[KeptSentence]
    dropped: list[dict[str, object]]
    recited: list[dict[str, object]]
    declined: bool
    sentences: int


def verify_reply(
    reply: str, question: str, prompt_passages: Sequence[PromptPassage], checker: SupportChecker
) -> ReplyCheck:
    """Check every sentence of the reply; keep, re-cite or drop each (see the module doc)."""
    by_number = {p.number: p for p in prompt_passages}
    texts = {n: _data_text(p.passage) for n, p in by_number.items()}
    terms = set(profile(question).terms)
    report = ReplyCheck([], [], [], declined=False, sentences=0)
    sentences = split_reply(_LEADING_LABEL.sub("", reply))
    for index, sentence in enumerate(sentences):
        claim = strip_citation_markers(sentence)
        if not any(ch.isalnum() for ch in claim):
            continue
        report.sentences += 1
        cited = citation_numbers(sentence)
        if index == len(sentences) - 1 and not cited and not _FINISHED.search(claim):
            # Cut off by max_tokens: "The port handles" may pass the support check.
            reason = "unfinished: the reply was cut off"
            report.dropped.append({"sentence": claim, "cited": [], "reason": reason})
            continue
        known = [n for n in cited if n in by_number]
        backed = _backing(claim, known, texts, checker, terms)
        if not backed and _DECLINE.search(claim):
            report.declined = True
            report.dropped.append({"sentence": claim, "cited": list(cited), "reason": "declined"})
            continue
        if not backed:
            others = [n for n in by_number if n not in known]
            backed = _backing(claim, others, texts, checker, terms)[:1]
        if not backed:
            reason = _why_dropped(claim, cited, known, texts, checker)
            report.dropped.append({"sentence": claim, "cited": list(cited), "reason": reason})
            continue
        numbers = tuple(n for n, _ in backed)
        if numbers != cited:
            report.recited.append({"sentence": claim, "cited": list(cited), "now": list(numbers)})
        report.kept.append(KeptSentence(claim, numbers, tuple(q for _, q in backed)))
    return report


def _backing(
    claim: str,
    numbers: Sequence[int],
    texts: dict[int, str],
    checker: SupportChecker,
    terms: set[str],
) -> list[tuple[int, str]]:
    """(passage number, backing sentence) for each passage that supports the claim."""
    found: list[tuple[int, str]] = []
    claim_stems = _stems(claim)
    for n in numbers:
        if not checker.check(claim, texts[n]).supported:
            continue
        quote = _best_sentence(claim_stems, texts[n])
        # About the question: the claim or its backing sentence shares a key term with it.
        if terms and not (terms & (claim_stems | _stems(quote))):
            continue
        found.append((n, quote))
    return found


def _why_dropped(
    claim: str,
    cited: tuple[int, ...],
    known: list[int],
    texts: dict[int, str],
    checker: SupportChecker,
) -> str:
    if not cited:
        return "cites no passage, and no passage supports it"
    unknown = [n for n in cited if n not in known]
    if unknown and not known:
        return f"cites {unknown}, which the prompt did not have; no passage supports it"
    if known:
        verdict = checker.check(claim, texts[known[0]])
        if verdict.supported:
            return "off the question: neither it nor its source shares a key term with it"
        return f"not supported by [{known[0]}]: {verdict.reason}"
    return "no passage supports it"


def _data_text(passage: Passage) -> str:
    """The passage as evidence: its sentences minus any that address a language model."""
    return "\n".join(s for s in split_sentences(passage.text) if not instruction_like(s))


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def _best_sentence(claim_stems: set[str], text: str) -> str:
    sentences = split_sentences(text) or [text]
    return max(sentences, key=lambda s: len(claim_stems & _stems(s)))

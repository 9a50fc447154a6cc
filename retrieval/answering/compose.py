"""An answer put together: cited sentences numbered by passage, or the abstention text."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.answering.evidence import Evidence
from retrieval.results import Answer, Citation, Passage


def compose(
    question: str,
    evidence: Evidence,
    passages: Sequence[Passage],
    *,
    short: str | None = None,
    notes: Sequence[str] = (),
    timeline: bool = False,
    abstention: str | None = None,
) -> Answer:
    """The cited sentences with `[n]` markers and their citations, or an abstention (`abstention`
    replaces the default "The archive doesn't say: <reason>.").

    The short answer is kept apart (`Answer.short`), not written into the text: each front end
    shows it its own way (`Answer.reply()` for plain text).
    """
    decision = dict(evidence.decision) if evidence.decision is not None else None
    if not evidence.confident:
        text = abstention or "The archive doesn't say: " + evidence.reason + "."
        return Answer(
            question, text, (), tuple(passages), True, notes=tuple(notes), decision=decision
        )
    quotes: dict[int, list[str]] = {}
    numbers: dict[str, int] = {}
    parts: list[str] = []
    for sentence in evidence.chosen:
        passage = passages[sentence.passage_index]
        n = numbers.setdefault(passage.chunk_id, len(numbers) + 1)
        quotes.setdefault(n, []).append(sentence.text)
        parts.append(f"{sentence.text} [{n}]")
    by_number = {
        numbers[passages[s.passage_index].chunk_id]: passages[s.passage_index]
        for s in evidence.chosen
    }
    citations = [
        Citation(n=n, passage=by_number[n], quote=" … ".join(quotes[n])) for n in sorted(quotes)
    ]
    if timeline:
        lines = []
        for sentence, part in zip(evidence.chosen, parts, strict=True):
            day = passages[sentence.passage_index].published
            lines.append(f"{day.isoformat() if day else 'undated'}: {part}")
        body = "\n".join(lines)
    else:
        body = " ".join(parts)
    return Answer(
        question,
        body,
        tuple(citations),
        tuple(passages),
        False,
        short=short,
        notes=tuple(notes),
        decision=decision,
    )

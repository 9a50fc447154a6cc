"""Answers as terminal text and as the `ask --json` object (a contract other tools rely on)."""

from __future__ import annotations

from typing import Any

from retrieval.results import Answer, Citation, Passage


def passage_json(rank: int, passage: Passage) -> dict[str, Any]:
    """One ranked passage in the JSON contract."""
    return {
        "rank": rank,
        "article_id": passage.article_id,
        "title": passage.title,
        "source": passage.source,
        "published": passage.published.isoformat() if passage.published else None,
        "url": passage.url,
        "score": round(passage.score, 6),
        "text": passage.text,
    }


def citation_json(citation: Citation) -> dict[str, Any]:
    """One citation in the JSON contract (also what feedback keeps of a rated answer)."""
    passage = citation.passage
    return {
        "n": citation.n,
        "article_id": passage.article_id,
        "title": passage.title,
        "source": passage.source,
        "published": passage.published.isoformat() if passage.published else None,
        "url": passage.url,
        "quote": citation.quote,
        "also_published_by": list(passage.also_published_by),
    }


def answer_json(answer: Answer) -> dict[str, Any]:
    """The `ask --json` object: question, answer, abstained, citations, passages, timings."""
    data: dict[str, Any] = {
        "question": answer.question,
        "answer": answer.reply(),
        "abstained": answer.abstained,
        "citations": [citation_json(c) for c in answer.citations],
        "passages": [passage_json(i, p) for i, p in enumerate(answer.passages, start=1)],
        "timings_ms": dict(answer.timings_ms),
        "short_answer": answer.short,
        "notes": list(answer.notes),
    }
    if answer.search_query and answer.search_query != answer.question:
        data["search_query"] = answer.search_query
    if answer.verification is not None:
        data["verification"] = answer.verification
    return data


def answer_text(answer: Answer, show_passages: int = 3) -> str:
    """The answer for a terminal: reply, notes, then numbered sources with quotes."""
    lines = [answer.reply()]
    lines.extend(f"({note})" for note in answer.notes)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for citation in answer.citations:
            passage = citation.passage
            lines.append(f"  [{citation.n}] {passage.label()}")
            if passage.url:
                lines.append(f"      {passage.url}")
            if passage.also_published_by:
                lines.append(f"      also published by {', '.join(passage.also_published_by)}")
            lines.append(f"      “{citation.quote}”")
    elif answer.passages and show_passages:
        lines.append("")
        lines.append("Closest articles (not enough to answer):")
        shown: dict[str, Passage] = {}
        for passage in answer.passages:
            shown.setdefault(passage.article_id, passage)
        for passage in list(shown.values())[:show_passages]:
            lines.append(f"  - {passage.label()}" + (f"  {passage.url}" if passage.url else ""))
    return "\n".join(lines)

"""Feedback as a question set (the format `newsbot eval` reads), so users' questions become tests.

What each rating says, and so what it exports as:

- 👍 on an answer with a short answer: answerable, `answers` = that short answer, `evidence` =
  the cited articles (with the first quoted sentence of each, a verbatim span of its passage).
- 👍 on an answer without one: answerable with `"answers": []`, scored on retrieval only.
- 👍 on an abstention, or 👎 with "not in the archive": unanswerable.
- 👎 with a correction: answerable, `answers` = the correction, `"evidence": []`: the cited
  articles may be the wrong ones, so no article is claimed; it is scored on the answer only.
- 👎 with nothing else: says the answer was wrong but not what is right: not exported.

The same question (case and white space aside) on the same as-of date is one record: the
latest rating of it decides, even when that one cannot be exported (a user who later rejected
an answer no longer vouches for it). Chat and user ids are not exported: a question set gets
shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.feedback import FeedbackEntry
from retrieval.question.profile import question_kind

# Why an entry made no record, as the summary line says it.
NO_CORRECTION = "👎 without a correction"
NOTHING_TO_SCORE = "👍 with nothing to score"


@dataclass(frozen=True)
class ExportResult:
    """The question-set records, and what happened to every entry that made none."""

    records: tuple[dict[str, object], ...]
    skipped: dict[str, int]  # reason -> entries
    merged: int  # entries superseded by a later rating of the same question and date

    @property
    def answerable(self) -> int:
        return sum(1 for r in self.records if r["answerable"])

    @property
    def unanswerable(self) -> int:
        return len(self.records) - self.answerable

    def line(self) -> str:
        """The one-line summary `newsbot feedback export` prints."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return (
            f"{len(self.records)} questions written, {self.answerable} answerable, "
            f"{self.unanswerable} unanswerable, {skipped} skipped"
            + (f" ({reasons})" if reasons else "")
            + f", {self.merged} duplicates merged"
        )


def question_key(entry: FeedbackEntry) -> tuple[str, str]:
    """What makes two ratings about the same test question: its words and its as-of date."""
    return " ".join(entry.question.split()).casefold(), entry.as_of.isoformat()


def export_questions(entries: Iterable[FeedbackEntry]) -> ExportResult:
    """One question-set record per question and date, from the latest rating of it."""
    latest: dict[tuple[str, str], FeedbackEntry] = {}
    merged = 0
    for entry in sorted(entries, key=lambda e: (e.updated, e.id)):
        key = question_key(entry)
        merged += key in latest
        latest[key] = entry
    records: list[dict[str, object]] = []
    skipped: dict[str, int] = {}
    for entry in sorted(latest.values(), key=lambda e: e.id):
        record = question_record(entry)
        if isinstance(record, str):
            skipped[record] = skipped.get(record, 0) + 1
        else:
            records.append(record)
    return ExportResult(records=tuple(records), skipped=skipped, merged=merged)


def question_record(entry: FeedbackEntry) -> dict[str, object] | str:
    """The question-set record one rating makes, or why it makes none."""
    base: dict[str, object] = {"id": f"fb-{entry.id}", "question": entry.question}
    if entry.not_in_archive or (entry.verdict == "up" and entry.abstained):
        body: dict[str, object] = {"answerable": False, "type": "unanswerable"}
    elif entry.verdict == "down" and entry.correction:
        body = {"answers": [entry.correction], "evidence": [], "answerable": True}
    elif entry.verdict == "down":
        return NO_CORRECTION
    else:
        evidence = cited_evidence(entry.citations)
        answers = [entry.short] if entry.short else []
        if not evidence and not answers:
            return NOTHING_TO_SCORE
        body = {"answers": answers, "evidence": evidence, "answerable": True}
    if body["answerable"]:
        body["type"] = question_kind(entry.question)
    return {
        **base,
        **body,
        "as_of": entry.as_of.isoformat(),
        # Unknown fields are kept and ignored by the loader: where the question came from.
        "source": "feedback",
        "feedback_id": entry.id,
        "channel": entry.channel,
        "verdict": entry.verdict,
        "rated": entry.updated.isoformat(),
        "reply": entry.reply,
    }


def cited_evidence(citations: Sequence[dict[str, object]]) -> list[dict[str, str]]:
    """One evidence item per cited article, in citation order, with a verbatim quote."""
    items: dict[str, dict[str, str]] = {}
    for citation in citations:
        article_id, url = citation.get("article_id"), citation.get("url")
        key = article_id or url
        if not isinstance(key, str) or not key or key in items:
            continue
        item: dict[str, str] = {}
        if isinstance(url, str) and url:
            item["url"] = url
        if isinstance(article_id, str) and article_id:
            item["article_id"] = article_id
        quote = citation.get("quote")
        # A citation of several sentences joins them with " … ": only one is a verbatim span.
        first = quote.split(" … ")[0].strip() if isinstance(quote, str) else ""
        if first:
            item["quote"] = first
        items[key] = item
    return list(items.values())


def write_question_set(path: Path, entries: Iterable[FeedbackEntry]) -> ExportResult:
    """Write the export as JSON Lines to `path` (replacing it) and return what was written."""
    result = export_questions(entries)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in result.records)
    path.write_text(text, encoding="utf-8")
    return result

"""How answers are rated: 👍 and 👎 per ISO week (of the rating) and per question type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.feedback import FeedbackEntry
from retrieval.question.profile import question_kind


@dataclass(frozen=True)
class RatingCounts:
    """The ratings of one group (a week, a question type, or all)."""

    label: str
    ratings: int = 0
    up: int = 0
    down: int = 0
    corrections: int = 0  # 👎 with the right answer given
    not_in_archive: int = 0  # 👎 saying the archive cannot answer it

    @property
    def share_up(self) -> float | None:
        """The share of 👍, None without ratings."""
        return self.up / self.ratings if self.ratings else None

    def add(self, entry: FeedbackEntry) -> RatingCounts:
        """These counts with one more rating."""
        return RatingCounts(
            label=self.label,
            ratings=self.ratings + 1,
            up=self.up + (entry.verdict == "up"),
            down=self.down + (entry.verdict == "down"),
            corrections=self.corrections + (entry.correction is not None),
            not_in_archive=self.not_in_archive + entry.not_in_archive,
        )

    def as_dict(self) -> dict[str, object]:
        share = self.share_up
        return {
            "ratings": self.ratings,
            "up": self.up,
            "down": self.down,
            "share_up": None if share is None else round(share, 4),
            "corrections": self.corrections,
            "not_in_archive": self.not_in_archive,
        }


@dataclass(frozen=True)
class FeedbackStats:
    """Ratings per ISO week ("2026-W49", oldest first), per question type, and in all."""

    by_week: tuple[RatingCounts, ...]
    by_type: tuple[RatingCounts, ...]
    total: RatingCounts

    def as_dict(self) -> dict[str, object]:
        """The `feedback stats --json` object."""
        return {
            "by_week": {c.label: c.as_dict() for c in self.by_week},
            "by_type": {c.label: c.as_dict() for c in self.by_type},
            "total": self.total.as_dict(),
        }

    def table(self) -> str:
        """The terminal table: one block per week, one per question type, then the total."""
        lines = [_header("week")]
        lines += [_row(c) for c in self.by_week]
        lines += ["", _header("type")]
        lines += [_row(c) for c in self.by_type]
        lines += ["", _row(self.total)]
        return "\n".join(lines)


def iso_week(entry: FeedbackEntry) -> str:
    """The ISO week the entry was first rated in, like 2026-W49."""
    year, week, _ = entry.created.isocalendar()
    return f"{year}-W{week:02d}"


def entry_type(entry: FeedbackEntry) -> str:
    """The answer type the question asks for (`question_kind`)."""
    return question_kind(entry.question)


def feedback_stats(entries: Iterable[FeedbackEntry]) -> FeedbackStats:
    """Count ratings per week, per question type, and in all."""
    listed = list(entries)
    total = RatingCounts("total")
    for entry in listed:
        total = total.add(entry)
    return FeedbackStats(
        by_week=_grouped(listed, iso_week),
        by_type=tuple(sorted(_grouped(listed, entry_type), key=lambda c: (-c.ratings, c.label))),
        total=total,
    )


def _grouped(
    entries: list[FeedbackEntry], key: Callable[[FeedbackEntry], str]
) -> tuple[RatingCounts, ...]:
    groups: dict[str, RatingCounts] = {}
    for entry in entries:
        label = key(entry)
        groups[label] = groups.get(label, RatingCounts(label)).add(entry)
    return tuple(groups[label] for label in sorted(groups))


def _header(first: str) -> str:
    return (
        f"{first:<12} {'ratings':>7} {'up':>5} {'down':>5} {'share up':>8} {'corrected':>9} "
        f"{'not in archive':>14}"
    )


def _row(counts: RatingCounts) -> str:
    share = counts.share_up
    shown = "-" if share is None else f"{share:.0%}"
    return (
        f"{counts.label:<12} {counts.ratings:>7} {counts.up:>5} {counts.down:>5} {shown:>8} "
        f"{counts.corrections:>9} {counts.not_in_archive:>14}"
    )

"""A question read before searching: its time window, what to search for, and how to answer it.

A time expression in the question ("last week", "in May 2019") becomes a hard filter on
publication dates for both retrievers and is taken out of the search query. A timeline
question ("how did X unfold") wants more passages; a compound question ("Who ..., and when
...?") is answered part by part.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from config.settings import RetrievalSettings
from retrieval.question.compound import split_question
from retrieval.question.profile import is_timeline
from retrieval.question.timeframe import TimeFrame, parse_timeframe, strip_time_expression

# News is published after the event: Friday's vote is in Saturday's and Monday's papers. The
# window on publication dates runs this far past the event window.
REPORTING_LAG = timedelta(days=7)
# A timeline is told from several articles: search at least this many passages for one.
TIMELINE_PASSAGES = 20
# How far back a window named without a year ("in May") may move to find the archive's May.
YEARS_BACK = 60

# Whether the archive holds any article published in [start, end] (the catalog answers it).
Covers = Callable[[date, date], bool]


def _years_earlier(day: date, years: int, month_end: bool) -> date:
    """The same day `years` earlier; a month's last day stays its last day (28/29 February)."""
    year = day.year - years
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, last if month_end else min(day.day, last))


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def in_covered_year(frame: TimeFrame, covers: Covers, lag: timedelta) -> TimeFrame | None:
    """A window named without a year, moved to the latest year the archive has articles in.

    "In May" means this May (the latest that has begun) when the archive holds articles from
    it; otherwise the latest earlier May that it does. None when the archive covers it in no
    year (or the frame has a year): the caller keeps the frame as it was.
    """
    if not frame.yearless or frame.start is None or frame.end is None:
        return None
    start, end = frame.start, frame.end
    if covers(start, end + lag):
        return frame
    for back in range(1, YEARS_BACK + 1):
        earlier_start = _years_earlier(start, back, month_end=False)
        earlier_end = _years_earlier(end, back, month_end=_is_month_end(end))
        if covers(earlier_start, earlier_end + lag):
            return replace(frame, start=earlier_start, end=earlier_end)
    return None


@dataclass(frozen=True)
class QuestionPlan:
    """What to search for and how to read the results.

    `start`/`end` bound publication dates (None: open); `recent` ranks newer articles first;
    `parts` are the questions a compound question asks (one part otherwise).
    """

    question: str
    query: str
    frame: TimeFrame | None
    start: date | None
    end: date | None
    k: int
    recent: bool
    timeline: bool
    parts: tuple[str, ...]
    news_aware: bool
    year_chosen: bool = False  # a window named without a year was given the archive's latest

    @property
    def windowed(self) -> bool:
        """A window that limits which articles may answer (not just "newest first")."""
        return self.frame is not None and self.frame.kind not in ("recent", "latest")


def plan_question(
    question: str,
    settings: RetrievalSettings,
    *,
    as_of: date | None = None,
    top_k: int | None = None,
    covers: Covers | None = None,
    language: str = "en",
) -> QuestionPlan:
    """Read `question` as asked on `as_of` (default today); `top_k` overrides the setting.

    With `covers`, a window named without a year moves to the latest year the archive holds.
    `language` is the question's ("ru", "fr", ...): its time words are read in it.
    """
    today = as_of or date.today()
    aware = settings.news_aware
    frame = parse_timeframe(question, today, language) if aware else None
    year_chosen = False
    if frame is not None and covers is not None:
        moved = in_covered_year(frame, covers, REPORTING_LAG)
        frame, year_chosen = (moved, True) if moved else (frame, False)
    query = strip_time_expression(question, frame) if frame else question
    start = frame.start if frame else None
    end = frame.end if frame else None
    if end is not None and frame is not None and frame.kind not in ("recent", "latest"):
        end = min(end + REPORTING_LAG, today) if end < today else end
    if as_of is not None and aware:
        # Nothing published after the day the question is asked on can answer it.
        end = min(end, as_of) if end else as_of
    recent = frame is not None and frame.kind in ("recent", "latest")
    timeline = aware and is_timeline(question)
    k = top_k or settings.top_k
    if timeline:
        k = max(k, TIMELINE_PASSAGES)
    parts = split_question(query) if aware and not timeline else [query]
    return QuestionPlan(
        question=question,
        query=query,
        frame=frame,
        start=start,
        end=end,
        k=k,
        recent=recent,
        timeline=timeline,
        parts=tuple(parts),
        news_aware=aware,
        year_chosen=year_chosen,
    )

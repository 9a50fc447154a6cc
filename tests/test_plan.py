"""The question plan: a window named without a year moves to a year the archive covers."""

from __future__ import annotations

from datetime import date, timedelta

from config.settings import RetrievalSettings
from retrieval.question.plan import REPORTING_LAG, Covers, QuestionPlan, plan_question

D = date


def covering(*days: date) -> Covers:
    """A `covers` function for an archive whose articles are published on `days`."""

    def covers(start: date, end: date) -> bool:
        return any(start <= day <= end for day in days)

    return covers


def plan(question: str, as_of: date, *days: date) -> QuestionPlan:
    return plan_question(question, RetrievalSettings(), as_of=as_of, covers=covering(*days))


def test_this_years_month_when_the_archive_has_it() -> None:
    p = plan("Who won the vote in May?", D(2021, 9, 1), D(2021, 5, 3), D(2019, 5, 3))
    assert (p.start, p.year_chosen) == (D(2021, 5, 1), True)


def test_the_latest_earlier_month_the_archive_has() -> None:
    p = plan("Who won the vote in May?", D(2021, 9, 1), D(2019, 5, 3), D(2017, 5, 3))
    assert (p.start, p.end) == (D(2019, 5, 1), D(2019, 5, 31) + REPORTING_LAG)
    assert p.frame is not None and p.frame.start == D(2019, 5, 1)


def test_reports_published_just_after_the_month_count() -> None:
    p = plan("Who won the vote in May?", D(2021, 9, 1), D(2020, 6, 4))
    assert p.start == D(2020, 5, 1)


def test_a_leap_day_and_month_ends_move_by_whole_years() -> None:
    p = plan("What happened on 29 February?", D(2023, 6, 1), D(2020, 2, 29))
    assert p.start == D(2020, 2, 29)  # no other 29 February holds an article
    february = plan("What happened in February?", D(2021, 6, 1), D(2020, 2, 29))
    assert february.frame is not None
    assert (february.frame.start, february.frame.end) == (D(2020, 2, 1), D(2020, 2, 29))


def test_a_window_no_year_covers_is_kept_and_a_year_is_never_moved() -> None:
    kept = plan("Who won the vote in May?", D(2021, 9, 1), D(2019, 1, 3))
    assert (kept.start, kept.year_chosen) == (D(2021, 5, 1), False)
    explicit = plan("Who won the vote in May 2021?", D(2021, 9, 1), D(2019, 5, 3))
    assert (explicit.start, explicit.year_chosen) == (D(2021, 5, 1), False)
    relative = plan("Who won the vote last May?", D(2021, 9, 1), D(2019, 5, 3))
    assert relative.start == D(2021, 5, 1)
    assert relative.end == D(2021, 5, 31) + timedelta(days=7)

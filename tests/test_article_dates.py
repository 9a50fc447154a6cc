"""Date words in article sentences -> dates, resolved against the publication date."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.answering.article_dates import ResolvedDate, format_day, resolve_dates
from retrieval.text.calendar import MONTH_NAMES, WEEKDAY_NAMES

D = date
WED = D(2019, 5, 22)  # publication day, a Wednesday
MON = D(2019, 5, 20)


def only(sentence: str, published: date | None) -> ResolvedDate:
    found = resolve_dates(sentence, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "published", "text", "day"),
    [
        # weekdays: the most recent one on or before publication
        ("The minister resigned on Monday.", WED, "on Monday", MON),
        ("The minister resigned on Thursday.", WED, "on Thursday", D(2019, 5, 16)),
        ("The minister resigned on Wednesday.", WED, "on Wednesday", WED),
        ("The minister resigned last Monday.", WED, "last Monday", MON),
        ("The minister resigned last Wednesday.", WED, "last Wednesday", D(2019, 5, 15)),
        ("He will speak next Wednesday.", WED, "next Wednesday", D(2019, 5, 29)),
        ("He will speak next Friday.", WED, "next Friday", D(2019, 5, 24)),
        ("The vote is this Friday.", WED, "this Friday", D(2019, 5, 24)),
        ("Monday's vote was close.", WED, "Monday", MON),
        ("Protests grew on Sunday night.", WED, "on Sunday night", D(2019, 5, 19)),
        ("Protests grew on Sunday night.", D(2020, 1, 1), "on Sunday night", D(2019, 12, 29)),
        # explicit and partial dates
        ("The vote was held on May 20, 2019 in London.", WED, "on May 20, 2019", MON),
        ("The vote was held on 20 May 2019.", None, "on 20 May 2019", MON),
        ("It was announced 2019-05-20.", None, "2019-05-20", MON),
        ("On Monday, May 20, the board met.", WED, "On Monday, May 20", MON),
        ("The vote was held on the 20th of May.", WED, "on the 20th of May", MON),
        ("The vote is on May 27th.", WED, "on May 27th", D(2019, 5, 27)),  # within a week ahead
        ("The vote was on 30 May.", WED, "on 30 May", D(2018, 5, 30)),  # too far ahead
        ("The vote was on 30 December.", D(2020, 1, 2), "on 30 December", D(2019, 12, 30)),
        ("He was born on 29 February.", D(2021, 3, 1), "on 29 February", D(2020, 2, 29)),
        # day words
        ("Talks collapsed yesterday.", WED, "yesterday", D(2019, 5, 21)),
        ("Talks collapsed yesterday.", D(2020, 3, 1), "yesterday", D(2020, 2, 29)),
        ("Talks collapsed yesterday.", D(2020, 1, 1), "yesterday", D(2019, 12, 31)),
        ("Talks collapsed last night.", WED, "last night", D(2019, 5, 21)),
        ("Talks resumed this morning.", WED, "this morning", WED),
        ("Talks resumed today.", WED, "today", WED),
        ("Talks resume tomorrow.", WED, "tomorrow", D(2019, 5, 23)),
        ("It began the day before yesterday.", WED, "the day before yesterday", MON),
        ("It began two days ago.", WED, "two days ago", MON),
    ],
)
def test_exact_days(sentence: str, published: date | None, text: str, day: date) -> None:
    found = only(sentence, published)
    assert (found.text, found.day, found.month, found.year, found.span) == (
        text, day, None, None, None,
    )  # fmt: skip
    assert sentence[found.start : found.end] == found.text


@pytest.mark.parametrize(
    ("sentence", "published", "month"),
    [
        ("Sales fell last month.", WED, (2019, 4)),
        ("Sales fell last month.", D(2020, 1, 15), (2019, 12)),
        ("Earlier this month the party split.", WED, (2019, 5)),
        ("Sales will rise next month.", D(2019, 12, 15), (2020, 1)),
        ("The election in May was close.", D(2019, 3, 1), (2018, 5)),
        ("The election in May was close.", WED, (2019, 5)),
        ("The rerun will be in June.", WED, (2019, 6)),  # the month after publication
        ("It closed in July.", WED, (2018, 7)),
        ("It closed last May.", WED, (2018, 5)),
        ("It reopens next May.", WED, (2020, 5)),
        ("It reopens next June.", WED, (2019, 6)),
        ("Sales fell in May 2018.", None, (2018, 5)),
        ("Sales fell in February 2020.", WED, (2020, 2)),
        ("Theresa May's deal failed in March.", WED, (2019, 3)),
        ("It happened a month ago.", D(2020, 1, 5), (2019, 12)),
    ],
)
def test_months(sentence: str, published: date | None, month: tuple[int, int]) -> None:
    found = only(sentence, published)
    assert (found.day, found.month, found.year, found.span) == (None, month, None, None)


@pytest.mark.parametrize(
    ("sentence", "published", "year"),
    [
        ("Sales rose last year.", WED, 2018),
        ("Sales rose last year.", D(2020, 1, 1), 2019),
        ("Earlier this year it won.", WED, 2019),
        ("In 2018 the firm lost money.", None, 2018),
        ("It has grown since 2015.", WED, 2015),
        ("It was founded two years ago.", WED, 2017),
    ],
)
def test_years(sentence: str, published: date | None, year: int) -> None:
    found = only(sentence, published)
    assert (found.day, found.month, found.year, found.span) == (None, None, year, None)


@pytest.mark.parametrize(
    ("sentence", "published", "span"),
    [
        ("Sales fell last week.", WED, (D(2019, 5, 13), D(2019, 5, 19))),
        ("Sales fell last week.", MON, (D(2019, 5, 13), D(2019, 5, 19))),
        ("Sales fell last week.", D(2019, 5, 19), (D(2019, 5, 6), D(2019, 5, 12))),
        ("Sales fell last week.", D(2020, 1, 2), (D(2019, 12, 23), D(2019, 12, 29))),
        ("Earlier this week shares fell.", WED, (MON, D(2019, 5, 26))),
        ("The plan was mooted three weeks ago.", WED, (D(2019, 4, 29), D(2019, 5, 5))),
        ("Over the weekend protests grew.", WED, (D(2019, 5, 18), D(2019, 5, 19))),
        ("Last weekend protests grew.", WED, (D(2019, 5, 18), D(2019, 5, 19))),
        ("The past week was busy.", WED, (D(2019, 5, 15), WED)),
        ("Sales rose in early May.", WED, (D(2019, 5, 1), D(2019, 5, 10))),
        ("Sales rose in late February 2020.", None, (D(2020, 2, 21), D(2020, 2, 29))),
    ],
)
def test_spans(sentence: str, published: date | None, span: tuple[date, date]) -> None:
    found = only(sentence, published)
    assert (found.day, found.month, found.year, found.span) == (None, None, None, span)


@pytest.mark.parametrize(
    "sentence",
    [
        "Black Friday sales fell.",
        "The Good Friday agreement held.",
        "Theresa May's deal failed.",
        "Prices may rise.",
        "May I add that the deal failed.",
        "Some 2000 workers went on strike.",
        "In 2000 cases the court agreed.",
        "He works Mondays and Fridays.",
        "The 2019 election was close.",
        "It was the last week of the campaign.",
        "The march on Washington drew crowds.",
        "The vote was on 31 April.",
    ],
)
def test_not_dates(sentence: str) -> None:
    assert resolve_dates(sentence, WED) == []


@pytest.mark.parametrize(
    ("sentence", "texts"),
    [
        ("Talks collapsed on Monday, 20 May 2019 and yesterday.", ["on Monday, 20 May 2019"]),
        ("In May 2019, in 2018 and on 20 May.", ["In May 2019", "in 2018"]),
        ("He resigned on Monday, last week or last month.", []),
    ],
)
def test_without_publication_date_only_self_contained_dates(
    sentence: str, texts: list[str]
) -> None:
    assert [found.text for found in resolve_dates(sentence, None)] == texts


def test_several_in_reading_order_with_offsets() -> None:
    sentence = "Talks collapsed yesterday after a meeting last night; a vote is due on 27 May."
    found = resolve_dates(sentence, WED)
    assert [(f.text, f.day) for f in found] == [
        ("yesterday", D(2019, 5, 21)),
        ("last night", D(2019, 5, 21)),
        ("on 27 May", D(2019, 5, 27)),
    ]
    assert all(sentence[f.start : f.end] == f.text for f in found)


@pytest.mark.parametrize(
    ("found", "text", "bounds"),
    [
        (ResolvedDate("x", 0, 1, day=MON), "20 May 2019", (MON, MON)),
        (ResolvedDate("x", 0, 1, month=(2020, 2)), "February 2020",
         (D(2020, 2, 1), D(2020, 2, 29))),
        (ResolvedDate("x", 0, 1, year=2018), "2018", (D(2018, 1, 1), D(2018, 12, 31))),
        (ResolvedDate("x", 0, 1, span=(D(2019, 5, 13), D(2019, 5, 19))), "from 13 to 19 May 2019",
         (D(2019, 5, 13), D(2019, 5, 19))),
    ],
)  # fmt: skip
def test_describe_and_bounds(found: ResolvedDate, text: str, bounds: tuple[date, date]) -> None:
    assert found.describe() == text
    assert found.bounds == bounds


def test_format_day() -> None:
    assert format_day(D(2019, 5, 20)) == "20 May 2019"
    assert format_day(D(2020, 2, 9)) == "9 February 2020"


# --- properties -------------------------------------------------------------------------------

published_dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))


@given(published=published_dates, weekday=st.integers(0, 6), prep=st.sampled_from(["on ", ""]))
def test_weekday_is_within_the_week_before_publication(
    published: date, weekday: int, prep: str
) -> None:
    found = only(f"The vote took place {prep}{WEEKDAY_NAMES[weekday]}.", published)
    assert found.day is not None
    assert found.day.weekday() == weekday
    assert published - timedelta(days=6) <= found.day <= published


@given(published=published_dates, n=st.integers(0, 400))
def test_days_ago(published: date, n: int) -> None:
    assert only(f"It happened {n} days ago.", published).day == published - timedelta(days=n)


@given(published=published_dates, day=st.integers(1, 28), month=st.integers(1, 12))
def test_day_month_is_within_a_year_up_to_a_week_ahead(
    published: date, day: int, month: int
) -> None:
    found = only(f"The vote is on {day} {MONTH_NAMES[month - 1]}.", published)
    assert found.day is not None
    assert (found.day.month, found.day.day) == (month, day)
    assert published + timedelta(days=7) - timedelta(days=366) < found.day
    assert found.day <= published + timedelta(days=7)


@given(sentence=st.text(max_size=80), published=st.none() | published_dates)
def test_never_raises_and_offsets_match(sentence: str, published: date | None) -> None:
    found = resolve_dates(sentence, published)
    assert all(sentence[f.start : f.end] == f.text for f in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    for f in found:
        first, last = f.bounds
        assert first <= last
        assert sum(x is not None for x in (f.day, f.month, f.year, f.span)) == 1

"""Question time words -> date windows: tables of expressions x as-of dates, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.question.timeframe import TimeFrame, parse_timeframe, strip_time_expression
from retrieval.text.calendar import MONTH_NAMES, describe_window
from tests.support.nasty_text import DATEISH, NASTY_TEXT

D = date
MON = D(2019, 5, 20)  # a Monday
SUN = D(2019, 5, 19)
NEW_YEAR = D(2020, 1, 5)  # a Sunday, early in January
LEAP = D(2020, 3, 10)  # a Tuesday in a leap year


@pytest.mark.parametrize(
    ("question", "as_of", "start", "end"),
    [
        ("What happened in May 2019?", MON, D(2019, 5, 1), D(2019, 5, 31)),
        ("May 2019 protests", D(2021, 1, 1), D(2019, 5, 1), D(2019, 5, 31)),
        ("What happened in May of 2019?", MON, D(2019, 5, 1), D(2019, 5, 31)),
        ("Which laws passed in 2007?", MON, D(2007, 1, 1), D(2007, 12, 31)),
        ("News from 2007 about Iraq", MON, D(2007, 1, 1), D(2007, 12, 31)),
        ("What happened on 20 May 2019?", MON, MON, MON),
        ("What happened on May 20, 2019?", MON, MON, MON),
        ("What happened on 2019-05-20?", D(2022, 1, 1), MON, MON),
        ("What happened on Monday, May 20, 2019?", D(2022, 1, 1), MON, MON),
        ("What happened in Jan 2019?", MON, D(2019, 1, 1), D(2019, 1, 31)),
        # day and month without a year: the most recent one not after as-of
        ("What happened on 20 May?", MON, MON, MON),
        ("What happened on 20 May?", SUN, D(2018, 5, 20), D(2018, 5, 20)),
        ("What happened May 20?", D(2019, 6, 1), MON, MON),
        ("What happened on the 20th of May?", D(2019, 12, 1), MON, MON),
        ("What happened on 29 February?", D(2021, 6, 1), D(2020, 2, 29), D(2020, 2, 29)),
        # month without a year: the most recent one that has begun
        ("What happened in May?", D(2019, 3, 1), D(2018, 5, 1), D(2018, 5, 31)),
        ("What happened in May?", D(2019, 5, 10), D(2019, 5, 1), D(2019, 5, 31)),
        ("What happened in December?", NEW_YEAR, D(2019, 12, 1), D(2019, 12, 31)),
        ("What did Theresa May say in March?", MON, D(2019, 3, 1), D(2019, 3, 31)),
        ("What happened last May?", D(2019, 5, 10), D(2018, 5, 1), D(2018, 5, 31)),
        ("What happened last May?", D(2019, 6, 10), D(2019, 5, 1), D(2019, 5, 31)),
        ("What is planned for this December?", MON, D(2019, 12, 1), D(2019, 12, 31)),
        # ranges
        ("What happened between March and June 2020?", MON, D(2020, 3, 1), D(2020, 6, 30)),
        ("Events from 1 March to 15 April 2020", MON, D(2020, 3, 1), D(2020, 4, 15)),
        ("Events from 1 to 15 March 2020", MON, D(2020, 3, 1), D(2020, 3, 15)),
        ("Events from December to February 2020", MON, D(2019, 12, 1), D(2020, 2, 29)),
        ("Events from December 2019 to February", LEAP, D(2019, 12, 1), D(2020, 2, 29)),
        ("Events between 2010 and 2015", MON, D(2010, 1, 1), D(2015, 12, 31)),
        ("Events from 28 December 2019 to 3 January 2020", MON, D(2019, 12, 28), D(2020, 1, 3)),
        # parts of months and years, decades, seasons, quarters
        ("What happened in early May 2019?", MON, D(2019, 5, 1), D(2019, 5, 10)),
        ("What happened in mid-May 2019?", MON, D(2019, 5, 11), D(2019, 5, 20)),
        ("What happened in late May 2019?", MON, D(2019, 5, 21), D(2019, 5, 31)),
        ("What happened in late February 2020?", LEAP, D(2020, 2, 21), D(2020, 2, 29)),
        ("What happened in late February 2019?", LEAP, D(2019, 2, 21), D(2019, 2, 28)),
        ("What happened at the end of May 2019?", MON, D(2019, 5, 21), D(2019, 5, 31)),
        ("What happened in early May?", D(2019, 5, 3), D(2019, 5, 1), D(2019, 5, 10)),
        ("What happened in mid-2019?", MON, D(2019, 5, 1), D(2019, 8, 31)),
        ("What happened in the 1990s?", MON, D(1990, 1, 1), D(1999, 12, 31)),
        ("What happened in the late 1990s?", MON, D(1997, 1, 1), D(1999, 12, 31)),
        ("What happened in the Early 2000s?", MON, D(2000, 1, 1), D(2003, 12, 31)),
        ("What happened in spring 2020?", MON, D(2020, 3, 1), D(2020, 5, 31)),
        ("What happened in winter 2020?", MON, D(2019, 12, 1), D(2020, 2, 29)),
        ("Q1 2020 earnings of Apple", MON, D(2020, 1, 1), D(2020, 3, 31)),
        # a season without a year, after a cue: the latest that has begun / ended
        ("What happened in the summer?", D(2019, 7, 2), D(2019, 6, 1), D(2019, 8, 31)),
        ("What happened in the summer?", MON, D(2018, 6, 1), D(2018, 8, 31)),
        ("Floods last summer", D(2019, 7, 2), D(2018, 6, 1), D(2018, 8, 31)),
        ("Floods last winter", MON, D(2018, 12, 1), D(2019, 2, 28)),
        ("Snow during the winter", D(2020, 1, 5), D(2019, 12, 1), D(2020, 2, 29)),
        ("Apple earnings in the third quarter of 2019", MON, D(2019, 7, 1), D(2019, 9, 30)),
    ],
)
def test_absolute_windows(question: str, as_of: date, start: date, end: date) -> None:
    frame = parse_timeframe(question, as_of)
    assert frame is not None
    assert (frame.start, frame.end, frame.kind) == (start, end, "absolute")


@pytest.mark.parametrize(
    ("question", "as_of", "start", "end", "ongoing"),
    [
        ("What happened since March 2020?", D(2020, 5, 20), D(2020, 3, 1), D(2020, 5, 20), True),
        ("What happened since 2019?", MON, D(2019, 1, 1), MON, True),
        ("What happened after 2015?", MON, D(2016, 1, 1), MON, True),
        ("What happened since March?", MON, D(2019, 3, 1), MON, True),
        ("What has changed since last week?", MON, D(2019, 5, 13), MON, True),
        ("What has changed since yesterday?", MON, SUN, MON, True),
        ("What happened before last year?", MON, None, D(2017, 12, 31), False),
        ("What happened before 2010?", MON, None, D(2009, 12, 31), False),
        ("What happened until June 2019?", MON, None, D(2019, 6, 30), False),
        ("What happened before 20 May 2019?", MON, None, D(2019, 5, 19), False),
        ("What will happen since 2030?", MON, D(2030, 1, 1), None, False),
    ],
)
def test_half_open_windows(
    question: str, as_of: date, start: date | None, end: date | None, ongoing: bool
) -> None:
    frame = parse_timeframe(question, as_of)
    assert frame is not None
    assert (frame.start, frame.end, frame.ongoing) == (start, end, ongoing)


@pytest.mark.parametrize(
    ("question", "as_of", "start", "end"),
    [
        ("What happened today?", MON, MON, MON),
        ("What happened yesterday?", MON, SUN, SUN),
        ("What happened yesterday?", D(2020, 3, 1), D(2020, 2, 29), D(2020, 2, 29)),
        ("What happened yesterday?", D(2020, 1, 1), D(2019, 12, 31), D(2019, 12, 31)),
        ("What happened the day before yesterday?", MON, D(2019, 5, 18), D(2019, 5, 18)),
        ("What did he say last night?", MON, SUN, SUN),
        ("What happened this week?", MON, MON, MON),
        ("What happened this week?", SUN, D(2019, 5, 13), SUN),
        ("What happened last week?", MON, D(2019, 5, 13), SUN),
        ("What happened last week?", SUN, D(2019, 5, 6), D(2019, 5, 12)),
        ("What happened last week?", NEW_YEAR, D(2019, 12, 23), D(2019, 12, 29)),
        ("What happened in the past week?", MON, D(2019, 5, 13), MON),
        ("What happened the past 7 days?", MON, D(2019, 5, 13), MON),
        ("What happened in the last 7 days?", MON, D(2019, 5, 13), MON),
        ("What happened in the last week?", MON, D(2019, 5, 13), MON),
        ("What happened in the past 24 hours?", MON, SUN, MON),
        ("What happened in the last 3 months?", MON, D(2019, 2, 20), MON),
        ("What happened in the past two years?", LEAP, D(2018, 3, 10), LEAP),
        ("What happened in the past few weeks?", MON, D(2019, 4, 29), MON),
        ("What happened this month?", MON, D(2019, 5, 1), MON),
        ("What happened last month?", NEW_YEAR, D(2019, 12, 1), D(2019, 12, 31)),
        ("What happened last month?", LEAP, D(2020, 2, 1), D(2020, 2, 29)),
        ("What happened this year?", MON, D(2019, 1, 1), MON),
        ("What happened so far this year?", MON, D(2019, 1, 1), MON),
        ("What happened last year?", NEW_YEAR, D(2019, 1, 1), D(2019, 12, 31)),
        ("What happened 3 days ago?", MON, D(2019, 5, 17), D(2019, 5, 17)),
        ("What happened two weeks ago?", MON, D(2019, 5, 6), D(2019, 5, 12)),
        ("What happened a month ago?", NEW_YEAR, D(2019, 12, 1), D(2019, 12, 31)),
        ("What happened 2 years ago?", MON, D(2017, 1, 1), D(2017, 12, 31)),
        # weekdays: strictly before as-of unless "this"
        ("What happened on Monday?", MON, D(2019, 5, 13), D(2019, 5, 13)),
        ("What happened on Monday?", D(2019, 5, 22), MON, MON),
        ("What happened last Tuesday?", MON, D(2019, 5, 14), D(2019, 5, 14)),
        ("What happened on Sunday night?", MON, SUN, SUN),
        ("What happened this Monday?", MON, MON, MON),
        ("What happened since Friday?", MON, D(2019, 5, 17), MON),
        ("What happened over the weekend?", MON, D(2019, 5, 18), SUN),
        ("What happened over the weekend?", SUN, D(2019, 5, 18), SUN),
        ("What happened last weekend?", SUN, D(2019, 5, 11), D(2019, 5, 12)),
    ],
)
def test_relative_windows(question: str, as_of: date, start: date, end: date) -> None:
    frame = parse_timeframe(question, as_of)
    assert frame is not None
    assert (frame.start, frame.end, frame.kind) == (start, end, "relative")


@pytest.mark.parametrize(
    ("question", "kind", "expression"),
    [
        ("What is the latest on Brexit?", "latest", "latest"),
        ("Who won the most recent election?", "latest", "most recent"),
        ("Show me the newest articles about Tesla", "latest", "newest"),
        ("What happened recently in Syria?", "recent", "recently"),
        ("What has he been doing lately?", "recent", "lately"),
        ("Who is the current prime minister?", "recent", "current"),
        ("What are people worried about these days?", "recent", "these days"),
    ],
)
def test_recency_words(question: str, kind: str, expression: str) -> None:
    frame = parse_timeframe(question, MON)
    assert frame == TimeFrame(None, MON, expression, kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question",
    [
        "What may happen next?",
        "May I ask about Brexit?",
        "What did Theresa May say about the backstop?",
        "What was Theresa May's plan?",
        "What changed in May's cabinet?",
        "What happened since May became prime minister?",
        "How many of the 2000 workers went on strike?",
        "How many of 2000 workers went on strike?",
        "Were there deaths in 2000 cases of measles?",
        "Who won the 2019 election?",  # names the event, not when it was reported
        "Who won the election of 2019?",
        "What went wrong during the 2008 crisis?",
        "What did the march on Washington achieve?",
        "Who is the CEO of March Networks?",
        "What did Jan say to the board?",
        "What is the current account deficit?",
        "What happened on the last day of the trial?",
        "What happened in the last week of the campaign?",
        "What did Black Friday sales look like?",
        "How much is 2500 dollars in euros?",
        "Which street is number 20?",
        "",
    ],
)
def test_no_false_positives(question: str) -> None:
    assert parse_timeframe(question, MON) is None


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        ("What happened last week in 2019?", "last week"),  # narrower window wins
        ("What is the latest news from May 2019?", "from May 2019"),  # a window beats recency
        ("What happened yesterday and recently?", "yesterday"),
        ("What happened before 2010 or in May 2009?", "in May 2009"),  # closed beats half-open
        ("What happened on 20 May 2019 in London?", "on 20 May 2019"),  # longest expression
        ("Between March and June 2020, what closed?", "Between March and June 2020"),
        ("What happened in the day before yesterday?", "the day before yesterday"),
    ],
)
def test_most_specific_expression_wins(question: str, expression: str) -> None:
    frame = parse_timeframe(question, MON)
    assert frame is not None
    assert frame.expression == expression


def test_case_does_not_matter() -> None:
    frame = parse_timeframe("WHAT HAPPENED LAST WEEK?", MON)
    assert frame == TimeFrame(D(2019, 5, 13), SUN, "LAST WEEK", "relative")


@pytest.mark.parametrize(
    ("question", "as_of", "text"),
    [
        ("What happened last week?", MON, "from 13 to 19 May 2019"),
        ("What happened in May 2019?", MON, "in May 2019"),
        ("What happened on 20 May 2019?", MON, "on 20 May 2019"),
        ("What happened since March 2020?", D(2020, 5, 20), "since 1 March 2020"),
        ("What happened before 2010?", MON, "before 1 January 2010"),
        ("What happened in 2019?", MON, "in 2019"),
        ("What happened between March and June 2020?", MON, "from March to June 2020"),
        ("Events from December to February 2020", MON, "from December 2019 to February 2020"),
        ("Events from 13 May to 2 June 2019", MON, "from 13 May to 2 June 2019"),
        ("Events from 28 December 2019 to 3 January 2020", MON,
         "from 28 December 2019 to 3 January 2020"),
        ("What happened in the 1990s?", MON, "in the 1990s"),
        ("Events between 2010 and 2015", MON, "from 2010 to 2015"),
    ],
)  # fmt: skip
def test_describe(question: str, as_of: date, text: str) -> None:
    frame = parse_timeframe(question, as_of)
    assert frame is not None
    assert describe_window(frame.start, frame.end, ongoing=frame.ongoing) == text


@pytest.mark.parametrize(
    ("question", "stripped"),
    [
        ("What happened in Paris in May 2019?", "What happened in Paris?"),
        ("Who resigned last week?", "Who resigned?"),
        ("Last week, who resigned?", "Who resigned?"),
        ("What happened between March and June 2020 in Spain?", "What happened in Spain?"),
        ("Who won the election, yesterday?", "Who won the election?"),
        ("WHAT HAPPENED LAST WEEK?", "WHAT HAPPENED?"),
        ("What are the latest Brexit talks?", "What are the Brexit talks?"),
        ("Yesterday?", "Yesterday?"),  # nothing left to search with: keep the question
    ],
)
def test_strip_time_expression(question: str, stripped: str) -> None:
    frame = parse_timeframe(question, MON)
    assert frame is not None
    assert strip_time_expression(question, frame) == stripped


def test_strip_unknown_expression_leaves_question() -> None:
    frame = TimeFrame(MON, MON, "on 20 May", "absolute")
    assert strip_time_expression("What happened?", frame) == "What happened?"


# --- properties -------------------------------------------------------------------------------

PAST_EXPRESSIONS = [
    "today", "yesterday", "the day before yesterday", "last night", "this week", "last week",
    "the past week", "in the last 7 days", "this month", "last month", "this year",
    "last year", "3 days ago", "two weeks ago", "a month ago", "5 years ago", "a fortnight ago",
    "in the last 3 months", "the past 2 years", "in the past 24 hours", "on Monday",
    "last Friday", "this Sunday", "on Saturday morning", "since Wednesday", "over the weekend",
    "last weekend", "this weekend", "so far this year", "earlier this month",
]  # fmt: skip
as_of_dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))


@given(as_of=as_of_dates, expression=st.sampled_from(PAST_EXPRESSIONS))
def test_relative_windows_are_past_and_non_empty(as_of: date, expression: str) -> None:
    frame = parse_timeframe(f"What happened {expression}?", as_of)
    assert frame is not None
    assert frame.kind == "relative"
    assert frame.start is not None
    assert frame.end is not None
    assert frame.start <= frame.end <= as_of


@given(as_of=as_of_dates, year=st.integers(1900, 2100), month=st.integers(1, 12))
def test_month_year_is_that_whole_month(as_of: date, year: int, month: int) -> None:
    frame = parse_timeframe(f"What happened in {MONTH_NAMES[month - 1]} {year}?", as_of)
    assert frame is not None
    assert frame.start == D(year, month, 1)
    assert frame.end is not None
    assert frame.end.month == month
    assert (frame.end + timedelta(days=1)).day == 1


@given(as_of=as_of_dates, day=st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)))
def test_day_month_without_year_is_latest_not_after_as_of(as_of: date, day: date) -> None:
    frame = parse_timeframe(f"What happened on {day.day} {MONTH_NAMES[day.month - 1]}?", as_of)
    assert frame is not None
    assert frame.start == frame.end
    assert frame.start is not None
    assert frame.start <= as_of
    assert (frame.start.month, frame.start.day) == (day.month, day.day)
    assert frame.start > as_of - timedelta(days=366 * (8 if (day.month, day.day) == (2, 29) else 1))


@given(question=st.text(max_size=80), as_of=as_of_dates)
def test_never_raises(question: str, as_of: date) -> None:
    frame = parse_timeframe(question, as_of)
    if frame is not None:
        assert frame.start is None or frame.end is None or frame.start <= frame.end
        assert strip_time_expression(question, frame)


# --- any text, however hostile ---------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    question=st.one_of(NASTY_TEXT, DATEISH.map(lambda d: f"What happened on {d}?")),
    as_of=st.dates(),
)
def test_timeframe_never_raises_on_any_text(question: str, as_of: date) -> None:
    frame = parse_timeframe(question, as_of)
    if frame is not None:
        assert frame.start is None or frame.end is None or frame.start <= frame.end
        assert isinstance(strip_time_expression(question, frame), str)


@pytest.mark.parametrize(
    ("question", "yearless"),
    [
        ("What happened in May?", True),
        ("What happened on 20 May?", True),
        ("What happened from March to May?", True),
        ("What happened in the summer?", True),
        ("What happened in May 2019?", False),
        ("What happened last May?", False),  # relative to as-of: the May just ended
        ("What happened this May?", False),
        ("Floods last summer", False),
        ("What happened last week?", False),
        ("What happened since March?", False),  # open-ended: runs to as-of
    ],
)
def test_windows_named_without_a_year_are_marked(question: str, yearless: bool) -> None:
    frame = parse_timeframe(question, D(2019, 12, 1))
    assert frame is not None and frame.yearless is yearless


@pytest.mark.parametrize("question", ["What did the Arab Spring bring?", "Summer Olympics medals"])
def test_season_words_without_a_cue_are_no_window(question: str) -> None:
    assert parse_timeframe(question, MON) is None

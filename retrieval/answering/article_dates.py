"""Dates inside article sentences ("on Monday", "last month"), resolved against publication.

A "when" answer that quotes "the minister resigned on Monday" tells the reader nothing
without the date, and the article's publication date is what turns the words into one.
News convention settles the ambiguous cases:

* A weekday ("on Monday", "Monday's vote") is the most recent such day on or before
  publication: reports are in the past tense and name days of the week just gone. On the
  publication weekday it is the publication day; "last Monday" then means a week earlier,
  "next Monday" is the first one after publication, "this Monday" the one in the publication
  week. Named days ("Black Friday", "Good Friday") are not weekdays.
* A day and month without a year is the most recent such date no later than 7 days after
  publication, since articles also announce the coming week.
* A month without a year is the most recent one that has begun by the month after
  publication ("in June" in a 20 May article is this June); "last May" has ended, "next May"
  has not begun. "May" needs the same cues as in questions (`calendar_words.month_cue`).
* "last night" is the evening before publication; "this morning" and "tonight" are the
  publication day.
* Exactly one of `day`, `span`, `month`, `year` is set: the most precise thing known. Weeks,
  weekends, early/mid/late months and rolling periods ("the past week") are spans.
* Without a publication date only self-contained expressions resolve: full dates, a month with
  its year, a year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, TypeVar

from retrieval.text.calendar import (
    DATE_MENTION,
    MONTH_NAMES,
    NUMBER_PATTERN,
    WEEKDAY_NAMES,
    WEEKDAY_PATTERN,
    Point,
    Span,
    add_months,
    describe_window,
    format_day,
    is_count,
    month_cue,
    month_span,
    parse_number,
    part_of,
    point_pattern,
    unit_ago,
    week_span,
)
from retrieval.text.locale_dates import LANGUAGES, find_dates
from retrieval.text.morphology import text_language

__all__ = ["ResolvedDate", "dated_outside", "format_day", "mentions_date", "resolve_dates"]

_AHEAD: Final = timedelta(days=7)  # how far past publication a bare "20 May" may point


@dataclass(frozen=True)
class ResolvedDate:
    """A date expression in a sentence, where it sits, and what it resolves to."""

    text: str
    start: int
    end: int
    day: date | None = None
    month: tuple[int, int] | None = None  # (year, month)
    year: int | None = None
    span: Span | None = None  # first and last day, for weeks and other runs of days

    @property
    def bounds(self) -> Span:
        """First and last day covered, whatever the precision, for comparing with windows."""
        if self.day is not None:
            return self.day, self.day
        if self.span is not None:
            return self.span
        if self.month is not None:
            return month_span(*self.month)
        return date(self.year or 1, 1, 1), date(self.year or 1, 12, 31)

    def describe(self) -> str:
        """`20 May 2019`, `May 2019`, `2019`, `from 13 to 19 May 2019`."""
        if self.day is not None:
            return format_day(self.day)
        if self.span is not None:
            return describe_window(*self.span)
        if self.month is not None:
            return f"{MONTH_NAMES[self.month[1] - 1]} {self.month[0]}"
        return str(self.year)


_IS: Final = re.IGNORECASE
_DATE: Final = re.compile(
    r"\b(?:(?P<prep>on|in|during|since|until|by|from|last|this|next)\s+)?"
    r"(?:(?P<mod>early|mid|late)[\s-]*)?"
    rf"(?:(?P<wd>{WEEKDAY_PATTERN}),?\s+)?(?:(?P<the>the)\s+)?{point_pattern('a')}(?![\d-])",
    _IS,
)
_WEEKDAY: Final = re.compile(
    rf"\b(?:(?P<prep>on|last|this|next|since|by|until|from)\s+)?(?P<wd>{WEEKDAY_PATTERN})"
    r"(?:\s+(?:morning|afternoon|evening|night)\b)?",
    _IS,
)
_NAMED_DAY: Final = re.compile(
    r"\b(?:black|good|cyber|super|ash|maundy|holy|easter|palm|bloody|giving|shrove)\s+$", _IS
)
_DAY_WORDS: Final = re.compile(
    r"\b(?:(?P<d2>the\s+day\s+before\s+yesterday)"
    r"|(?P<d1>yesterday(?:\s+(?:morning|afternoon|evening))?|last\s+night)"
    r"|(?P<d0>today|tonight|this\s+(?:morning|afternoon|evening))|(?P<d_1>tomorrow))\b",
    _IS,
)
_PERIOD: Final = re.compile(
    r"\b(?:(?:earlier|later)\s+)?(?P<w>this|last|next|the\s+past|the\s+last|past)\s+"
    r"(?P<unit>week|weekend|month|year)\b(?!\s+of\b)",
    _IS,
)
_WEEKEND: Final = re.compile(r"\b(?:over|at|on|during)\s+the\s+weekend\b", _IS)
_AGO: Final = re.compile(
    rf"\b(?P<n>{NUMBER_PATTERN})\s+(?P<unit>day|week|fortnight|month|year)s?\s+ago\b", _IS
)


def _at(
    m: re.Match[str],
    *,
    day: date | None = None,
    month: tuple[int, int] | None = None,
    year: int | None = None,
    span: Span | None = None,
) -> ResolvedDate:
    return ResolvedDate(m[0], m.start(), m.end(), day, month, year, span)


def _from_span(m: re.Match[str], span: Span, unit: str) -> ResolvedDate:
    """The least precise field that still says everything the span says."""
    start, end = span
    if start == end:
        return _at(m, day=start)
    if unit == "month" and start.day == 1 and (end + timedelta(days=1)).day == 1:
        return _at(m, month=(start.year, start.month))
    if unit == "year" and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return _at(m, year=start.year)
    return _at(m, span=span)


def _date(m: re.Match[str], published: date | None) -> ResolvedDate | None:
    prep, mod = (m["prep"] or "").lower(), (m["mod"] or "").lower() or None
    pt = Point.from_match(m, "a")
    if pt.day is not None:
        if mod or (pt.year is None and published is None):
            return None
        return _at(m, day=pt.span(published + _AHEAD if published else date.max)[0])
    if m["the"] or m["wd"]:
        return None
    if pt.month is None:  # a year alone: only after a preposition or early/mid/late
        if is_count(m) or (
            not mod and prep not in ("in", "during", "since", "until", "by", "from")
        ):
            return None
        span = pt.span(date.max)
    elif pt.year is not None:
        span = pt.span(date.max)
    elif published is None or not month_cue(pt, prep, mod, m.string[m.end() :]):
        return None
    else:
        this_month = published.replace(day=1)
        bound = {"last": add_months(this_month, -1), "this": published.replace(month=12, day=31)}
        if prep == "next":  # the first one after the publication month
            span = month_span(published.year + (pt.month <= published.month), pt.month)
        else:
            span = pt.span(bound.get(prep, add_months(this_month, 1)))
    return _from_span(m, part_of(span, mod) if mod else span, "month" if pt.month else "year")


def _weekday(m: re.Match[str], published: date) -> ResolvedDate | None:
    prep = (m["prep"] or "").lower()
    if not prep and _NAMED_DAY.search(m.string[: m.start()]):
        return None
    target = WEEKDAY_NAMES.index(m["wd"].capitalize())
    if prep == "next":
        ahead = (target - published.weekday()) % 7 or 7
        return _at(m, day=published + timedelta(days=ahead))
    if prep == "this":
        return _at(m, day=week_span(published)[0] + timedelta(days=target))
    back = (published.weekday() - target) % 7 or (7 if prep == "last" else 0)
    return _at(m, day=published - timedelta(days=back))


def _day_word(m: re.Match[str], published: date) -> ResolvedDate:
    back = 2 if m["d2"] else 1 if m["d1"] else -1 if m["d_1"] else 0
    return _at(m, day=published - timedelta(days=back))


def _period(m: re.Match[str], published: date) -> ResolvedDate:
    which, unit = " ".join(m["w"].lower().split()), m["unit"].lower()
    if which in ("past", "the past", "the last"):  # a rolling period ending at publication
        if unit == "weekend":
            return _weekend(m, published)
        months = {"month": 1, "year": 12}.get(unit)
        start = add_months(published, -months) if months else published - timedelta(weeks=1)
        return _at(m, span=(start, published))
    shift = {"last": -1, "this": 0, "next": 1}[which]
    if unit == "weekend":
        sunday = week_span(published)[1] + timedelta(weeks=shift)
        return _at(m, span=(sunday - timedelta(days=1), sunday))
    return _from_span(m, unit_ago(-shift, unit, published), unit)


def _weekend(m: re.Match[str], published: date) -> ResolvedDate:
    saturday = week_span(published - timedelta(days=5))[0] + timedelta(days=5)
    return _at(m, span=(saturday, saturday + timedelta(days=1)))


def _ago(m: re.Match[str], published: date) -> ResolvedDate:
    unit = m["unit"].lower()
    return _from_span(m, unit_ago(parse_number(m["n"]), unit, published), unit)


_Ref = TypeVar("_Ref", date, date | None)
_Resolver = Callable[[re.Match[str], date], ResolvedDate | None]
_RELATIVE: Final[tuple[tuple[re.Pattern[str], _Resolver], ...]] = (
    (_WEEKDAY, _weekday), (_DAY_WORDS, _day_word), (_PERIOD, _period),
    (_WEEKEND, _weekend), (_AGO, _ago),
)  # fmt: skip


def _hits(
    pattern: re.Pattern[str],
    resolve: Callable[[re.Match[str], _Ref], ResolvedDate | None],
    text: str,
    published: _Ref,
) -> Iterator[ResolvedDate]:
    for m in pattern.finditer(text):
        try:
            hit = resolve(m, published)
        except (ValueError, OverflowError):
            continue  # 31 April, 9999 years ago: not a date
        if hit is not None:
            yield hit


def mentions_date(sentence: str) -> bool:
    """Does the sentence name a day, a month or a year (in English, or in the language its
    script says: "15 декабря 2017 года")?"""
    if DATE_MENTION.search(sentence):
        return True
    language = text_language(sentence)
    return language != "en" and bool(find_dates(sentence, language))


def dated_outside(text: str, start: date | None, end: date | None) -> bool:
    """Does `text` state dates (a year at least) and every one of them fall outside the
    window? An undated article that says "in 2017" throughout is not an article from 2015."""
    dated = [
        r for r in resolve_dates(text, None, text_language(text)) if r.day or r.month or r.year
    ]
    low, high = start or date.min, end or date.max
    return bool(dated) and all(r.bounds[1] < low or r.bounds[0] > high for r in dated)


def resolve_dates(
    sentence: str, published: date | None, language: str = "en"
) -> list[ResolvedDate]:
    """Every date expression in the sentence that can be pinned down, in reading order.

    In one of `locale_dates.LANGUAGES` each expression is restated in English and resolved by
    the rules above; `text`, `start` and `end` stay those of the sentence as written.
    """
    if language in LANGUAGES:
        return _resolve_written(sentence, published, language)
    found = list(_hits(_DATE, _date, sentence, published))
    if published is not None:
        for pattern, resolve in _RELATIVE:
            found += _hits(pattern, resolve, sentence, published)
    kept: list[ResolvedDate] = []
    for hit in sorted(found, key=lambda h: (h.start, h.start - h.end)):
        if not kept or hit.start >= kept[-1].end:  # the longest of overlapping expressions wins
            kept.append(hit)
    return kept


def _resolve_written(sentence: str, published: date | None, language: str) -> list[ResolvedDate]:
    kept: list[ResolvedDate] = []
    for hit in find_dates(sentence, language):
        resolved = resolve_dates(hit.english, published)
        if len(resolved) == 1:
            kept.append(replace(resolved[0], text=hit.text, start=hit.start, end=hit.end))
    return kept

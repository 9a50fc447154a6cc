"""Calendar words (months, weekdays, counts, dates) as regexes, and the days they name.

Shared by `timeframe`, which reads them in questions, and `article_dates`, which reads them in
article sentences, so both agree on what "May", "Sept." or "a few weeks" means. All patterns
are meant to be compiled with re.IGNORECASE.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

Span = tuple[date, date]

MONTH_NAMES: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAY_NAMES: Final = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip
# "january", "jan", "sept" -> 1, 1, 9: every way a month is written, lower-cased.
MONTH_NUMBERS: Final = {"sept": 9} | {
    key: n for n, name in enumerate(MONTH_NAMES, 1) for key in (name.lower(), name.lower()[:3])
}
# The three letters every spelling of a month starts with ("sep" for sept/september).
MONTH_PREFIXES: Final = tuple(name.lower()[:3] for name in MONTH_NAMES)
# Months written out or shortened, for a regex alternation: "january|...|december|jan|...|dec".
MONTH_WORDS: Final = "|".join(
    [*(name.lower() for name in MONTH_NAMES), *(p for p in MONTH_PREFIXES if p != "may"), "sept"]
)
# Does a sentence mention a date, a weekday or a period? (A cue for "when" answers.)
DATE_MENTION: Final = re.compile(
    rf"\b(({MONTH_WORDS})\.?\s+\d{{1,2}}|\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?({MONTH_WORDS})|"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|today|tonight|"
    rf"last (week|month|year|night)|(in|since|until|by) ({MONTH_WORDS}|\d{{4}})|\b(19|20)\d{{2}}\b)",
    re.I,
)
_COUNTS: Final = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_NUMBER_WORDS: Final = {word: n for n, word in enumerate(_COUNTS, 1)} | {
    "a": 1, "an": 1, "eleven": 11, "twelve": 12, "couple of": 2, "a couple of": 2, "few": 3,
    "a few": 3,
}  # fmt: skip

MONTH_PATTERN: Final = (
    r"(?<![a-z])(?:january|february|march|april|may|june|july|august|september|october"
    r"|november|december|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?)(?![a-z])"
)
WEEKDAY_PATTERN: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![a-z])"
YEAR_PATTERN: Final = r"(?<![\d,.$£€])(?:19\d\d|20\d\d|2100)(?!\d|s\b|%)"
DAY_PATTERN: Final = r"(?<!\d)(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
NUMBER_PATTERN: Final = (
    r"(?:\d{1,4}|a\s+couple\s+of|couple\s+of|a\s+few|few|an?|one|two|three|four|five|six"
    r"|seven|eight|nine|ten|eleven|twelve)"
)
# Words before a bare year or month that make it a time ("in 2019"), not a name or a count.
YEAR_PREPS: Final = (
    "in", "during", "since", "after", "before", "until", "till", "through", "from",
)  # fmt: skip
_MONTH_PREPS: Final = (*YEAR_PREPS, "by", "last", "this")
# A number followed by a plural noun ("2000 workers") is a count, not a year.
_COUNTED: Final = re.compile(
    r"\s+(?!(?:was|has|this|thus|its|his|does|says|plus|versus|whereas)\b)[a-z]{2,}(?<!s)s\b", re.I
)


def is_count(m: re.Match[str]) -> bool:
    """Whether a number is followed by a plural noun ("2000 workers"): a count, not a year."""
    return _COUNTED.match(m.string, m.end()) is not None


def point_pattern(p: str) -> str:
    """A date, a month or a year, with group names prefixed by `p` so two fit in one regex."""
    day_month = rf"(?P<{p}d1>{DAY_PATTERN})(?:\s+of)?\s+(?P<{p}m1>{MONTH_PATTERN})"
    month_day = rf"(?P<{p}m2>{MONTH_PATTERN})\s+(?P<{p}d2>{DAY_PATTERN})"
    named = rf"(?:{day_month}|{month_day}|(?P<{p}m3>{MONTH_PATTERN}))"
    year = rf"(?:,?\s+(?:of\s+)?(?P<{p}y1>{YEAR_PATTERN}))?"
    return rf"(?:(?P<{p}iso>(?:19|20)\d\d-[01]\d-[0-3]\d)|{named}{year}|(?P<{p}y2>{YEAR_PATTERN}))"


@dataclass(frozen=True)
class Point:
    """What a date expression names; missing parts are inferred from a reference date."""

    day: int | None
    month: int | None
    year: int | None
    month_word: str = ""

    @classmethod
    def from_match(cls, m: re.Match[str], p: str) -> Point:
        """Read the groups of `point_pattern(p)`."""
        if iso := m[f"{p}iso"]:
            return cls(int(iso[8:]), int(iso[5:7]), int(iso[:4]))
        day, year = m[f"{p}d1"] or m[f"{p}d2"], m[f"{p}y1"] or m[f"{p}y2"]
        word = m[f"{p}m1"] or m[f"{p}m2"] or m[f"{p}m3"] or ""
        return cls(
            int(re.sub(r"\D", "", day)) if day else None,
            MONTH_NUMBERS[word.lower().rstrip(".")] if word else None,
            int(year) if year else None,
            word,
        )

    def span(self, not_after: date) -> Span:
        """The days it names; without a year, the latest such day or month not after the bound.

        Raises ValueError for days that do not exist (31 April).
        """
        if self.month is None:
            return year_span(self.year or not_after.year)
        if self.day is None:
            latest = not_after.year if self.month <= not_after.month else not_after.year - 1
            year = self.year or latest
            return month_span(year, self.month)
        if self.year is not None:
            day = date(self.year, self.month, self.day)
            return day, day
        for year in range(not_after.year, not_after.year - 9, -1):  # 29 Feb: back to a leap year
            if self.day <= calendar.monthrange(year, self.month)[1]:
                day = date(year, self.month, self.day)
                if day <= not_after:
                    return day, day
        raise ValueError(f"no {self.day} {self.month} before {not_after}")


def month_cue(pt: Point, prep: str, mod: str | None, after: str) -> bool:
    """Whether a month name without day or year is a month here, not a verb or a person."""
    if pt.month_word.capitalize() not in MONTH_NAMES:
        return False  # abbreviations alone ("Mar", "Jan") are too often something else
    if pt.month == 5:
        cue = mod is not None or prep in ("in", "during", "last", "this", "next")
        return cue and not re.match("['\u2019]s\\b", after)
    return mod is not None or prep in (*_MONTH_PREPS, "next")


def month_span(year: int, month: int) -> Span:
    """First and last day of a calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def year_span(year: int) -> Span:
    """First and last day of a calendar year."""
    return date(year, 1, 1), date(year, 12, 31)


def week_span(day: date) -> Span:
    """Monday to Sunday of the calendar week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def add_months(day: date, months: int) -> date:
    """Shift by whole months, clamping to the month's last day (31 March - 1 month = 29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def parse_number(text: str) -> int:
    """`7`, `seven`, `a few` -> an int (a few is three)."""
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def unit_ago(n: int, unit: str, ref: date) -> Span:
    """The calendar day/week/month/year `n` units before `ref`."""
    unit = unit.lower()
    if unit == "day":
        day = ref - timedelta(days=n)
        return day, day
    if unit in ("week", "fortnight"):
        return week_span(ref - timedelta(weeks=n * (2 if unit == "fortnight" else 1)))
    if unit == "month":
        shifted = add_months(ref, -n)
        return month_span(shifted.year, shifted.month)
    return year_span(ref.year - n)


def part_of(span: Span, part: str) -> Span:
    """early/mid/late of a month (1-10/11-20/21-end) or of a longer span (in thirds)."""
    start, end = span
    if start.month == end.month and start.year == end.year:
        bounds = {"early": (1, 10), "mid": (11, 20), "late": (21, end.day)}[part]
        return start.replace(day=bounds[0]), start.replace(day=bounds[1])
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    third = ("early", "mid", "late").index(part)
    first = add_months(start, third * months // 3)
    return first, add_months(start, (third + 1) * months // 3) - timedelta(days=1)


def format_day(day: date) -> str:
    """`20 May 2019`: day-first with the month spelled out, unambiguous in every locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def describe_window(  # noqa: PLR0911 - one return per way of naming a window reads best
    start: date | None, end: date | None, *, ongoing: bool = False
) -> str:
    """Name a window the way a person would: "in May 2019", "from 13 to 19 May 2019"."""
    if start is None:
        return "at any time" if end is None else f"before {format_day(end + timedelta(days=1))}"
    if end is None or ongoing:
        return f"since {format_day(start)}"
    if start == end:
        return f"on {format_day(start)}"
    first, last = MONTH_NAMES[start.month - 1], MONTH_NAMES[end.month - 1]
    if start.day == 1 and end == month_span(end.year, end.month)[1]:  # whole months
        if (start.month, end.month) == (1, 12):
            if start.year == end.year:
                return f"in {start.year}"
            if start.year % 10 == 0 and end.year == start.year + 9:
                return f"in the {start.year}s"
            return f"from {start.year} to {end.year}"
        if (start.year, start.month) == (end.year, end.month):
            return f"in {first} {start.year}"
        if start.year == end.year:
            return f"from {first} to {last} {end.year}"
        return f"from {first} {start.year} to {last} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"from {start.day} to {format_day(end)}"
    if start.year == end.year:
        return f"from {start.day} {first} to {format_day(end)}"
    return f"from {format_day(start)} to {format_day(end)}"

"""Time windows named in a question ("last week", "in May 2019"), resolved against an as-of date.

# size: ~380 lines, one pattern and one resolver per kind of time expression, in one table

Retrieval filters and re-ranks by publication date, so a question's time words must become
dates before the question is embedded; `strip_time_expression` then takes them out so that
"in May" does not pull in articles about Theresa May. The calendar vocabulary it reads
(month names, date patterns, spans of days) lives in `calendar_words`, shared with `article_dates`.

Decisions on ambiguous phrasing (each pinned by tests/test_timeframe.py):

* A year that names an event ("Who won the 2019 election?", "the election of 2019", "the
  2008 crisis") is not a window: events are previewed before and analysed long after, so a
  hard filter would drop the best articles. A bare year counts only after in/during/since/
  before/after/until/from or with early/mid/late, only in 1900-2100, and not before a plural
  noun ("in 2000 cases" is a count). "of" is deliberately not a cue: "the end of 2019", "May
  of 2019" and "the summer of 2019" have their own patterns, and what is left is event names.
* "May" is a month only with a day or a year, or after in/during/this/last/early/mid/late, and
  never before "'s": after since/before/by it is too often Theresa May. Other full month names
  also take since/before/after/until/by/from; abbreviations ("Mar") need a day or a year.
* "from X" alone means in X ("news from May 2019"); "from X to Y" is a range.
* Without a year a date is the most recent one not after as-of; a month is the most recent
  one that has begun ("in May" asked in May is this May); "last May" is the most recent May
  that has ended.
* "on Monday" and "last Monday" are the most recent Monday strictly before as-of (asked on a
  Monday, the previous one); only "this Monday" or "today" can be the as-of day itself.
* "last week/month/year" are calendar periods (weeks run Monday to Sunday); "this week/month/
  year" run from the period's start to as-of. "The past week", "in the last 7 days" roll back
  from as-of and include as-of minus N days: dates are days, not hours, so one day generous.
* "N days ago" is that day; "N weeks/months/years ago" that calendar week/month/year.
* early/mid/late: days 1-10/11-20/21-end of a month; Jan-Apr/May-Aug/Sep-Dec of a year.
* Seasons are meteorological, northern hemisphere; "winter 2020" is Dec 2019 to Feb 2020.
  Without a year a season needs a cue ("in the summer", "last winter"), so "the Arab Spring"
  is no window; "in the summer" is the latest that has begun, "last summer" the latest ended.
* A closed window named without a year is marked `yearless`; the planner moves it to the
  latest year the archive has articles in (question.plan), and the reply says which.
* "since/after X" run to as-of (`ongoing`); "before X" ends the day before X begins; "until X"
  ends with X. A window wholly in the future is kept (retrieval then finds nothing, and says
  so) rather than dropped.
* Several expressions: the narrowest closed window wins, then a half-open one, then recency
  words ("latest", "recently"), which set only `end=as_of` and ask retrieval to favour newer
  articles rather than filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, Literal

from retrieval.text.calendar import (
    DAY_PATTERN,
    NUMBER_PATTERN,
    WEEKDAY_NAMES,
    WEEKDAY_PATTERN,
    YEAR_PATTERN,
    YEAR_PREPS,
    Point,
    Span,
    add_months,
    is_count,
    month_cue,
    parse_number,
    part_of,
    point_pattern,
    unit_ago,
    week_span,
)
from retrieval.text.locale_dates import LANGUAGES, find_dates

Kind = Literal["absolute", "relative", "recent", "latest"]


@dataclass(frozen=True)
class TimeFrame:
    """A question's time window: inclusive bounds, None meaning open on that side.

    `recent`/`latest` frames have no start: they only say "not after as-of, newer first".
    `ongoing` marks "since X" windows, whose end is just the as-of date. `yearless` marks a
    closed window named without a year ("in May", "on 3 March", "last summer"): resolved here
    to the latest one not after as-of, which the planner may move to a year the archive covers.
    """

    start: date | None
    end: date | None
    expression: str
    kind: Kind
    ongoing: bool = False
    yearless: bool = False


# --- finding expressions in a question -------------------------------------------------------

_PREPS: Final = r"on|in|during|since|after|before|until|till|through|by|of|from|last|this"
_MODS: Final = (
    r"early|mid|late|(?:(?:at|towards?)\s+)?(?:the\s+)?(?:start|beginning|middle|end)\s+of"
)
_MOD_NAMES: Final = {"start": "early", "beginning": "early", "middle": "mid", "end": "late"}
_IS: Final = re.IGNORECASE
_SINGLE: Final = re.compile(
    rf"\b(?:(?P<prep>{_PREPS})\s+)?(?:(?P<mod>{_MODS})[\s-]*)?"
    rf"(?:(?P<wd>{WEEKDAY_PATTERN}),?\s+)?(?:(?P<the>the)\s+)?{point_pattern('a')}(?![\d-])",
    _IS,
)
_RANGE: Final = re.compile(
    rf"\b(?:between|from)\s+(?:(?P<bd>{DAY_PATTERN})|{point_pattern('a')})\s*"
    rf"(?:and|to|until|till|through|-|\u2013)\s*(?:the\s+)?{point_pattern('b')}(?![\d-])",
    _IS,
)
_DECADE: Final = re.compile(
    rf"\b(?:(?P<prep>{_PREPS})\s+)?the\s+(?:(?P<mod>early|mid|late)[\s-]*)?(?P<y>(?:19|20)\d0)'?s\b",
    _IS,
)
_SEASON: Final = re.compile(  # seasons and quarters: three months each
    rf"\b(?:(?P<prep>{_PREPS})\s+)?(?:the\s+)?(?:(?P<season>spring|summer|autumn|fall|winter)"
    rf"|q(?P<q>[1-4])|(?P<qw>first|second|third|fourth)\s+quarter)[\s-]+(?:of\s+)?(?P<y>{YEAR_PATTERN})",
    _IS,
)
# A season without a year needs a cue ("in the summer", "last winter"): "the Arab Spring" is none.
_BARE_SEASON: Final = re.compile(
    r"\b(?P<prep>in|during|this|last|over|since|before|after|until)\s+(?:the\s+)?"
    r"(?P<season>spring|summer|autumn|fall|winter)\b(?![\s-]+(?:of\s+)?\d)(?!\s+(?:games|olympics)\b)",
    _IS,
)
_SINCE: Final = r"(?:(?P<prep>since|before|after|until)\s+)?"  # "since last week"
_DAY_WORDS: Final = re.compile(
    rf"\b{_SINCE}(?:(?P<d2>(?:the\s+)?day\s+before\s+yesterday)|(?P<d1>yesterday|last\s+night)"
    r"|(?P<d0>today|tonight|this\s+(?:morning|afternoon|evening)))\b",
    _IS,
)
_CALENDAR: Final = re.compile(
    rf"\b{_SINCE}(?:(?:so\s+far|earlier)\s+)?(?P<w>this|last|previous)\s+(?P<unit>week|weekend|month|year)\b"
    r"(?!\s+of\b)",
    _IS,
)
_WEEKEND: Final = re.compile(r"\b(?:over|at|on|during)\s+the\s+weekend\b", _IS)
_ROLLING: Final = re.compile(
    rf"\b(?:(?:in|over|during|within|for)\s+)?(?P<the>the\s+)?(?P<w>last|past)\s+"
    rf"(?:(?P<n>{NUMBER_PATTERN})\s+)?(?P<unit>hour|day|week|fortnight|month|year)s?\b(?!\s+of\b)",
    _IS,
)
_AGO: Final = re.compile(
    rf"\b(?P<n>{NUMBER_PATTERN})\s+(?P<unit>day|week|fortnight|month|year)s?\s+ago\b", _IS
)
_WEEKDAY: Final = re.compile(
    rf"\b(?P<prep>on|last|past|this|since|before|after|until)\s+(?P<wd>{WEEKDAY_PATTERN})"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b",
    _IS,
)
_RECENCY: Final = re.compile(
    r"\b(?:(?P<latest>latest|most\s+recent(?:ly)?|newest|last\s+time)|recently|recent|lately"
    r"|currently|current(?!\s+accounts?\b)|these\s+days|nowadays|now|at\s+the\s+moment"
    r"|at\s+present|so\s+far|to\s+date)\b",
    _IS,
)


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    frame: TimeFrame


def _found(
    m: re.Match[str],
    span: Span,
    kind: Kind,
    as_of: date,
    prep: str | None = None,
    yearless: bool = False,
) -> _Found:
    """Turn the days a match names into a window, applying since/before/after/until."""
    start, end = span
    prep = (prep or "").lower()
    ongoing = prep in ("since", "after")  # "news from May 2019" is news *in* May 2019
    if prep == "after":
        start = end + timedelta(days=1)
    if ongoing:
        lo, hi = start, (as_of if as_of >= start else None)
    elif prep == "before":
        lo, hi = None, start - timedelta(days=1)
    elif prep in ("until", "till", "through", "by"):
        lo, hi = None, end
    else:
        lo, hi = start, end
    if kind == "relative" and hi is not None:
        hi = min(hi, as_of)  # "this week", "0 years ago": what has happened of it so far
    closed = lo is not None and hi is not None and not ongoing
    frame = TimeFrame(lo, hi, m[0], kind, ongoing and hi is not None, yearless and closed)
    return _Found(m.start(), m.end(), frame)


def _single(m: re.Match[str], as_of: date) -> _Found | None:
    prep = (m["prep"] or "").lower()
    mod = m["mod"] and re.search(r"early|mid|late|start|beginning|middle|end", m["mod"], _IS)
    part = _MOD_NAMES.get(mod[0].lower(), mod[0].lower()) if mod else None
    pt = Point.from_match(m, "a")
    if pt.day is not None:
        ok = part is None
    elif m["the"] or m["wd"]:
        ok = False
    elif pt.month is None:
        ok = (part is not None or prep in YEAR_PREPS) and not is_count(m)
    else:
        ok = pt.year is not None or month_cue(pt, prep, part, m.string[m.end() :])
    if not ok:
        return None
    if pt.year is None and pt.day is None and prep in ("last", "this"):
        last = add_months(as_of.replace(day=1), -1)
        span = pt.span(as_of.replace(month=12, day=31) if prep == "this" else last)
    else:
        span = pt.span(as_of)
    yearless = pt.year is None and pt.month is not None and prep not in ("last", "this")
    return _found(m, part_of(span, part) if part else span, "absolute", as_of, prep, yearless)


def _range(m: re.Match[str], as_of: date) -> _Found | None:
    a, b = Point.from_match(m, "a"), Point.from_match(m, "b")
    if m["bd"]:  # "from 1 to 15 March"
        a = Point(int(re.sub(r"\D", "", m["bd"])), None, None)
        if b.day is None:
            return None
    elif (a.month is None) != (b.month is None):
        return None
    if b.month is None and is_count(m):
        return None
    b_span = Point(b.day, b.month, b.year or a.year).span(as_of)
    month = a.month or b.month
    a_span = Point(a.day, month, a.year or b_span[0].year).span(as_of)
    if a_span[0] > b_span[0] and a.year is None:  # "from December to February 2020"
        a_span = Point(a.day, month, b_span[0].year - 1).span(as_of)
    elif a_span[0] > b_span[0] and b.year is None:  # "from December 2019 to February"
        b_span = Point(b.day, b.month, a_span[0].year + 1).span(as_of)
    if a_span[0] > b_span[1]:
        return None
    yearless = a.year is None and b.year is None
    return _found(m, (a_span[0], b_span[1]), "absolute", as_of, yearless=yearless)


def _decade(m: re.Match[str], as_of: date) -> _Found:
    decade = int(m["y"])
    first, last = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(
        str(m["mod"]).lower(), (0, 9)
    )
    span = date(decade + first, 1, 1), date(decade + last, 12, 31)
    return _found(m, span, "absolute", as_of, m["prep"])


_SEASON_STARTS: Final = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 0}
_QUARTER_STARTS: Final = {"1": 1, "2": 4, "3": 7, "4": 10}
_QUARTER_WORDS: Final = {"first": 1, "second": 4, "third": 7, "fourth": 10}


def _season_span(key: str, year: int) -> Span:
    """The three months of a season (winter: December of the year before) or a quarter."""
    begin = add_months(
        date(year, 1, 1), (_SEASON_STARTS | _QUARTER_STARTS | _QUARTER_WORDS)[key] - 1
    )
    return begin, add_months(begin, 3) - timedelta(days=1)


def _season(m: re.Match[str], as_of: date) -> _Found:
    span = _season_span((m["season"] or m["q"] or m["qw"]).lower(), int(m["y"]))
    return _found(m, span, "absolute", as_of, m["prep"])


def _bare_season(m: re.Match[str], as_of: date) -> _Found:
    """ "in the summer": the latest that has begun; "last summer" the latest that has ended."""
    prep, key = m["prep"].lower(), m["season"].lower()
    year = as_of.year + (1 if key == "winter" else 0)  # winter 2027 begins in December 2026
    span = _season_span(key, year)
    while span[0] > as_of or (prep == "last" and span[1] >= as_of):
        year -= 1
        span = _season_span(key, year)
    yearless = prep not in ("last", "this")
    return _found(m, span, "absolute", as_of, prep, yearless)


def _day_word(m: re.Match[str], as_of: date) -> _Found:
    day = as_of - timedelta(days=2 if m["d2"] else 1 if m["d1"] else 0)
    return _found(m, (day, day), "relative", as_of, m["prep"])


def _calendar(m: re.Match[str], as_of: date) -> _Found:
    unit, this = m["unit"].lower(), m["w"].lower() == "this"
    if unit == "weekend":  # "this weekend" before Saturday means the one just gone
        ref = as_of if this and as_of.weekday() >= 5 else as_of - timedelta(weeks=1)
        sunday = week_span(ref)[1]
        return _found(m, (sunday - timedelta(days=1), sunday), "relative", as_of, m["prep"])
    return _found(m, unit_ago(0 if this else 1, unit, as_of), "relative", as_of, m["prep"])


def _weekend(m: re.Match[str], as_of: date) -> _Found:
    saturday = week_span(as_of - timedelta(days=5))[0] + timedelta(days=5)
    return _found(m, (saturday, saturday + timedelta(days=1)), "relative", as_of)


def _rolling(m: re.Match[str], as_of: date) -> _Found | None:
    unit = m["unit"].lower()
    if not m["n"] and (unit in ("hour", "day") or (not m["the"] and m["w"].lower() == "last")):
        return None  # "the last day of the trial"; bare "last week" is the calendar week
    n = parse_number(m["n"]) if m["n"] else 1
    if unit in ("month", "year"):
        start = add_months(as_of, -n * (12 if unit == "year" else 1))
    else:
        days = -(-n // 24) if unit == "hour" else n * {"day": 1, "week": 7, "fortnight": 14}[unit]
        start = as_of - timedelta(days=days)
    return _found(m, (start, as_of), "relative", as_of)


def _ago(m: re.Match[str], as_of: date) -> _Found:
    return _found(m, unit_ago(parse_number(m["n"]), m["unit"], as_of), "relative", as_of)


def _weekday(m: re.Match[str], as_of: date) -> _Found:
    prep = m["prep"].lower()
    back = (as_of.weekday() - WEEKDAY_NAMES.index(m["wd"].capitalize())) % 7
    day = as_of - timedelta(days=back or (0 if prep == "this" else 7))
    return _found(m, (day, day), "relative", as_of, prep)


def _recency(m: re.Match[str], as_of: date) -> _Found:
    frame = TimeFrame(None, as_of, m[0], "latest" if m["latest"] else "recent")
    return _Found(m.start(), m.end(), frame)


_Resolver = Callable[[re.Match[str], date], _Found | None]
_RULES: Final[tuple[tuple[re.Pattern[str], _Resolver], ...]] = (
    (_SINGLE, _single), (_RANGE, _range), (_DECADE, _decade), (_SEASON, _season),
    (_BARE_SEASON, _bare_season),
    (_DAY_WORDS, _day_word), (_CALENDAR, _calendar), (_WEEKEND, _weekend),
    (_ROLLING, _rolling), (_AGO, _ago), (_WEEKDAY, _weekday), (_RECENCY, _recency),
)  # fmt: skip


def _specificity(found: _Found) -> tuple[int, int, int]:
    """Closed windows before half-open ones before recency words; narrower first."""
    frame = found.frame
    if frame.kind in ("recent", "latest"):
        return 2, 0, found.start
    if frame.start is None or frame.end is None:
        return 1, 0, found.start
    return 0, (frame.end - frame.start).days, found.start


def parse_timeframe(question: str, as_of: date, language: str = "en") -> TimeFrame | None:
    """The most specific time window the question names, or None when it names none.

    A question in one of `locale_dates.LANGUAGES` has each time expression restated in English
    and resolved by the English rules, so "на прошлой неделе" is the window "last week" is;
    `expression` stays as written, for `strip_time_expression`. Other languages read as English.
    """
    if language in LANGUAGES:
        return _parse_written(question, as_of, language)
    found: list[_Found] = []
    for pattern, resolve in _RULES:
        for m in pattern.finditer(question):
            try:
                hit = resolve(m, as_of)
            except (ValueError, OverflowError):
                continue  # 31 April, 9999 years ago: the words name no real window
            if hit is not None:
                found.append(hit)
    kept = [
        f
        for f in found
        if not any(
            o.start <= f.start and f.end <= o.end and o.end - o.start > f.end - f.start
            for o in found
        )
    ]
    return min(kept, key=_specificity).frame if kept else None


def _parse_written(question: str, as_of: date, language: str) -> TimeFrame | None:
    found: list[_Found] = []
    for hit in find_dates(question, language):
        frame = parse_timeframe(hit.english, as_of)
        if frame is not None:
            found.append(_Found(hit.start, hit.end, replace(frame, expression=hit.text)))
    return min(found, key=_specificity).frame if found else None


def strip_time_expression(question: str, frame: TimeFrame) -> str:
    """The question without its time words, so retrieval matches the topic, not "May"."""
    m = re.search(re.escape(frame.expression), question, _IS)
    if not m:
        return question
    text = " ".join(f"{question[: m.start()]} {question[m.end() :]}".split())
    # Arabic's question mark and comma (؟ ،) close up like ours.
    text = re.sub(r"\s+([?.!,;:؟،])", r"\1", text)
    text = re.sub(r"^[,;:،]\s*|[,،](?=[?.!؟]$)", "", text).strip()
    if not re.search(r"\w", text):
        return question  # nothing but the time words: keep them rather than search for nothing
    if m.start() == 0 and question[:1].isupper():
        text = text[:1].upper() + text[1:]
    return text

"""Publication dates: parsing the many shapes archives store them in, and vetting the result.

A date is read as the publisher wrote it: `2019-05-20T23:30:00-05:00` is 20 May, not the UTC
day, because that is the date the outlet printed. Timestamps carry no zone and are read as UTC.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from retrieval.text.calendar import MONTH_PREFIXES
from retrieval.text.locale_dates import find_dates

_MONTHS = {prefix: n for n, prefix in enumerate(MONTH_PREFIXES, 1)}  # "jan" -> 1
_MONTH = rf"(?P<month>{'|'.join(MONTH_PREFIXES)})[a-z]*\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY_FIRST = re.compile(
    rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b",
    re.I,
)
_MONTH_FIRST = re.compile(
    rf"^{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I
)
_YMD = re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?:$|[T\s])")
_DMY_DOTS = re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\b")
_SLASHED = re.compile(r"^(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4})\b")
_TIMESTAMP = re.compile(r"^-?\d{9,14}(\.\d+)?$")
# A dateline: "PARIS, " (no lower case) or nothing, the date, maybe ", Espagne" (capitalised),
# then ". - " or " — ". "В субботу, 15 апреля 2017 года, в Италии ..." is a sentence.
_DATELINE_PLACE = re.compile(r"\s*(?P<place>[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+){0,3})[,،]\s*")
_DATELINE_DASH = re.compile(
    r"(?:[,،]\s*(?P<where>[^\W\d_][\w'-]*(?:\s[^\W\d_][\w'-]*){0,2}))?\s*[.,]?\s*[-–—]+\s"
)
_DATELINE_PARAGRAPHS = 3  # a lead paragraph may stand above it (French Wikinews)
_DATELINE_CHARS = 120

# Above this a number is a timestamp in milliseconds (1e11 s is the year 5138).
_MILLISECONDS_FROM = 100_000_000_000
_EARLIEST = date(1900, 1, 1)


def parse_date(value: object, language: str = "en") -> date | None:
    """A date from ISO, RFC 2822, `20 May 2019`, `May 20, 2019`, a Unix timestamp or struct_time.

    With another `language` a string may also be written in it ("20 февраля 2017 г.").
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return _safe_date(value.tm_year, value.tm_mon, value.tm_mday)
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    return _parse_text(value.strip(), language) if isinstance(value, str) else None


def dateline_date(body: str, language: str) -> date | None:
    """The date a dateline opens the article with ("22 mai 2012. - ..."), or None.

    As for English datelines (`cleaning.clean_dump`), only a full date heading one of the
    opening paragraphs, after at most a place and before a dash, is the article's: the first
    date *in* a sentence is an event's ("родился 26 августа 1910 года"), and none is invented.
    """
    opening = [p for p in body.split("\n") if p.strip()][:_DATELINE_PARAGRAPHS]
    for paragraph in opening:
        place = _DATELINE_PLACE.match(paragraph)
        if place and any(c.islower() for c in place["place"]):  # Arabic has no capitals
            place = None
        head = paragraph[:_DATELINE_CHARS]
        first = next(iter(find_dates(head, language)), None)
        if (
            first is not None
            and first.full is not None
            and first.start == (place.end() if place else len(paragraph) - len(paragraph.lstrip()))
            and (dash := _DATELINE_DASH.match(head, first.end))
            and (dash["where"] is None or not dash["where"][0].islower())
        ):
            return first.full
    return None


def _parse_text(text: str, language: str) -> date | None:
    return _parse_string(text) or (_written(text, language) if language != "en" else None)


def _written(text: str, language: str) -> date | None:
    """A full date the string opens with, written in `language`."""
    first = next(iter(find_dates(text[:_DATELINE_CHARS], language)), None)
    return first.full if first is not None and first.start == 0 else None


def vet_date(d: date | None, *, today: date) -> tuple[date | None, str | None]:
    """Keep a plausible date; a future or pre-1900 one becomes (None, one-line reason)."""
    if d is None:
        return None, None
    if d > today + timedelta(days=1):
        return None, f"date {d.isoformat()} is in the future; not used"
    if d < _EARLIEST:
        return None, f"date {d.isoformat()} is before 1900; not used"
    return d, None


def _parse_string(text: str) -> date | None:
    if not text:
        return None
    if _TIMESTAMP.match(text):
        return _from_timestamp(float(text))
    try:
        # Also takes `Z`, `+0100`, a space for `T` and the compact `20190520`.
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    for pattern in (_YMD, _DAY_FIRST, _MONTH_FIRST, _DMY_DOTS):
        if match := pattern.match(text):
            return _from_groups(match)
    return _from_slashed(text)


def _from_slashed(text: str) -> date | None:
    """13/04/2019 or 04/13/2019; 04/05/2019 is April in the US and May elsewhere, so None."""
    match = _SLASHED.match(text)
    if match is None:
        return None
    first, second, year = (int(match.group(name)) for name in ("first", "second", "year"))
    if first > 12 >= second:
        return _safe_date(year, second, first)
    if second > 12 >= first:
        return _safe_date(year, first, second)
    return _safe_date(year, first, first) if first == second else None


def _from_groups(match: re.Match[str]) -> date | None:
    month_text = match.group("month")
    month = _MONTHS.get(month_text[:3].lower()) if month_text.isalpha() else int(month_text)
    if month is None:
        return None
    return _safe_date(int(match.group("year")), month, int(match.group("day")))


def _from_timestamp(seconds: float) -> date | None:
    if abs(seconds) >= _MILLISECONDS_FROM:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None

"""Dates written in Russian, Turkish, Arabic and French, found and restated in English.

Each expression found ("20 февраля 2017 года", "Mayıs 2019'da", "الأسبوع الماضي", "en mai
2019") is given with the same expression in English ("20 February 2017", "in May 2019", "last
week"), so `timeframe` and `article_dates` resolve it with their English rules: one set of
decisions about what "in May" or "last week" means, in every language.

The vocabulary is dateparser's own language data (month names and their abbreviations, and its
"relative-type" phrases such as "на прошлой неделе" -> "1 week ago"); no month table is written
here. Only the words around a date are ours: which prepositions mean in/since/before (в, en,
في), the Russian locative ("в мае": dateparser knows only "май"/"мая") and the Turkish suffixes
("2019'da"). dateparser's own parser is not used: it cannot read "в мае 2019 года" or "Mayıs
2019'da", and its `search_dates` costs over a millisecond a sentence where these regexes cost
microseconds. Its data is imported on first use in a language, so English never pays for it.

Decisions, as in English: a bare year is a time only after a preposition ("в 2017 году",
"en 2017", "في 2017", "2017'de"), never as an event's name ("выборы 2017 года" is not); a month
without day or year needs a preposition ("в мае", "en mai", "Mayıs'ta"); abbreviations
("февр", "şub") count only with a day. Arabic-Indic digits read as digits.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final

from retrieval.text.calendar import MONTH_NAMES

LANGUAGES: Final = ("ru", "tr", "ar", "fr")

# dateparser's keys for the months, in calendar order.
_MONTH_KEYS: Final = tuple(name.lower() for name in MONTH_NAMES)
# dateparser's relative phrases, by their canonical English, -> our English for the same window.
_RELATIVE_ENGLISH: Final = {
    "0 day ago": "today", "1 day ago": "yesterday", "2 day ago": "the day before yesterday",
    "in 1 day": "tomorrow", "0 week ago": "this week", "1 week ago": "last week",
    "2 week ago": "two weeks ago", "0 month ago": "this month", "1 month ago": "last month",
    "0 year ago": "this year", "1 year ago": "last year", "2 year ago": "two years ago",
}  # fmt: skip
_AGO_UNITS: Final = ("day", "week", "month", "year")  # "\1 hour ago": no English window either
# Arabic-Indic and Extended Arabic-Indic digits, one character for one: offsets stay valid.
_DIGITS: Final = str.maketrans(
    {chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)}
)
_YEAR: Final = r"(?:19\d\d|20\d\d|2100)(?!\d)"


@dataclass(frozen=True)
class _Cues:
    """The words around a date in one language; every key maps to an English preposition."""

    preps: dict[str, str]
    day: str = r"(?:3[01]|[12]\d|0?[1-9])(?![\d:])"
    year_word: str = ""  # between a preposition and a year: "عام" in "في عام 2017"
    year_tail: str = ""  # after a year: "года", "г."
    tails: tuple[tuple[str, str], ...] = ()  # suffixes that act as prepositions: "'da" -> in
    locative: bool = False  # Russian "в мае": the month's stem + "е"


_CUES: Final = {
    "ru": _Cues(
        preps={"в": "in", "во": "in", "с": "since", "со": "since", "после": "after",
               "до": "before", "по": "until", "к": "by"},
        year_tail=r"(?:\s*(?:года|году|год|г\.?)(?!\w))?",
        locative=True,
    ),
    "tr": _Cues(
        preps={},
        tails=((r"['’](?:dan|den|tan|ten)\s+beri|\s+(?:yılından|ayından)\s+beri", "since"),
               (r"['’](?:dan|den|tan|ten)\s+önce|\s+(?:yılından|ayından)\s+önce", "before"),
               (r"['’](?:da|de|ta|te|nda|nde)|\s+(?:yılında|ayında)", "in")),
    ),
    "ar": _Cues(
        preps={"في": "in", "فى": "in", "خلال": "in", "منذ": "since", "قبل": "before",
               "بعد": "after", "حتى": "until"},
        year_word=r"(?:(?:عام|العام|سنة)\s+)?",
    ),
    "fr": _Cues(
        preps={"en": "in", "au mois de": "in", "courant": "in", "le": "on", "depuis": "since",
               "depuis le": "since", "avant": "before", "avant le": "before", "après": "after",
               "après le": "after", "jusqu'en": "until", "jusqu'au": "until"},
        day=r"(?:1er|3[01]|[12]\d|0?[1-9])(?![\d:])",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class WrittenDate:
    """A date expression in the text, where it sits, and the same expression in English."""

    text: str
    start: int
    end: int
    english: str
    full: date | None = None  # set when day, month and year are all written


@dataclass(frozen=True)
class _Vocabulary:
    months: dict[str, int]  # every written form, lower-cased -> 1..12
    abbreviations: frozenset[str]
    dates: re.Pattern[str]
    years: re.Pattern[str]
    numeric: re.Pattern[str]
    relative: re.Pattern[str]
    relative_english: dict[str, str]
    ago: tuple[tuple[re.Pattern[str], str], ...]


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "depuis le" wins over "depuis"; never-matching when empty."""
    unique = sorted({w.lower() for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in unique) or "(?!)"


def _month_forms(info: dict[str, list[str]], cues: _Cues) -> tuple[dict[str, int], set[str]]:
    """Written forms of the months from dateparser's data, and which are abbreviations."""
    months: dict[str, int] = {}
    short: set[str] = set()
    for number, key in enumerate(_MONTH_KEYS, 1):
        forms = {form.lower().rstrip(".") for form in info[key] if len(form) >= 3}
        longest = max(map(len, forms))
        for form in forms:
            months[form] = number
            prefix = any(other != form and other.startswith(form) for other in forms)
            if len(form) < longest and (prefix or len(form) < 4):
                short.add(form)
        if cues.locative:
            months |= {f[:-1] + "е": number for f in forms if f[-1] in "ьйяа" and f not in short}
    return months, short


@functools.cache
def _vocabulary(language: str) -> _Vocabulary:
    # dateparser's data modules import dateparser itself (~0.15 s): only on a non-English path.
    module = importlib.import_module(f"dateparser.data.date_translation_data.{language}")
    info: dict[str, dict[str, list[str]] | list[str]] = module.info
    cues = _CUES[language]
    months, short = _month_forms(info, cues)  # type: ignore[arg-type]
    preps = _alternation(cues.preps)
    tails = "|".join(tail for tail, _ in cues.tails)
    tail = rf"(?P<tail>{tails})?" if tails else ""
    dates = re.compile(
        rf"(?<!\w)(?:(?P<prep>{preps})\s+)?(?:(?P<day>{cues.day})(?:\s+|-))?"
        rf"(?P<month>{_alternation(months)})\.?(?!\w)"
        rf"(?:,?\s+(?P<year>{_YEAR}){cues.year_tail})?{tail}",
        re.I,
    )
    with_prep = rf"(?:(?P<prep>{preps})\s+{cues.year_word}(?P<year>{_YEAR}){cues.year_tail})"
    suffixed = rf"|(?P<tyear>{_YEAR})(?P<ttail>{tails})" if tails else ""  # "2019'da"
    years = re.compile(rf"(?<!\w)(?:{with_prep}{suffixed})", re.I)
    relative = info.get("relative-type", {})
    assert isinstance(relative, dict)
    phrases = {
        phrase.lower(): _RELATIVE_ENGLISH[key]
        for key, written in relative.items()
        if key in _RELATIVE_ENGLISH
        for phrase in written
    }
    ago: list[tuple[re.Pattern[str], str]] = []
    regexes = info.get("relative-type-regex", {})
    assert isinstance(regexes, dict)
    for key, written in regexes.items():
        unit = key.removeprefix("\\1 ").removesuffix(" ago")
        if key.endswith(" ago") and unit in _AGO_UNITS:
            for pattern in written:
                number = pattern.replace(r"(\d++[.,]?\d*+)", r"(?P<n>\d{1,4})")
                ago.append((re.compile(rf"(?<!\w){number}(?!\w)", re.I), unit))
    return _Vocabulary(
        months=months,
        abbreviations=frozenset(short),
        dates=dates,
        years=years,
        numeric=re.compile(
            r"(?<![\d.])(?:(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)"
            r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d))(?!\d|\.\d)"
        ),
        relative=re.compile(
            rf"(?<!\w)(?:(?P<prep>{preps})\s+)?(?P<phrase>{_alternation(phrases)})(?!\w)", re.I
        )
        if phrases
        else re.compile(r"(?!)"),
        relative_english=phrases,
        ago=tuple(ago),
    )


def _english_prep(cues: _Cues, m: re.Match[str], *, day: bool) -> str | None:
    """The English preposition the expression's own words or suffixes amount to."""
    prep = None
    if m["prep"]:
        prep = cues.preps[" ".join(m["prep"].lower().split())]
    for name in ("tail", "ttail"):
        text = m.groupdict().get(name)
        if text:
            prep = next(p for t, p in cues.tails if re.fullmatch(t, text, re.I))
    if day and prep == "in":
        prep = "on"  # "в 20 мая", "في 20 مايو": on that day
    if not day and prep == "on":
        prep = None  # "le mai": no cue
    return prep


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _found(m: re.Match[str], english: str, full: date | None = None) -> WrittenDate:
    return WrittenDate(m[0], m.start(), m.end(), english, full)


def _named(m: re.Match[str], vocab: _Vocabulary, cues: _Cues) -> WrittenDate | None:
    word = m["month"].lower()
    month, day = vocab.months[word], m["day"]
    year = int(m["year"]) if m["year"] else None
    if day is None and word in vocab.abbreviations:
        return None
    prep = _english_prep(cues, m, day=day is not None)
    if day is None and year is None and prep is None:
        return None  # a month alone needs a cue, as "in May" does
    name = MONTH_NAMES[month - 1]
    if day is None:
        return _found(m, f"{prep or 'in'} {name}{f' {year}' if year else ''}")
    number = int(re.sub(r"\D", "", day))
    point = f"{number} {name}{f' {year}' if year else ''}"
    full = _safe(year, month, number) if year else None
    if year and full is None:
        return None  # 31 апреля
    return _found(m, f"{prep} {point}" if prep else point, full)


def _named_dates(plain: str, vocab: _Vocabulary, cues: _Cues) -> Iterator[WrittenDate]:
    for m in vocab.dates.finditer(plain):
        if hit := _named(m, vocab, cues):
            yield hit
    for m in vocab.years.finditer(plain):
        prep = _english_prep(cues, m, day=False)
        if prep is not None:
            yield _found(m, f"{prep} {m['year'] or m['tyear']}")


def _numeric_dates(plain: str, vocab: _Vocabulary) -> Iterator[WrittenDate]:
    """20.02.2017 (day first, as in all four languages) and 2017-02-20."""
    for m in vocab.numeric.finditer(plain):
        if m["iso"]:
            full = _safe(int(m["iso"][:4]), int(m["iso"][5:7]), int(m["iso"][8:]))
        else:
            full = _safe(int(m["y"]), int(m["m"]), int(m["d"]))
        if full is not None:
            yield _found(m, f"{full.day} {MONTH_NAMES[full.month - 1]} {full.year}", full)


def _relative_dates(plain: str, vocab: _Vocabulary, cues: _Cues) -> Iterator[WrittenDate]:
    for m in vocab.relative.finditer(plain):
        prep = _english_prep(cues, m, day=False)
        english = vocab.relative_english[m["phrase"].lower()]
        yield _found(m, f"{prep} {english}" if prep and prep != "in" else english)
    for pattern, unit in vocab.ago:
        for m in pattern.finditer(plain):
            yield _found(m, f"{int(m['n'])} {unit}s ago")


def find_dates(text: str, language: str) -> list[WrittenDate]:
    """Every date expression in `text` written in `language` (one of LANGUAGES), in order.

    Overlapping expressions keep the longest; a language without data here finds nothing.
    """
    if language not in _CUES:
        return []
    vocab, cues = _vocabulary(language), _CUES[language]
    plain = text.translate(_DIGITS)
    found = [*_named_dates(plain, vocab, cues), *_numeric_dates(plain, vocab)]
    found += _relative_dates(plain, vocab, cues)
    kept: list[WrittenDate] = []
    for hit in sorted(found, key=lambda h: (h.start, h.start - h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return [WrittenDate(text[h.start : h.end], h.start, h.end, h.english, h.full) for h in kept]


def first_full_date(text: str, language: str) -> date | None:
    """The first date written with day, month and year ("30 марта 2016 года"), if any."""
    return next((hit.full for hit in find_dates(text, language) if hit.full), None)

"""Numbers as news writes them: digits with separators and scales, and numbers spelled out.

"1,000" = "1000", "5.5", ordinals ("20th"), spelled numbers ("five", "twenty-one", "two
hundred"), scale words and suffixes ("5.5 million", "$5bn", "5m" - read as 5 or 5 million).
"""

from __future__ import annotations

import re

_UNITS = {
    w: i
    for i, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen""".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2
    )
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "hundred", *_SCALES])
_SPELLED = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:\s+and\s+|\s+|-)(?:{_NUMBER_WORD}))*\b", re.IGNORECASE
)
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b|(?P<suffix>[A-Za-z]*)\b)",
    re.IGNORECASE,
)
_SUFFIX_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
# "one" is more often a pronoun than a count: "one of the", "no one", "the one".
_ONE_BEFORE = re.compile(r"\b(?:no|the|any|every|each|this|that|which)\s+$", re.IGNORECASE)
_ONE_AFTER = re.compile(r"^\s+(?:of|another)\b", re.IGNORECASE)


def number_values(text: str, *, lenient: bool) -> list[tuple[str, tuple[float, ...]]]:
    """Numbers in the text with the values each may stand for.

    `lenient` (the passage side) adds every reading, so "5 million" there also offers 5; the
    sentence side keeps a scaled number strict, so "5 million" is not backed by a bare 5.
    """
    found: list[tuple[str, tuple[float, ...]]] = []
    for m in _DIGITS.finditer(text):
        base = float(m.group("int").replace(",", "") + (m.group("frac") or ""))
        scale = m.group("scale")
        suffix = (m.group("suffix") or "").lower()
        if scale:
            scaled = base * _SCALES[scale.lower()]
            values = (scaled, base) if lenient else (scaled,)
        elif suffix in _SUFFIX_SCALES:
            # "5m" may be metres; other suffixes ("bn", "k") only ever mean a scale.
            scaled = base * _SUFFIX_SCALES[suffix]
            values = (scaled, base) if lenient or suffix == "m" else (scaled,)
        else:
            values = (base,)
        found.append((m.group().strip(), values))
    for m in _SPELLED.finditer(text):
        words = m.group().lower()
        if words == "zero" or (
            not lenient
            and words == "one"
            and (_ONE_BEFORE.search(text[: m.start()]) or _ONE_AFTER.match(text[m.end() :]))
        ):
            continue
        if words in _SCALES and re.search(r"\d\s*$", text[: m.start()]):
            continue  # "5 million": the scale word was read with its digits
        found.extend((group, (spelled_value(group),)) for group in _split_on_and(words))
    return found


def _split_on_and(words: str) -> list[str]:
    """ "two hundred and five" is one number, "five and six" two."""
    groups: list[str] = []
    for part in re.split(r"\s+and\s+", words):
        if groups and groups[-1].rsplit(" ", 1)[-1] in {"hundred", *_SCALES}:
            groups[-1] += " and " + part
        else:
            groups.append(part)
    return groups


def spelled_value(words: str) -> float:
    """ "two hundred and five" -> 205.0."""
    total, current = 0.0, 0.0
    for word in re.split(r"\s+and\s+|\s+|-", words):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1.0) * 100
        elif word in _SCALES:
            total += max(current, 1.0) * _SCALES[word]
            current = 0.0
    return total + current

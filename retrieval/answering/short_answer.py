"""The short answer a reply leads with: a date for "when", a number, a name, a place.

Rules over the chosen sentence, no model: a "when" question gets the sentence's date resolved
against the article's publication date ("on Monday" -> "20 May 2019"), "how many" the number
nearest the question's terms, "who" the name nearest them that the question does not already
contain, "where" the place after in/at. When nothing fits, there is no short answer and the
quote speaks for itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from retrieval.answering.article_dates import resolve_dates
from retrieval.text.calendar import MONTH_NAMES, MONTH_PREFIXES, WEEKDAY_NAMES, format_day
from retrieval.text.morphology import CAPITALS, text_language
from retrieval.text.sentences import STOPWORDS, stem, words

_NUMBER = re.compile(
    r"(?<![\w.])(?:US)?[$£€#]?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|million|billion|"
    r"thousand|trillion|bn|m)\b)?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|twenty|thirty|forty|fifty|hundred|dozens?|hundreds|thousands)\b(?:\s(?:million|"
    r"billion|thousand|hundred))?",
    re.I,
)
# A run of capitalised words, in any alphabet with capitals ("Игорь Смирнов" too).
_CAP_WORD = rf"(?:[{CAPITALS}](?:[^\W\d_]|['’.-])+|[{CAPITALS}]{{2,}})"
_NAME = re.compile(rf"\b{_CAP_WORD}(?:\s+(?:of|de|van|von|al|bin|the|and|&)?\s*{_CAP_WORD})*")
_MONTH = "(?:" + "|".join(MONTH_PREFIXES) + ")[a-z]*"
_WRITTEN_DATE = re.compile(
    rf"\b(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH})\b",
    re.I,
)
_PLACE = re.compile(
    rf"\b(?:in|at|near|from|outside|в|во|на|из|под|около)\s+"
    rf"((?:the\s+)?[{CAPITALS}][\w'’.-]+(?:\s+[{CAPITALS}][\w'’.-]+)*)"
)
_NOT_NAMES = frozenset(
    {m.lower() for m in MONTH_NAMES}
    | {d.lower() for d in WEEKDAY_NAMES}
    | set("the a an on in at it he she they this that but and we i yesterday today".split())
    | STOPWORDS
)
_OPENING = " \"'“‘«(["


_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b", re.I)
_CLOCK = re.compile(r"\s?(?:a\.?m\.?|p\.?m\.?|[:.]\d\d\b|o'clock|GMT|UTC)", re.I)
_ROLES = frozenset(
    """
    substitute captain striker defender goalkeeper midfielder coach manager president vice
    prime minister secretary chancellor premier senator governor mayor judge justice chief
    executive ceo chairman chairwoman spokesman spokeswoman spokesperson leader director
    general commander officer sergeant detective inspector professor dr mr mrs ms sir lord lady
    king queen prince princess pope bishop father former acting deputy defense defence foreign
    interior finance health union party opposition rapper singer actor actress author
    """.split()
)
# What a "why" question is answered by: the clause a causal marker introduces. Strong markers
# state a cause; weak ones ("after", "amid") only place it next to the event.
_CAUSE_STRONG = re.compile(
    r"\b(?:because(?: of)?|due to|owing to|as a result of|caused by|blamed (?:\w+ )?on|"
    r"attributed (?:\w+ )?to|in protest (?:at|against|over)|in response to|in order to|"
    r"the reasons? (?:for|was|were|is|given)|(?:was|were|is|are) the result of|so that|"
    r"citing|cited)\s+(?P<cause>[^.;:!?]+)",
    re.I,
)
_CAUSE_WEAK = re.compile(
    r"\b(?:after|following|amid|over concerns? (?:about|over|that))\s+(?P<cause>[^.;:!?]+)",
    re.I,
)
# A length of time: "three years", "45 minutes", "a decade", "six-month".
DURATION = re.compile(
    r"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|hundred|several|few|half an?|a half|"
    r"a couple of)[\s-]+(?:and a half\s+)?(?:seconds?|minutes?|hours?|days?|nights?|weeks?|"
    r"months?|years?|decades?|centur(?:y|ies))\b",
    re.I,
)
# "$20 million a day" is a rate, not how long something lasted.
_RATE = re.compile(r"(?:\d|million|billion|thousand|hundred|percent|%)\s*$", re.I)
_WHICH = re.compile(r"\bwhich\s+([A-Za-z-]+)", re.I)
CAUSE_WORDS = 12  # a cause is given as at most this many words
# A statement attributed to someone: a verb of saying, or a quotation.
SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|stated|states|announced|announces|added|claimed|claims|"
    r"warned|warns|argued|argues|insisted|wrote|writes|commented|explained|described|called|"
    r"urged|denied|confirmed|according to|in a statement|quoted)\b|[\"“”]",
    re.I,
)
_SPEAKER = re.compile(
    r"\bwhat (?:did|does|do|has|have|had|was|is) (?P<who>.+?) (?:say|said|tell|told|claim|"
    r"claimed|announce|announced|state|stated|comment|write|wrote|argue|warn|warned|reply|"
    r"respond)\b|\bhow did (?P<who2>.+?) (?:respond|react|reply)\b|"
    r"\bwhat was (?P<who3>.+?)['’]s? (?:response|reaction|comment)",
    re.I,
)
_PRONOUN_SPEAKER = re.compile(r"\b(?:he|she|they|it) (?:said|says|told|added|wrote|warned)\b", re.I)

_FOCUS = re.compile(r"\bhow (?:many|much)\s+((?:[\w-]+\s+){0,2}?[\w-]+)", re.I)


def focus_of(question: str) -> str | None:
    """The thing a "how many" question counts: "how many jobs" -> "jobs"."""
    match = _FOCUS.search(question)
    if not match:
        return None
    words_after = [
        w
        for w in match.group(1).split()
        if w.lower()
        not in ("of", "the", "did", "does", "do", "were", "was", "had", "have", "has", "are", "is")
    ]
    return words_after[0].lower() if words_after else None


def _counts_focus(after: str, focus: str | None) -> bool:
    """Is the number followed, within three words, by the counted thing?"""
    if not focus:
        return False
    return any(stem(w) == stem(focus) for w in words(after)[:4])


@dataclass(frozen=True)
class TypedAnswer:
    """The short answer a sentence gives (None: none of the asked-for type) and how well it
    fits: 0 none, 0.5 some, 1 exactly (a count of the thing asked about)."""

    text: str | None
    fit: float


def typed_answer(
    kind: str, sentence: str, question: str, terms: tuple[str, ...], published: date | None
) -> TypedAnswer:
    """The short answer `sentence` gives to `question`, and how well it fits the asked-for type."""
    if kind in ("said", "why"):
        return _typed_statement(kind, sentence, question)
    found = short_answer(kind, sentence, question, terms, published)
    if found is None:
        return TypedAnswer(None, 0.0)
    if kind == "how_many":
        focus = focus_of(question)
        index = sentence.find(found)
        counted = index >= 0 and _counts_focus(sentence[index + len(found) :], focus)
        return TypedAnswer(found, 1.0 if counted else 0.5)
    return TypedAnswer(found, 1.0)


def _typed_statement(kind: str, sentence: str, question: str) -> TypedAnswer:
    """ "why": the cause the sentence gives (1: a stated cause, 0.5: only "after", "amid");
    "said": no short answer (the quote speaks), fit 1 when the sentence attributes a
    statement to the question's speaker, 0.5 to "he"/"she"."""
    if kind == "said":
        return TypedAnswer(None, attribution(sentence, question))
    match = _CAUSE_STRONG.search(sentence)
    if match:
        cause = " ".join(match.group("cause").split()[:CAUSE_WORDS]).strip(' ,"”’')
        return TypedAnswer(cause or None, 1.0)
    return TypedAnswer(None, 0.5 if _CAUSE_WEAK.search(sentence) else 0.0)


def speaker_of(question: str) -> str | None:
    """Who a "what did X say" question asks about, as written ("the mayor", "Obama")."""
    match = _SPEAKER.search(question)
    if not match:
        return None
    return next(g for g in (match["who"], match["who2"], match["who3"]) if g)


def attribution(sentence: str, question: str) -> float:
    """Does `sentence` report what the question's speaker said? 1: a verb of saying (or a
    quotation) and the speaker's own words ("Smith", "the mayor"); 0.5: "he said"; else 0."""
    if not SPEECH.search(sentence):
        return 0.0
    speaker = speaker_of(question)
    wanted = {stem(w) for w in words(speaker or "") if w.lower() not in STOPWORDS}
    if wanted and wanted & {stem(w) for w in words(sentence)}:
        return 1.0
    return 0.5 if _PRONOUN_SPEAKER.search(sentence) else 0.0


# Thousands set apart by a space, as Russian, French and Turkish write them ("1 200 человек",
# "3 500 €"); read so only in a sentence of another script or with a non-breaking space, so an
# English "in 2019 200 people" stays two numbers.
_GROUPED = re.compile(r"(?<![\d,.])\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?![\d])")
_GROUPED_NBSP = re.compile(r"(?<![\d,.])\d{1,3}(?:[\u00a0\u202f]\d{3})+(?![\d])")


def _numbers(sentence: str) -> list[re.Match[str]]:
    """The numbers of a sentence, a number written with spaced thousands as one."""
    grouped = _GROUPED if text_language(sentence) != "en" else _GROUPED_NBSP
    whole = list(grouped.finditer(sentence))
    rest = [
        m
        for m in _NUMBER.finditer(sentence)
        if not any(g.start() <= m.start() < g.end() for g in whole)
    ]
    return sorted([*whole, *rest], key=lambda m: m.start())


def _nearest(spans: list[tuple[int, int, str]], sentence: str, terms: set[str]) -> str | None:
    """The candidate span closest (in characters) to any of the question's terms."""
    if not spans:
        return None
    anchors = [
        m.start() for m in re.finditer(r"[\w'’-]+", sentence) if stem(m.group(0).lower()) in terms
    ]
    if not anchors:
        return spans[0][2]
    return min(spans, key=lambda s: min(abs(s[0] - a) for a in anchors))[2]


def short_answer(  # noqa: PLR0911, PLR0912 - one branch per answer type reads best
    kind: str, sentence: str, question: str, terms: tuple[str, ...], published: date | None
) -> str | None:
    """The short answer to `question` found in `sentence`, or None."""
    asked = {stem(w) for w in words(question)}
    term_set = set(terms)
    if kind == "when":
        language = text_language(sentence)
        found = resolve_dates(sentence, published, language)
        if language != "en":  # the date as the article writes it ("15 декабря 2017 года")
            dated = [r for r in found if r.day or r.month or r.year]
            return dated[0].text if dated else None
        for resolved in found:
            if resolved.day:
                return format_day(resolved.day)
        for resolved in found:
            if resolved.month:
                year, month = resolved.month
                return f"{MONTH_NAMES[month - 1]} {year}"
            if resolved.year:
                return str(resolved.year)
        written = _WRITTEN_DATE.search(sentence)  # undated article: the date as written
        return written.group(0) if written else None
    if kind == "how_many":
        # A day of the month ("20 May", "May 20th") or an ordinal is never a count.
        dates = [d.span() for d in _WRITTEN_DATE.finditer(sentence)]
        spans = [
            (m.start(), m.end(), m.group(0).strip())
            for m in _numbers(sentence)
            if stem(m.group(0).lower().strip()) not in asked
            and not _is_year(m.group(0))
            and not _CLOCK.match(sentence[m.end() :])
            and not _ORDINAL.match(sentence[m.end() :])
            and not any(a <= m.start() < b for a, b in dates)
        ]
        counted = [s for s in spans if _counts_focus(sentence[s[1] :], focus_of(question))]
        return _nearest(counted or spans, sentence, term_set)
    if kind == "how_long":
        spans = [
            (m.start(), m.end(), m.group(0))
            for m in DURATION.finditer(sentence)
            if not {stem(w) for w in words(m.group(0))} <= asked
            and not _RATE.search(sentence[: m.start()])
        ]
        return _nearest(spans, sentence, term_set)
    if kind in ("who", "which"):
        spans = []
        for m in _NAME.finditer(sentence):
            text = m.group(0).strip()
            tokens = [t.lower().strip("'’.") for t in text.split()]
            if all(t in _NOT_NAMES or stem(t) in asked for t in tokens):
                continue
            while len(tokens) > 1 and tokens[0] in _ROLES:
                # "Substitute Jonah Okonkwo", "Prime Minister X": the role is not the name.
                text = text.split(None, 1)[1]
                tokens = tokens[1:]
            if text.endswith(".") and not re.search(r"(\b[A-Z]|Jr|Sr|Inc|Co|Ltd|Corp)\.$", text):
                text = text[:-1]  # the sentence's full stop, not an abbreviation's
            if len(tokens) == 1 and not sentence[: m.start()].strip(_OPENING):
                continue  # a capitalised sentence opening ('"Our results ...'), not a name
            spans.append((m.start(), m.end(), text))
        focus = _WHICH.search(question) if kind == "which" else None
        if focus:
            # "Which union ...?": a name that says it is one ("the Dockworkers' Union") first.
            wanted = stem(focus.group(1).lower())
            named = [sp for sp in spans if wanted in {stem(w.lower()) for w in words(sp[2])}]
            spans = named or spans
        return _nearest(spans, sentence, term_set)
    if kind == "where":
        spans = [
            (m.start(1), m.end(1), m.group(1))
            for m in _PLACE.finditer(sentence)
            if not all(stem(t.lower()) in asked for t in m.group(1).split())
            and m.group(1).split()[-1].lower() not in _NOT_NAMES
        ]
        return _nearest(spans, sentence, term_set)
    return None


def _is_year(text: str) -> bool:
    digits = text.strip()
    return digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100

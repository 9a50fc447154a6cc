"""What a question asks: its answer type, key terms (stemmed, weighted by rarity), the names it
depends on, and whether it asks for an outcome or a timeline. Pure functions of the question text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from retrieval.text.calendar import MONTH_NAMES, WEEKDAY_NAMES
from retrieval.text.morphology import CAPITALS
from retrieval.text.sentences import STOPWORDS, content_words, stem

QuestionType = Literal[
    "when", "who", "how_many", "how_long", "where", "why", "which", "said", "yesno", "what"
]

# Words that say how to ask, not what about: they must not count as evidence.
_META = frozenset(
    """
    article articles report reports reported story stories news archive describe described
    mention mentioned happen happened according detail details specific specifically kind type
    please know anything something exactly give list name tell develop developed unfold
    unfolded evolve evolved timeline chronology progress steps events main key trace play
    """.split()
)

# Time words become a date window, not a name to find.
_TIME_WORDS = frozenset(
    {name.lower() for name in (*MONTH_NAMES, *WEEKDAY_NAMES)}
    | set("today yesterday tomorrow spring summer autumn fall winter christmas easter".split())
)

_QUESTIONISH = frozenset(
    "what which who whom whose when where why how did does do is are was were".split()
)

# A capitalised word: a name, unless it opens the question or is a stop word.
NAME_WORD = re.compile(rf"\b[{CAPITALS}][\w'’.-]*[^\W\d_]\b")

# Product, flight and model designations: letters and digits together, or digits joined by a
# hyphen ("A380", "747-8", "COVID-19"); not years or decades ("2019", "1990s").
_IDENTIFIER = re.compile(r"(?=[\w-]*\d)(?![\d]+s?$)[A-Za-z\d]+(?:-[A-Za-z\d]+)*")

# A bare number that follows a name as part of it ("iPhone 5"); years are dates, not serials.
_SERIAL = re.compile(r"\d{1,3}")

# A question about the result of a contest or a decision, asked in the past tense.
_OUTCOME = re.compile(
    r"\b(won|beat|defeated|(re-?)?elected|chose|chosen|picked|selected|convicted|acquitted|"
    r"sentenced|awarded)\b|\bdid\b.*\b(win|beat|defeat|elect|choose|pick|select|convict|"
    r"sentence|award|receive)\b",
    re.I,
)

# "What did X say about Y?", "How did X respond?": a statement attributed to someone.
_SAID = re.compile(
    r"\bwhat (?:did|does|do|has|have|had|was|is) .+? (?:say|said|tell|told|claim|claimed|"
    r"announce|announced|state|stated|comment|write|wrote|argue|warn|warned|reply|respond)\b|"
    r"\bhow did .+? (?:respond|react|reply)\b|\bwhat was .+?['’]s? (?:response|reaction|comment)"
)

# A question that opens with an auxiliary verb asks yes or no ("Did the Senate pass it?").
_YES_NO = re.compile(
    r"\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should|may|might)"
    r"(?:n['’]t)?\b"
)

_YES_NO_RU = re.compile(r"\s*\w+\s+ли\b")

_TIMELINE = re.compile(
    r"\b(timeline|chronolog\w*|how did .+ (develop|unfold|evolve|play out|progress)|"
    r"(main|key) (steps|events|developments)|what happened (after|since|between)|trace)\b",
    re.I,
)


def is_timeline(question: str) -> bool:
    """Does the question ask how something developed over time?"""
    return bool(_TIMELINE.search(question))


def topic_of(question: str) -> str:
    """What a question is about, in its own words, without the how-to-ask and time words
    ("How did the port strike unfold in May?" -> "port strike"): a timeline's chart topic."""
    kept = [
        w
        for w in content_words(question)
        if w.lower() not in _META | _TIME_WORDS and any(c.isalpha() for c in w)
    ]
    return " ".join(kept)


@dataclass(frozen=True)
class QuestionProfile:
    """What a question asks about: its type, key terms (stemmed) and the names it depends on.

    `weights` maps each term to its importance (rarity in the archive; names count double);
    `surface` keeps a word as written for each term, to look it up in the keyword index.
    """

    kind: QuestionType
    terms: tuple[str, ...]
    names: tuple[str, ...]
    surface: Mapping[str, str] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    outcome: bool = False  # asks who won, who was elected, what sentence was given

    @property
    def name_stems(self) -> frozenset[str]:
        """The terms that are (single-word) names: spelling variants are matched as names."""
        return frozenset(stem(n) for n in self.names if " " not in n)

    def weight(self, term: str) -> float:
        base = self.weights.get(term, 1.0)
        if any(ch.isdigit() for ch in term) or any(stem(n) == term for n in self.names):
            return base * 2.0
        return base


# The answer type a question expects, from its wording: the first pattern that matches wins.
_KINDS: tuple[tuple[QuestionType, re.Pattern[str]], ...] = (
    (
        "how_long",
        re.compile(r"\bhow long\b|\bfor how (many|much) (years|months|weeks|days|hours)\b"),
    ),
    (
        "how_many",
        re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount|proportion)\b"),
    ),
    ("when", re.compile(r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\bwhich (date|day|year)\b")),
    ("who", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (person|company|organi[sz]ation)\b")),
    (
        "where",
        re.compile(
            r"\bwhere\b|\bwhich (city|country|town|place|region)\b|\bin what (city|country)"
        ),
    ),
    ("why", re.compile(r"\bwhy\b|\bwhat (caused|led to|prompted|triggered)\b|\bfor what reason\b")),
    ("said", _SAID),
    ("which", re.compile(r"\bwhich\s+[a-z]")),  # "which team": a name the question does not hold
    # The same types asked in Russian (after every English pattern: English wins as before);
    # not "which", "where" and "why" ("в каком музее", "на какой улице", "почему"): their
    # answers are read in English only (a capitalised name after "in", "because" ...), and
    # a type whose answer cannot be read would refuse every such question.
    (
        "how_long",
        re.compile(r"\bкак долго\b|\bсколько (лет|месяцев|недель|дней|часов|времени)\b"),
    ),
    ("how_many", re.compile(r"\bсколько\b|\bкак(ой|ова|ое|ую) (процент|доля|количество|сумм)")),
    (
        "when",
        re.compile(r"\bкогда\b|\bв как(ом|ой|ие|ую) (году|месяце|день|дату)|\bкакого числа\b"),
    ),
    ("who", re.compile(r"\b(кто|кого|кому|кем|чей|чья|чьё|чье|чьи)\b")),
    ("said", re.compile(r"\bчто (сказал|заявил|ответил|написал|сообщил)")),
)
_WH_WORD = re.compile(r"\b(what|which|who|whom|where|when|why|how)\b")
# The words that frame a "how long" question ask nothing of the article: "How long did the
# strike last?" is about the strike, and "last" would meet "the last of the ships".
_HOW_LONG_FRAME = re.compile(
    r"\bhow long\b|\s(?:last|lasted|take|took|run|ran|go on|went on)(?=\W*$)", re.I
)


def question_kind(question: str) -> QuestionType:
    """The answer type a question expects, from its wording."""
    q = question.lower()
    if _YES_NO_RU.match(q):
        return "yesno"  # "Был ли ...?": the particle after the first word asks yes or no
    if _YES_NO.match(q) and not _WH_WORD.match(q.split(None, 2)[1] if len(q.split()) > 1 else ""):
        # An opening auxiliary asks yes or no, whatever clause follows ("Were they swamped
        # when pre-orders opened?"); "Is who ...?" is not English.
        return "yesno"
    for kind, pattern in _KINDS:
        if pattern.search(q):
            return kind
    return "what"


def profile(
    question: str, idf: Callable[[Sequence[str]], Mapping[str, float]] | None = None
) -> QuestionProfile:
    """Key terms and names of a question; `idf` (word -> rarity) weights the terms."""
    surface: dict[str, str] = {}
    kind = question_kind(question)
    asked = _HOW_LONG_FRAME.sub(" ", question) if kind == "how_long" else question
    for word in content_words(asked):
        if word not in _META and len(word) > 1:
            surface.setdefault(stem(word), word)
    names = []
    tokens = question.split()
    for index, token in enumerate(tokens):
        cleaned = re.sub(r"['’]s$", "", token.strip("?!.,;:\"'()“”‘’«»؟")).strip("'’")
        if _IDENTIFIER.fullmatch(cleaned):
            names.append(cleaned.lower())  # a model or code ("747-8", "A380", "COVID-19")
            continue
        if "-" in cleaned and not cleaned[:1].isdigit():
            # "Scientology-owned": the name is the capitalised part; "Notre-Dame" stays whole.
            cleaned = "-".join(p for p in cleaned.split("-") if p[:1].isupper())
        lowered = cleaned.lower()
        following = tokens[index + 1].strip("?!.,;:\"'()“”‘’«»؟") if index + 1 < len(tokens) else ""
        if cleaned[:1].isalpha() and cleaned != lowered and _SERIAL.fullmatch(following):
            names.append(f"{lowered} {following}")  # "iPhone 5", "Apollo 11": one name
        if not NAME_WORD.fullmatch(cleaned) or lowered in STOPWORDS or lowered in _META:
            continue
        if lowered in _TIME_WORDS:
            continue  # time words become a date window, not a name to find
        if index == 0 or lowered in _QUESTIONISH:
            continue
        names.append(lowered)
    weights: dict[str, float] = {}
    if idf is not None and surface:
        rarity = idf(list(surface.values()))
        weights = {term: rarity.get(word, 1.0) for term, word in surface.items()}
    return QuestionProfile(
        kind=kind,
        terms=tuple(surface),
        names=tuple(dict.fromkeys(names)),
        surface=surface,
        weights=weights,
        outcome=bool(_OUTCOME.search(question)) and not re.search(r"\bwill\b", question, re.I),
    )

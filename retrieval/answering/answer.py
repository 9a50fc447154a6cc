"""Extractive answers: pick the sentences that answer, cite them, or say the archive lacks it.

Sentences of the top passages are scored by meaning (cosine to the question), by the share of
the question's key terms they hold (weighted by how rare each term is in the archive, so
"jazz festival" counts for more than "Meridian City"), read together with their article's
title, and by whether they hold the kind of thing asked for (a date for "when", a number for
"how many"). The answer abstains when the rare terms of the question are missing from the
best article or a name the question depends on is absent: quoting something loosely related
is worse than saying the archive does not say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from config.settings import AnswerSettings
from retrieval.results import Answer, Citation, Passage
from retrieval.text.sentences import STOPWORDS, content_words, split_sentences, stem, words

QuestionType = Literal["when", "who", "how_many", "where", "why", "what"]

# Words that say how to ask, not what about: they must not count as evidence.
_META = frozenset(
    """
    article articles report reports reported story stories news archive describe described
    mention mentioned happen happened according detail details specific specifically kind type
    please know anything something exactly give list name tell develop developed unfold
    unfolded evolve evolved timeline chronology progress steps events main key trace play
    """.split()
)
_TIME_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    spring summer autumn fall winter christmas easter
    """.split()
)
_QUESTIONISH = frozenset(
    "what which who whom whose when where why how did does do is are was were".split()
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DATE_WORDS = re.compile(
    rf"\b(({_MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?({_MONTHS})|"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|today|tonight|"
    rf"last (week|month|year|night)|(in|since|until|by) ({_MONTHS}|\d{{4}})|\b(19|20)\d{{2}}\b)",
    re.I,
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozen|dozens|hundred|hundreds|thousand|thousands|million|millions|billion)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[A-Za-z]\b")
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
# Words of a preview or a hypothetical: the sentence was written before the result it would
# have to report, or does not state a fact ("the winner could face ...").
_PROSPECTIVE = re.compile(
    r"\b(will|would|shall|can|could|should|might|must|whoever|tomorrow|upcoming|(is|are|was|were) (expected|scheduled|set|"
    r"slated|due|poised|going) to|to be (held|decided|announced|chosen|elected))\b|['’]ll\b",
    re.I,
)
# Words that report a result: a sentence without one does not say who won or what was decided.
_RESULT = re.compile(
    r"(?<!to )\bwin\b|\b(won|wins|winn(er|ers|ing)|victor(y|ies|ious)|beat|beats|beaten|defeat(ed|s)?|"
    r"(re-?)?elected|chosen|chose|picked|selected|voted|sentenced|jailed|convicted|acquitted|"
    r"awarded|clinched|secured|claimed|received|got|lost|loses|champions?|title)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")

Embed = Callable[[list[str]], list[list[float]]]
_FAR_FUTURE = date(9999, 12, 31)
_TYPED = {"when": "a date", "who": "a name", "how_many": "a number"}
_TIMELINE = re.compile(
    r"\b(timeline|chronolog\w*|how did .+ (develop|unfold|evolve|play out|progress)|"
    r"(main|key) (steps|events|developments)|what happened (after|since|between)|trace)\b",
    re.I,
)


def is_timeline(question: str) -> bool:
    """Does the question ask how something developed over time?"""
    return bool(_TIMELINE.search(question))


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

    def weight(self, term: str) -> float:
        base = self.weights.get(term, 1.0)
        if any(ch.isdigit() for ch in term) or any(stem(n) == term for n in self.names):
            return base * 2.0
        return base


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence, where it came from and how well it answers."""

    text: str
    passage_index: int
    semantic: float
    lexical: float
    score: float
    own: float = 0.0  # coverage by the sentence's own words, without its title


@dataclass(frozen=True)
class Evidence:
    """The chosen sentences and why the answer is (or is not) trusted."""

    chosen: tuple[ScoredSentence, ...]
    confident: bool
    reason: str


def question_kind(question: str) -> QuestionType:
    """The answer type a question expects, from its wording."""
    q = question.lower()
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount|proportion)\b", q):
        return "how_many"
    if re.search(r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\bwhich (date|day|year)\b", q):
        return "when"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (person|company|organi[sz]ation)\b", q):
        return "who"
    if re.search(
        r"\bwhere\b|\bwhich (city|country|town|place|region)\b|\bin what (city|country)", q
    ):
        return "where"
    if re.search(r"\bwhy\b|\bwhat (caused|led to)\b", q):
        return "why"
    return "what"


def profile(
    question: str, idf: Callable[[Sequence[str]], Mapping[str, float]] | None = None
) -> QuestionProfile:
    """Key terms and names of a question; `idf` (word -> rarity) weights the terms."""
    surface: dict[str, str] = {}
    for word in content_words(question):
        if word not in _META and len(word) > 1:
            surface.setdefault(stem(word), word)
    names = []
    tokens = question.split()
    for index, token in enumerate(tokens):
        cleaned = re.sub(r"['’]s$", "", token.strip("?!.,;:\"'()“”‘’")).strip("'’")
        if _IDENTIFIER.fullmatch(cleaned):
            names.append(cleaned.lower())  # a model or code ("747-8", "A380", "COVID-19")
            continue
        if "-" in cleaned and not cleaned[:1].isdigit():
            # "Scientology-owned": the name is the capitalised part; "Notre-Dame" stays whole.
            cleaned = "-".join(p for p in cleaned.split("-") if p[:1].isupper())
        lowered = cleaned.lower()
        following = tokens[index + 1].strip("?!.,;:\"'()“”‘’") if index + 1 < len(tokens) else ""
        if cleaned[:1].isalpha() and cleaned != lowered and _SERIAL.fullmatch(following):
            names.append(f"{lowered} {following}")  # "iPhone 5", "Apollo 11": one name
        if not _NAME.fullmatch(cleaned) or lowered in STOPWORDS or lowered in _META:
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
        kind=question_kind(question),
        terms=tuple(surface),
        names=tuple(dict.fromkeys(names)),
        surface=surface,
        weights=weights,
        outcome=bool(_OUTCOME.search(question)) and not re.search(r"\bwill\b", question, re.I),
    )


def _stems(text: str) -> set[str]:
    """Stems of `text`'s words; a hyphenated word also gives its parts ("Notre-Dame")."""
    present: set[str] = set()
    for word in words(text):
        present.add(stem(word))
        if "-" in word:
            present.update(stem(part) for part in word.split("-") if part)
    return present


def _holds(prof: QuestionProfile, term: str, present: set[str]) -> bool:
    """Is the question's `term` among `present`? "Notre-Dame" is found as "Notre Dame"."""
    if term in present:
        return True
    written = prof.surface.get(term, term)
    parts = [stem(part) for part in written.split("-") if part]
    return len(parts) > 1 and all(part in present for part in parts)


def lexical_coverage(prof: QuestionProfile, text: str) -> float:
    """Weighted share of the question's key terms found in `text` (light stemming)."""
    if not prof.terms:
        return 0.0
    present = _stems(text)
    total = sum(prof.weight(t) for t in prof.terms)
    found = sum(prof.weight(t) for t in prof.terms if _holds(prof, t, present))
    return found / total if total else 0.0


def missing_names(prof: QuestionProfile, text: str) -> list[str]:
    """Names the question depends on that the evidence never mentions."""
    present = _stems(text)
    flat = " ".join(text.lower().split())
    return [n for n in prof.names if not _mentions(n, flat, present)]


def _mentions(name: str, flat: str, present: set[str]) -> bool:
    """Is `name` in the (lower-cased, single-spaced) text? "Notre-Dame" is found as "Notre
    Dame"; "Boeing 787" as itself, "Boeing's 787" or, once introduced, "the 787"."""
    if stem(name) in present or name in flat:
        return True
    if "-" in name and not any(ch.isdigit() for ch in name):
        return name.replace("-", " ") in flat
    head, _, serial = name.rpartition(" ")
    if head and serial.isdigit():
        return bool(re.search(rf"\b({re.escape(head)}['’]s|the) {serial}\b", flat))
    return False


def _type_bonus(kind: QuestionType, sentence: str, prof: QuestionProfile) -> float:
    if kind == "when" and DATE_WORDS.search(sentence):
        return 0.08
    if kind == "how_many" and _NUMBER.search(sentence):
        return 0.08
    if kind == "who":
        names = {m.group(0).lower() for m in _NAME.finditer(sentence)}
        if names - set(prof.names):
            return 0.04
    if kind == "where" and re.search(r"\b(in|at|near|from) [A-Z]", sentence):
        return 0.04
    if kind == "why" and re.search(
        r"\b(because|after|due to|since|as a result|following)\b", sentence, re.I
    ):
        return 0.04
    return 0.0


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


def score_sentences(
    prof: QuestionProfile,
    question: str,
    passages: Sequence[Passage],
    embed: Embed,
    max_candidates: int = 8,
) -> list[ScoredSentence]:
    """The strongest sentences of the passages, best answer first.

    `embed` reads the question and the candidates in one batch, so their vectors come from
    the same model whatever reader the settings choose.

    A sentence is read with its article's title: "He scored in the 112th minute" answers a
    question about the cup final when the title says it is the cup final.
    """
    seen: set[str] = set()
    candidates: list[tuple[str, int, float]] = []
    for index, passage in enumerate(passages):
        for sentence in split_sentences(passage.text):
            key = " ".join(sentence.lower().split())
            if key in seen or len(sentence.split()) < 4:
                continue
            seen.add(key)
            lexical = lexical_coverage(prof, f"{passage.title}. {sentence}")
            candidates.append((sentence, index, lexical))
    if len(candidates) > max_candidates:
        # Embedding is the costly part on a CPU: only the lexically strongest sentences (with
        # a head start for the best-ranked passages) are read for meaning.
        candidates.sort(key=lambda c: (-(c[2] + 0.15 / (1 + c[1])), c[1]))
        candidates = _with_room_for_answers(prof, candidates, max_candidates)
    if not candidates:
        return []
    query_vector, *vectors = embed([question, *(c[0] for c in candidates)])
    scored = []
    for (sentence, index, lexical), vector in zip(candidates, vectors, strict=True):
        semantic = _cosine(query_vector, vector)
        score = 0.55 * semantic + 0.45 * lexical + _type_bonus(prof.kind, sentence, prof)
        score -= 0.01 * index  # passage rank as a tie-breaker
        own = lexical_coverage(prof, sentence)
        scored.append(ScoredSentence(sentence, index, semantic, lexical, score, own))
    scored.sort(key=lambda s: -s.score)
    return scored


def _with_room_for_answers(
    prof: QuestionProfile, ranked: list[tuple[str, int, float]], limit: int
) -> list[tuple[str, int, float]]:
    """The first `limit` candidates, keeping room for a few that hold what the question asks.

    A "when" question is answered by a sentence with a date, "who won?" by one that reports a
    result; when the lexically strongest sentences hold none (long questions match many words
    of the wrong sentences), the best such ones take the last places.
    """
    chosen = ranked[:limit]
    if prof.outcome:
        wanted = [c for c in ranked if _reports_result(prof, c[0])]
    elif prof.kind in _TYPED:
        wanted = [c for c in ranked if _type_bonus(prof.kind, c[0], prof) > 0]
    else:
        return chosen
    missing = [c for c in wanted[: max(1, limit // 3)] if c not in chosen]
    if not missing:
        return chosen
    unwanted_tail = [c for c in chosen if c not in wanted][::-1][: len(missing)]
    return [c for c in chosen if c not in unwanted_tail] + missing


def _reports_result(prof: QuestionProfile, sentence: str) -> bool:
    """Does the sentence report a result, of the contest the question names?

    Contests recur (elections, cups, awards): a result from another year than the one asked
    about is another contest's.
    """
    if not _RESULT.search(sentence) or _PROSPECTIVE.search(sentence):
        return False
    asked = {t for t in prof.terms if _YEAR.fullmatch(t)}
    given = set(_YEAR.findall(sentence))
    return not (asked and given and not asked & given)


def choose(
    prof: QuestionProfile,
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    article_text: Callable[[Passage], str],
    fits_kind: Callable[[ScoredSentence], float] | None = None,
) -> Evidence:
    """Pick up to `max_sentences` sentences, or decide the evidence is too weak.

    A question that asks for a kind of thing (a date, a number, a name) is answered only by a
    sentence that holds one: the best such sentence leads, and when none of the strong
    candidates has one the archive does not answer it.
    """
    if not scored:
        return Evidence((), False, "nothing in the archive matched the question")
    if prof.outcome:
        # "Who won?" is answered by a sentence that reports a result, and not by "whoever wins
        # on Sunday will ...": a preview written before the result is evidence of the contest,
        # not of its outcome.
        scored = [c for c in scored if _reports_result(prof, c.text)]
        if not scored:
            return Evidence((), False, "the closest passages do not report the outcome")
    if prof.kind in _TYPED and fits_kind is not None:
        bar = max(settings.min_support, scored[0].score * settings.typed_support)
        fits = {id(c): fits_kind(c) for c in scored if c.score >= bar}
        typed = [c for c in scored if fits.get(id(c), 0.0) > 0]
        if not typed:
            return Evidence((), False, f"the closest passages do not give {_TYPED[prof.kind]}")
        # The lead must hold the answer and say so itself: of the typed sentences, the one
        # whose own words (not just its article's title) carry the question's terms.
        lead = max(typed, key=lambda c: c.score + 0.2 * fits[id(c)] + 0.3 * c.own)
        scored = [lead, *[c for c in scored if c is not lead]]
    best = scored[0]
    passage = passages[best.passage_index]
    context = f"{passage.title}\n{article_text(passage)}"
    absent = missing_names(prof, context)
    if absent:
        return Evidence((), False, f"the closest article does not mention {', '.join(absent)}")
    coverage = lexical_coverage(prof, context)
    if best.score < settings.min_support or coverage < settings.min_coverage:
        return Evidence((), False, "the closest passages do not answer the question")
    chosen = [best]
    floor = max(settings.min_support, best.score * settings.relative_support)
    # Prefer other articles for the extra sentences: several outlets beat several chunks of one.
    rest = sorted(
        scored[1:],
        key=lambda c: -(c.score - (0.03 if c.passage_index == best.passage_index else 0.0)),
    )
    for candidate in rest:
        if len(chosen) >= settings.max_sentences or candidate.score < floor:
            break
        if any(_overlap(candidate.text, c.text) > 0.6 for c in chosen):
            continue
        chosen.append(candidate)
    return Evidence(tuple(chosen), True, "supported")


def combine(
    answers: Sequence[tuple[Evidence, str | None]], max_sentences: int
) -> tuple[Evidence, str | None]:
    """One reply for a compound question: the lead sentence of each answered part first, then
    their other sentences while there is room; short answers joined with "; "."""
    answered = [(e, short) for e, short in answers if e.confident]
    if not answered:
        return answers[0][0], None
    chosen: list[ScoredSentence] = []
    for evidence, _ in answered:
        if evidence.chosen[0].text not in {c.text for c in chosen}:
            chosen.append(evidence.chosen[0])
    for evidence, _ in answered:
        for extra in evidence.chosen[1:]:
            if len(chosen) >= max(max_sentences, len(answered)):
                break
            if extra.text not in {c.text for c in chosen}:
                chosen.append(extra)
    shorts = [short for _, short in answered if short]
    return Evidence(tuple(chosen), True, "supported"), "; ".join(shorts) or None


def choose_timeline(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    steps: int = 6,
) -> Evidence:
    """The best sentence of each of several dated articles, oldest first: one line per step."""
    if not scored or scored[0].score < settings.min_support:
        return Evidence((), False, "the closest passages do not tell this story")
    floor = max(settings.min_support * 0.9, scored[0].score * 0.75)
    per_article: dict[str, ScoredSentence] = {}
    for candidate in scored:
        article = passages[candidate.passage_index].article_id
        if candidate.score >= floor and article not in per_article:
            per_article[article] = candidate
    chosen = sorted(
        list(per_article.values())[:steps],
        key=lambda c: (passages[c.passage_index].published or _FAR_FUTURE, c.passage_index),
    )
    return Evidence(tuple(chosen), True, "timeline")


def _overlap(a: str, b: str) -> float:
    wa, wb = set(content_words(a)), set(content_words(b))
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def compose(
    question: str,
    evidence: Evidence,
    passages: Sequence[Passage],
    *,
    short: str | None = None,
    notes: Sequence[str] = (),
    timeline: bool = False,
) -> Answer:
    """The reply text with `[n]` markers and its citations, or an abstention."""
    if not evidence.confident:
        text = "The archive doesn't say: " + evidence.reason + "."
        return Answer(question, text, (), tuple(passages), True, notes=tuple(notes))
    quotes: dict[int, list[str]] = {}
    numbers: dict[str, int] = {}
    parts: list[str] = []
    for sentence in evidence.chosen:
        passage = passages[sentence.passage_index]
        n = numbers.setdefault(passage.chunk_id, len(numbers) + 1)
        quotes.setdefault(n, []).append(sentence.text)
        parts.append(f"{sentence.text} [{n}]")
    by_number = {
        n: passages[s.passage_index]
        for s in evidence.chosen
        for n in [numbers[passages[s.passage_index].chunk_id]]
    }
    citations = [
        Citation(n=n, passage=by_number[n], quote=" … ".join(quotes[n])) for n in sorted(quotes)
    ]
    if timeline:
        lines = []
        for sentence, part in zip(evidence.chosen, parts, strict=True):
            day = passages[sentence.passage_index].published
            lines.append(f"{day.isoformat() if day else 'undated'}: {part}")
        body = "\n".join(lines)
    else:
        body = " ".join(parts)
    text = f"{short}\n{body}" if short else body
    return Answer(
        question, text, tuple(citations), tuple(passages), False, short=short, notes=tuple(notes)
    )

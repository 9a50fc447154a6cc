"""Candidate sentences scored against a question: meaning, key terms, and the asked-for type.

Sentences of the top passages are scored by meaning (cosine to the question), by the share of
the question's key terms they hold (weighted by how rare each term is in the archive, so
"jazz festival" counts for more than "Meridian City"), read together with their article's
title, and by whether they hold the kind of thing asked for (a date for "when", a number for
"how many").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.answering.article_dates import mentions_date
from retrieval.answering.short_answer import DURATION, SPEECH, typed_answer
from retrieval.archive.models import above_chance
from retrieval.question.profile import NAME_WORD, QuestionProfile, QuestionType
from retrieval.results import Passage
from retrieval.text.sentences import candidate_sentences, stem, words
from retrieval.text.variants import variant_in
from retrieval.text.vectors import Read, cosine

# How a candidate's score is made (fitted by hand on the dev set, see docs/evaluation.md):
SEMANTIC_WEIGHT = 0.55  # cosine to the question; the rest is weighted key-term coverage
TYPE_BONUS = 0.08  # holds a date for "when", a number for "how many"
WEAK_TYPE_BONUS = 0.04  # a new name for "who", a place for "where", a cause for "why"
RANK_TIE_BREAK = 0.01  # per passage rank
RANK_HEAD_START = 0.15  # when choosing which sentences to embed, for the best-ranked passages
# The answer types whose reply must hold a thing of that type, and what to call it.
TYPED_KINDS = {
    "when": "a date",
    "who": "a name",
    "which": "a name",
    "how_many": "a number",
    "how_long": "a length of time",
    "why": "a cause",
    "said": "what was said",
}

_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozen|dozens|hundred|hundreds|thousand|thousands|million|millions|billion)\b",
    re.I,
)

# Words of a preview or a hypothetical: the sentence was written before the result it would
# have to report, or does not state a fact ("the winner could face ...").
PROSPECTIVE = re.compile(
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


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence, where it came from and how well it answers."""

    text: str
    passage_index: int
    semantic: float
    lexical: float
    score: float
    own: float = 0.0  # coverage by the sentence's own words, without its title


def _stems(text: str) -> set[str]:
    """Stems of `text`'s words; a hyphenated word also gives its parts ("Notre-Dame")."""
    present: set[str] = set()
    for word in words(text):
        present.add(stem(word))
        if "-" in word:
            present.update(stem(part) for part in word.split("-") if part)
    return present


def _holds(prof: QuestionProfile, term: str, present: set[str], text: str) -> bool:
    """Is the question's `term` in the text (its stems `present`)? "Notre-Dame" is found as
    "Notre Dame", "organisation" as "organization" (`variants`)."""
    if term in present:
        return True
    written = prof.surface.get(term, term)
    parts = [stem(part) for part in written.split("-") if part]
    if len(parts) > 1 and all(part in present for part in parts):
        return True
    is_name = term in prof.name_stems
    return variant_in(written, _words(text), name=is_name) is not None


def lexical_coverage(prof: QuestionProfile, text: str) -> float:
    """Weighted share of the question's key terms found in `text` (light stemming, spelling
    variants)."""
    if not prof.terms:
        return 0.0
    present = _stems(text)
    total = sum(prof.weight(t) for t in prof.terms)
    found = sum(prof.weight(t) for t in prof.terms if _holds(prof, t, present, text))
    return found / total if total else 0.0


def missing_terms(prof: QuestionProfile, text: str) -> list[str]:
    """The question's key terms that `text` does not hold (in any spelling)."""
    present = _stems(text)
    return [t for t in prof.terms if not _holds(prof, t, present, text)]


def missing_names(prof: QuestionProfile, text: str) -> list[str]:
    """Names the question depends on that the evidence never mentions (in any spelling)."""
    present = _stems(text)
    flat = " ".join(text.lower().split())
    return [n for n in prof.names if not _mentions(n, flat, present, text)]


def _mentions(name: str, flat: str, present: set[str], text: str) -> bool:
    """Is `name` in the (lower-cased, single-spaced) text? "Notre-Dame" is found as "Notre
    Dame"; "Boeing 787" as itself, "Boeing's 787" or, once introduced, "the 787"; "Qaddafi"
    as "Gaddafi" (`variants`)."""
    if stem(name) in present or name in flat:
        return True
    if "-" in name and not any(ch.isdigit() for ch in name):
        return name.replace("-", " ") in flat
    head, _, serial = name.rpartition(" ")
    if head and serial.isdigit():
        return bool(re.search(rf"\b({re.escape(head)}['’]s|the) {serial}\b", flat))
    return " " not in name and variant_in(name, _words(text), name=True) is not None


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """The distinct words of `text`, for spelling-variant lookups (a text is looked at often)."""
    return frozenset(w.lower() for w in words(text))


def _type_bonus(  # noqa: PLR0911 - one branch per answer type reads best
    kind: QuestionType, sentence: str, prof: QuestionProfile
) -> float:
    if kind == "when" and mentions_date(sentence):
        return TYPE_BONUS
    if kind == "how_many" and _NUMBER.search(sentence):
        return TYPE_BONUS
    if kind == "how_long" and DURATION.search(sentence):
        return TYPE_BONUS
    if kind == "said" and SPEECH.search(sentence):
        return WEAK_TYPE_BONUS
    if kind in ("who", "which"):
        names = {m.group(0).lower() for m in NAME_WORD.finditer(sentence)}
        if names - set(prof.names):
            return WEAK_TYPE_BONUS
    if kind == "where" and re.search(r"\b(in|at|near|from) [A-Z]", sentence):
        return WEAK_TYPE_BONUS
    if kind == "why" and typed_answer("why", sentence, "", (), None).fit > 0:
        return WEAK_TYPE_BONUS
    return 0.0


def score_sentences(
    prof: QuestionProfile,
    question: str,
    passages: Sequence[Passage],
    read: Read,
    max_candidates: int = 8,
    spread: bool = False,
    chance: float = 0.0,
) -> list[ScoredSentence]:
    """The strongest sentences of the passages, best answer first.

    `chance` is the cosine the model gives unrelated texts (`models.chance_cosine`): the
    meaning part of a score is read above it, so the thresholds hold for any model.

    With `spread` (a timeline, "the latest on X": answers from several articles), the
    strongest sentence of each article is read before the second of any.

    `read` embeds the question and the candidates together, so their vectors come from the
    same model whatever reader the settings choose (and each in its role, for e5).

    A sentence is read with its article's title: "He scored in the 112th minute" answers a
    question about the cup final when the title says it is the cup final.
    """
    seen: set[str] = set()
    candidates: list[tuple[str, int, float]] = []
    for index, passage in enumerate(passages):
        for sentence in candidate_sentences(passage.text):
            key = " ".join(sentence.lower().split())
            if key in seen:
                continue
            seen.add(key)
            lexical = lexical_coverage(prof, f"{passage.title}. {sentence}")
            candidates.append((sentence, index, lexical))
    if len(candidates) > max_candidates:
        # Embedding is the costly part on a CPU: only the lexically strongest sentences (with
        # a head start for the best-ranked passages) are read for meaning.
        candidates.sort(key=lambda c: (-(c[2] + RANK_HEAD_START / (1 + c[1])), c[1]))
        if spread:
            candidates = _one_per_article_first(candidates, passages)
        candidates = _with_room_for_answers(prof, candidates, max_candidates)
    if not candidates:
        return []
    query_vector, vectors = read(question, [c[0] for c in candidates])
    scored = []
    for (sentence, index, lexical), vector in zip(candidates, vectors, strict=True):
        semantic = above_chance(cosine(query_vector, vector), chance)
        score = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical
        score += _type_bonus(prof.kind, sentence, prof)
        score -= RANK_TIE_BREAK * index
        own = lexical_coverage(prof, sentence)
        scored.append(ScoredSentence(sentence, index, semantic, lexical, score, own))
    scored.sort(key=lambda s: -s.score)
    return scored


def _one_per_article_first(
    ranked: list[tuple[str, int, float]], passages: Sequence[Passage]
) -> list[tuple[str, int, float]]:
    """`ranked` with the best candidate of each article moved ahead of the others, in order."""
    firsts: list[tuple[str, int, float]] = []
    rest: list[tuple[str, int, float]] = []
    articles: set[str] = set()
    for candidate in ranked:
        article = passages[candidate[1]].article_id
        (rest if article in articles else firsts).append(candidate)
        articles.add(article)
    return firsts + rest


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
        wanted = [c for c in ranked if reports_result(prof, c[0])]
    elif prof.kind in TYPED_KINDS:
        wanted = [c for c in ranked if _type_bonus(prof.kind, c[0], prof) > 0]
    else:
        return chosen
    missing = [c for c in wanted[: max(1, limit // 3)] if c not in chosen]
    if not missing:
        return chosen
    unwanted_tail = list(reversed([c for c in chosen if c not in wanted]))[: len(missing)]
    return [c for c in chosen if c not in unwanted_tail] + missing


def reports_result(prof: QuestionProfile, sentence: str) -> bool:
    """Does the sentence report a result, of the contest the question names?

    Contests recur (elections, cups, awards): a result from another year than the one asked
    about is another contest's.
    """
    if not _RESULT.search(sentence) or PROSPECTIVE.search(sentence):
        return False
    asked = {t for t in prof.terms if _YEAR.fullmatch(t)}
    given = set(_YEAR.findall(sentence))
    return not (asked and given and not asked & given)

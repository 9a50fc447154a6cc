"""Yes or no: whether the chosen sentence states what a yes/no question asks, or its negation.

A yes/no question ("Did the Senate pass the bill?") is answered only when the lead sentence
(read with its article's title) holds every name, number and year of the question and nearly
all of its other key terms: then a negated sentence ("the Senate did not pass ...") answers
"No" and a plain one "Yes". A sentence that only plans or expects the event ("will vote",
"is expected to") answers neither, nor does one that leaves out part of the question: saying
"the archive doesn't say" is better than a guess.
"""

from __future__ import annotations

import re
from typing import Literal

from retrieval.answering.scoring import PROSPECTIVE, missing_terms
from retrieval.question.profile import QuestionProfile
from retrieval.text.sentences import stem, words

Verdict = Literal["Yes", "No"]

# A key term of the question may be missing from the evidence if it weighs at most this share.
MAX_MISSING_SHARE = 0.15
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|neither|nor|none|failed to|refused to|declined to|denied|"
    r"rejected|without)\b|n['’]t\b",
    re.I,
)
# "On his first attempt" is not answered by his second: ordinals must be there as numbers are.
_ORDINALS = frozenset(
    stem(w) for w in "first second third fourth fifth sixth seventh eighth ninth tenth last".split()
)
PROSPECT_WORDS = 4  # "is expected to vote": a plan is said just before the verb
_PAST_QUESTION = re.compile(r"\s*(?:did|was|were|had|has|have)\b", re.I)


def verdict(prof: QuestionProfile, question: str, sentence: str, title: str) -> Verdict | None:
    """ "Yes", "No", or None when `sentence` (from an article titled `title`) does not settle it."""
    missing = missing_terms(prof, f"{title}. {sentence}")
    if any(_must_hold(prof, term) for term in missing):
        return None
    total = sum(prof.weight(t) for t in prof.terms) or 1.0
    if sum(prof.weight(t) for t in missing) / total > MAX_MISSING_SHARE:
        return None
    if _PAST_QUESTION.match(question) and PROSPECTIVE.search(
        _before_verb(prof, question, sentence)
    ):
        return None  # a plan or an expectation, not the event asked about
    if not _same_roles(prof, question, sentence):
        return None
    negated = bool(_NEGATION.search(sentence)) != bool(_NEGATION.search(question))
    return "No" if negated else "Yes"


def _must_hold(prof: QuestionProfile, term: str) -> bool:
    """Names, numbers and years: a yes/no question about another one is another question."""
    names = prof.name_stems | {stem(n) for n in prof.names}
    return term in names or any(ch.isdigit() for ch in term) or term in _ORDINALS


def _verb(prof: QuestionProfile, question: str) -> tuple[int, str] | None:
    """The question's verb: its first key term (after the auxiliary) that is not a name."""
    names = prof.name_stems | {stem(n) for n in prof.names}
    asked = [stem(w.lower()) for w in words(question)]
    for index, term in enumerate(asked):
        if index > 0 and term in prof.terms and term not in names:
            return index, term
    return None


def _before_verb(prof: QuestionProfile, question: str, sentence: str) -> str:
    """The few words before the question's verb in `sentence` ("will vote", "is expected to
    win"), or the whole sentence when it does not use the verb."""
    found = _verb(prof, question)
    told = words(sentence)
    stems = [stem(w.lower()) for w in told]
    if found is None or found[1] not in stems:
        return sentence
    at = stems.index(found[1])
    return " ".join(told[max(0, at - PROSPECT_WORDS) : at + 1])


def _same_roles(prof: QuestionProfile, question: str, sentence: str) -> bool:
    """Does the question's subject stand before its verb in the sentence too?

    "Did Alder Falls win the cup?" is not answered by "the Mariners won the cup, beating Alder
    Falls": the name the question puts before "win" comes only after it there. Only the
    subject is held to its side: the other names of a sentence move freely ("In the wake of
    Pohiva's death, the Assembly was suspended"). The verb is the question's first key term
    that is not a name; a sentence without it settles nothing about the roles.
    """
    found = _verb(prof, question)
    if found is None:
        return True
    names = prof.name_stems | {stem(n) for n in prof.names}
    asked = [stem(w.lower()) for w in words(question)]
    verb_at, verb = found
    told = [stem(w.lower()) for w in words(sentence)]
    if verb not in told:
        return True
    at = told.index(verb)
    for index, term in enumerate(asked):
        if term not in names or term not in told:
            continue
        before = index < verb_at
        positions = [i for i, t in enumerate(told) if t == term]
        if before and all(i > at for i in positions):
            return False
    return True

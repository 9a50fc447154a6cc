"""Whether a reply gives the right answer: SQuAD-style normalisation, token F1, choices.

Answers are compared SQuAD-style (`normalize_answer`), with two changes for news text: all
Unicode punctuation is removed (not only ASCII), and dashes and slashes become spaces, so
"fire—Monday" is two words. Citation markers `[n]` are removed from replies first, so a
marker never counts as the number "1".
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from retrieval.citations import strip_citation_markers

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(s: str) -> str:
    """SQuAD normalisation (lowercase; no punctuation, a/an/the; single spaces), Unicode-aware."""
    chars: list[str] = []
    for ch in unicodedata.normalize("NFKC", s).lower():
        category = unicodedata.category(ch)
        if category == "Pd" or ch == "/":
            chars.append(" ")
        elif category.startswith("P") or ch in string.punctuation:
            continue
        else:
            chars.append(ch)
    return " ".join(_ARTICLES.sub(" ", "".join(chars)).split())


def token_f1(prediction: str, truth: str) -> float:
    """SQuAD token F1 of the normalised texts; two empty texts agree fully."""
    pred = normalize_answer(prediction).split()
    gold = normalize_answer(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def answer_correct(reply: str, answers: Iterable[str]) -> bool:
    """Any accepted answer appears in the reply as whole normalised words."""
    text = f" {normalize_answer(strip_citation_markers(reply))} "
    return any((norm := normalize_answer(answer)) and f" {norm} " in text for answer in answers)


POLAR = frozenset({"yes", "no"})


def polar_answer(answers: Iterable[str]) -> str | None:
    """ "yes" or "no" when that is what a question's accepted answers are, else None."""
    normal = {normalize_answer(a) for a in answers}
    return normal.pop() if len(normal) == 1 and normal <= POLAR else None


def polar_correct(reply: str, expected: str) -> bool:
    """A yes/no answer is given by the reply's first word: a "no" inside a quoted sentence
    ("no jobs will be cut") does not answer "Did they cut jobs?"."""
    first = normalize_answer(strip_citation_markers(reply)).split()[:1]
    return first == [expected]


def best_f1(reply: str, answers: Iterable[str]) -> float:
    """Token F1 against the closest accepted answer; 0 when there are none."""
    text = strip_citation_markers(reply)
    return max((token_f1(text, answer) for answer in answers), default=0.0)


def choice_correct(reply: str, choices: Sequence[str], answers: Iterable[str]) -> bool:
    """The reply names a right choice and no other.

    A choice is named when its normalised words occur in the reply. Overlapping mentions are
    resolved longest first (then leftmost), so "Boeing 737" in the reply names that choice and
    not also "Boeing"; "Boeing" elsewhere in the reply still names "Boeing".
    """
    words = normalize_answer(strip_citation_markers(reply)).split()
    mentions: list[tuple[int, int, str]] = []  # (start, end, normalised choice)
    for choice in {normalize_answer(c) for c in choices}:
        target = choice.split()
        if not target:
            continue
        mentions.extend(
            (i, i + len(target), choice)
            for i in range(len(words) - len(target) + 1)
            if words[i : i + len(target)] == target
        )
    taken: list[tuple[int, int]] = []
    named: set[str] = set()
    for start, end, choice in sorted(mentions, key=lambda m: (m[0] - m[1], m[0])):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        named.add(choice)
    right = {normalize_answer(c) for c in choices} & {normalize_answer(a) for a in answers}
    return bool(named) and named <= right

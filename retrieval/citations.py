"""Does a cited passage support the sentence that cites it? A cheap, explainable check.

# size: ~320 lines, the checks (numbers, dates, names, overlap, negation) read as one verdict

Used twice: by `eval` to score citation support, and at answer time to drop or flag LLM
citations that the passage does not back. It must be fast (no model unless one is given) and
say *why* it rejected a sentence, so the verdict carries its parts and a reason.

What it catches:
- a changed or invented number ("7 people" when the passage says 5): every number in the
  sentence must be in the passage. "1,000" = "1000", "5.5", ordinals ("20th"), spelled
  numbers ("five", "twenty-one", "two hundred"), scale words and suffixes ("5.5 million",
  "$5bn", "5m" - read as 5 or 5 million, either may match).
- a changed date: "20 May 2019", "May 20", "20th of May", "2019-05-20" match when day and
  month agree; a year only has to agree when both sides give one.
- a changed or invented name: capitalised words (not sentence-initial common words) must occur
  in the passage, case-insensitively, allowing a possessive or plural "s".
- an unrelated sentence: too few of its content words (lightly stemmed) are in the passage, or,
  with an embedder, it is far from every passage sentence.
- a flipped negation, cheaply: "did not"/"no"/"never"... present in the sentence but not in the
  passage sentence it matches best, or the other way round, scales the score down.
- a verbatim copy of a passage sentence is always supported.

What it cannot do:
- meaning changed with the same words ("A beat B" from "B beat A"; "rose" vs "fell" when both
  appear), hedges dropped ("may have" -> "did"), or entailment direction (a passage saying
  "at least 5 died" supports "5 died" here; a sentence generalising a specific claim passes).
- facts resolved outside the passage: "in 2019" when the passage says "last year", "Britain"
  for "British", "the US" for "the United States" are reported missing (false alarms).
- negation phrased without cue words ("failed to", "denied"), and negation elsewhere in the
  best-matching passage sentence (false alarms).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from retrieval.results import Citation
from retrieval.text.calendar import MONTH_NUMBERS
from retrieval.text.numbers import number_values
from retrieval.text.sentences import STOPWORDS, content_words, split_sentences, stem
from retrieval.text.vectors import Embed

# How much the embedder's cosine counts against content-word overlap when both are known.
SEMANTIC_WEIGHT = 0.5
# A flipped negation multiplies the score by this: low enough that a sentence copying every
# word of a negated passage sentence (lexical 1.0) still falls below the default threshold.
NEGATION_FACTOR = 0.4

_MARKER = re.compile(r"\s*\[\s*\d+(?:\s*[,;\-\u2013]\s*\d+)*\s*\]")
_MARKER_NUMBERS = re.compile(r"\d+(?:\s*[\-\u2013]\s*\d+)?")
_WORD = re.compile(r"[^\W_](?:[\w'\u2019.\-]*[^\W_])?")
_SPACE = re.compile(r"\s+")

# Capitalised words that are not names: sentence openers, pronouns, titles, "May".
_NOT_NAMES = STOPWORDS | {"however", "meanwhile", "yes", "yesterday", "today", "tomorrow"}
_NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor without cannot nowhere".split()
)

_MONTH_RE = "|".join(sorted((m.capitalize() for m in MONTH_NUMBERS), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?P<d1>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m1>{_MONTH_RE})\b\.?(?:,?\s+(?P<y1>\d{{4}})\b)?"
    rf"|\b(?P<m2>{_MONTH_RE})\b\.?\s+(?P<d2>\d{{1,2}}){_ORD}(?!\d)\b(?:,?\s+(?P<y2>\d{{4}})\b)?"
    rf"|\b(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})\b"
)


_LEADING_MARKERS = re.compile(r"(?:\[\s*\d+(?:\s*[,;\-\u2013]\s*\d+)*\s*\]\s*)+")


@dataclass(frozen=True)
class SupportVerdict:
    """Whether a passage backs a sentence, with the evidence that decided it."""

    supported: bool
    score: float
    lexical: float
    semantic: float | None
    missing_numbers: tuple[str, ...]
    missing_names: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence of an answer with its `[n]` markers and the verdict of each cited passage.

    `supported` needs every cited number to exist (`unknown` empty) and at least one cited
    passage to support the sentence: answers often cite two passages for two halves of a fact.
    """

    sentence: str
    cited: tuple[int, ...]
    unknown: tuple[int, ...]
    verdicts: tuple[SupportVerdict, ...]
    supported: bool


class SupportChecker:
    """Checks sentence/passage pairs; holds the optional embedder and the threshold."""

    def __init__(self, embed: Embed | None = None, threshold: float = 0.5) -> None:
        self.embed = embed
        self.threshold = threshold

    def check(self, sentence: str, passage: str) -> SupportVerdict:
        """Judge one sentence against one passage; see the module docstring for the rules."""
        claim = strip_citation_markers(sentence)
        if not claim:
            return SupportVerdict(False, 0.0, 0.0, None, (), (), "nothing to check")
        if not passage.strip():
            return SupportVerdict(False, 0.0, 0.0, None, (), (), "empty passage")
        passage_sentences = split_cited(passage) or [passage]
        if _verbatim_key(claim) in {_verbatim_key(s) for s in passage_sentences}:
            same = 1.0 if self.embed is not None else None
            return SupportVerdict(True, 1.0, 1.0, same, (), (), "verbatim passage sentence")

        dates, rest = _extract_dates(claim)
        passage_dates, _ = _extract_dates(passage)
        missing_numbers = [
            text for text, d, m, y in dates if not _date_found(d, m, y, passage_dates)
        ]
        passage_values = [v for _, values in number_values(passage, lenient=True) for v in values]
        missing_numbers += [
            text
            for text, values in number_values(rest, lenient=False)
            if not any(math.isclose(v, p) for v in values for p in passage_values)
        ]
        missing_names = _missing_names(rest, passage)

        claim_stems = _content_stems(claim)
        lexical = (
            len(claim_stems & _content_stems(passage)) / len(claim_stems) if claim_stems else 0.0
        )
        # The passage sentence the claim rests on, for the negation check: most shared content
        # words, and with an embedder the best blend of that overlap and cosine.
        overlaps = [
            len(claim_stems & _content_stems(s)) / len(claim_stems) if claim_stems else 0.0
            for s in passage_sentences
        ]
        semantic: float | None = None
        if self.embed is None:
            score = lexical
            best = int(np.argmax(overlaps))
        else:
            cosines = np.clip(_cosines(self.embed, claim, passage_sentences), 0.0, 1.0)
            semantic = float(cosines.max())
            score = (1 - SEMANTIC_WEIGHT) * lexical + SEMANTIC_WEIGHT * semantic
            blended = (1 - SEMANTIC_WEIGHT) * np.asarray(overlaps) + SEMANTIC_WEIGHT * cosines
            best = int(np.argmax(blended))
        notes: list[str] = []
        if _negated(claim) != _negated(passage_sentences[best]):
            score *= NEGATION_FACTOR
            notes.append("negation differs from the passage")
        if missing_numbers:
            notes.append("numbers not in the passage: " + ", ".join(missing_numbers))
        if missing_names:
            notes.append("names not in the passage: " + ", ".join(missing_names))
        supported = not missing_numbers and not missing_names and score >= self.threshold
        if score < self.threshold:
            notes.append(f"score {score:.2f} below threshold {self.threshold:.2f}")
        reason = "; ".join(notes) if notes else f"score {score:.2f}"
        return SupportVerdict(
            supported=supported,
            score=score,
            lexical=lexical,
            semantic=semantic,
            missing_numbers=tuple(missing_numbers),
            missing_names=tuple(missing_names),
            reason=("supported: " if supported else "") + reason,
        )


def check_citations(
    text: str, citations: Sequence[Citation], checker: SupportChecker
) -> tuple[SentenceCheck, ...]:
    """Check each sentence of an answer that carries `[n]` markers; others are not claims."""
    by_number = {c.n: c for c in citations}
    checks: list[SentenceCheck] = []
    sentences = [s for line in text.splitlines() for s in split_cited(line)]
    for sentence in sentences:
        cited = citation_numbers(sentence)
        if not cited:
            continue
        unknown = tuple(n for n in cited if n not in by_number)
        claim = sentence
        dated = _DATE_PREFIX.match(sentence)
        if dated and any(
            str(by_number[n].passage.published) == dated.group(1) for n in cited if n in by_number
        ):
            # A timeline line's "2019-05-20:" is the cited article's own date, not a claim
            # about its text.
            claim = sentence[dated.end() :]
        verdicts = tuple(
            checker.check(claim, by_number[n].passage.text) for n in cited if n in by_number
        )
        supported = not unknown and any(v.supported for v in verdicts)
        checks.append(SentenceCheck(sentence, cited, unknown, verdicts, supported))
    return tuple(checks)


_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2}):\s+")


def strip_citation_markers(text: str) -> str:
    """Remove `[1]`, `[2, 3]`, `[1-3]` markers so they are not read as numbers or words."""
    return _SPACE.sub(" ", _MARKER.sub("", text)).strip()


def citation_numbers(text: str) -> tuple[int, ...]:
    """The citation numbers a text refers to, in order, once each; `[1-3]` means 1, 2 and 3."""
    numbers: list[int] = []
    for marker in _MARKER.finditer(text):
        for part in _MARKER_NUMBERS.findall(marker.group()):
            bounds = [int(x) for x in re.split(r"\s*[\-\u2013]\s*", part)]
            span = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 else bounds
            numbers.extend(n for n in span if n not in numbers)
    return tuple(numbers)


def split_cited(text: str) -> list[str]:
    """Split an answer into sentences (the project's one splitter), keeping `[n]` markers with
    the sentence they follow: a marker after the full stop ("... in 2019. [1] Next") belongs
    to the sentence before."""
    sentences: list[str] = []
    for piece in split_sentences(text):
        leading = _LEADING_MARKERS.match(piece)
        rest = piece
        if leading and sentences:
            sentences[-1] += " " + leading.group().strip()
            rest = piece[leading.end() :]
        if rest:
            sentences.append(rest)
    return sentences


def _verbatim_key(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = _SPACE.sub(" ", text)
    return text.strip().strip("\"'").rstrip(".!?;:,\"' ").casefold()


def _cosines(embed: Embed, claim: str, sentences: Sequence[str]) -> npt.NDArray[np.float64]:
    vectors = np.asarray(embed([claim, *sentences]), dtype=float)
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    cosines: npt.NDArray[np.float64] = unit[1:] @ unit[0]
    return cosines


def _extract_dates(text: str) -> tuple[list[tuple[str, int, int, int | None]], str]:
    """Dates as (text, day, month, year), and the text with them blanked out."""
    dates: list[tuple[str, int, int, int | None]] = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        year: int | None
        if g["d3"]:
            day, month, year = int(g["d3"]), int(g["m3"]), int(g["y3"])
        else:
            day = int(g["d1"] or g["d2"])
            month = MONTH_NUMBERS[(g["m1"] or g["m2"]).lower()]
            year_text = g["y1"] or g["y2"]
            year = int(year_text) if year_text else None
        if 1 <= day <= 31 and 1 <= month <= 12:
            dates.append((m.group().strip(" ,."), day, month, year))
    return dates, _DATE.sub(lambda m: " " * len(m.group()), text)


def _date_found(
    day: int, month: int, year: int | None, dates: list[tuple[str, int, int, int | None]]
) -> bool:
    return any(
        d == day and m == month and (year is None or y is None or y == year) for _, d, m, y in dates
    )


def _name_key(word: str) -> str:
    word = word.replace("\u2019", "'")
    word = word.removesuffix("'s").removesuffix("'").replace(".", "")
    return word.casefold()


def _missing_names(claim: str, passage: str) -> list[str]:
    """Capitalised words of the claim not found in the passage (case-insensitive)."""
    known: set[str] = set()
    for word in _WORD.findall(passage):
        key = _name_key(word)
        known.update({key, *key.split("-")})
    words = list(_WORD.finditer(claim))
    missing: list[str] = []
    for i, m in enumerate(words):
        word = m.group()
        if not word[0].isupper() or _name_key(word) in _NOT_NAMES:
            continue
        before = claim[: m.start()].rstrip()
        if not before or before[-1] in ".!?:;\"\u201c\u2018'(\u2014\u2013":
            # Sentence-initial: a name only when a capitalised word follows ("Emmanuel Macron").
            following = words[i + 1].group() if i + 1 < len(words) else ""
            if not following[:1].isupper() or _name_key(following) in _NOT_NAMES:
                continue
        key = _name_key(word)
        variants = {key, key.removesuffix("s"), key + "s"}
        if variants & known or all(part in known for part in key.split("-")):
            continue
        if word not in missing:
            missing.append(word)
    return missing


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(strip_citation_markers(text)) if len(w) > 1}


def _negated(text: str) -> bool:
    for word in _WORD.findall(text.replace("\u2019", "'")):
        lower = word.casefold()
        if lower in _NEGATIONS or lower.endswith("n't"):
            return True
    return False

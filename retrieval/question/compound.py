"""Compound questions: "Who sent the notice, and when was access restored?" asks two things.

Each part is answered on its own (its own answer type, its own lead sentence) from the same
retrieved passages, and the reply gives one lead per part. A part that is too short to stand
alone ("..., and how many?") keeps the question whole.
"""

from __future__ import annotations

import re

from retrieval.text.sentences import content_words

_SPLIT = re.compile(
    r",?\s+(?:and|but)\s+(?=(?:who|whom|whose|what|when|where|which|why|how)\b)", re.I
)
_WH_START = re.compile(r"^(?:who|whom|whose|what|when|where|which|why|how)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z0-9]\b")
_BACK_REFERENCE = re.compile(r"\b(it|its|he|his|him|she|her|they|their|them)\b", re.I)
MAX_PARTS = 3


def split_question(question: str) -> list[str]:
    """The questions a compound question asks, each ending with "?"; one part when it is not
    compound."""
    text = question.strip()
    pieces = [p.strip(" ,;") for p in _SPLIT.split(text)]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2 or len(pieces) > MAX_PARTS:
        return [question]
    if not all(_WH_START.match(p) for p in pieces[1:]):
        return [question]
    parts = [p.rstrip("?").rstrip() + "?" for p in pieces]
    if any(len(content_words(p)) < 2 for p in parts):
        return [question]
    return [parts[0], *(_with_context(p, parts[0]) for p in parts[1:])]


def _with_context(part: str, first: str) -> str:
    """A later part that refers back ("what stake would the deal give it?") or names nothing
    ("when was access restored?") carries the first part's names, lower-cased so they count
    as words to match, not as names it must hold."""
    own_names = [m for m in _CAPITALISED.finditer(part) if m.start() > 0]
    if own_names and not _BACK_REFERENCE.search(part):
        return part  # it names its own subject ("how many died when Iran shot down ...")
    names = [m.group(0) for m in _CAPITALISED.finditer(first) if m.start() > 0]
    missing = [n.lower() for n in dict.fromkeys(names) if n.lower() not in part.lower()]
    return f"{part[:-1]} ({' '.join(missing)})?" if missing else part

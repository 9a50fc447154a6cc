"""Test question sets: read a JSON Lines file into `EvalQuestion`s, reporting bad lines.

One JSON object per line (`id`, `question`, `answers`, `evidence`, ...). A bad line never
stops the load: it is skipped and reported as one line, `file:line: field 'name': problem`
(several problems on one line joined with `; `), so whoever fixes the set sees every mistake
in one run. Unknown fields are kept in `extra` and otherwise ignored, so a set can carry
notes for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from retrieval.errors import RetrievalError
from retrieval.evaluation.matching import normalize_answer

_T = TypeVar("_T")

KNOWN_FIELDS = frozenset(
    {"id", "question", "answers", "evidence", "as_of", "type", "answerable", "choices"}
)


class QuestionSetError(RetrievalError):
    """The question set as a whole cannot be read (missing file, unreadable): nothing to run."""


@dataclass(frozen=True)
class GoldEvidence:
    """A gold article that supports the answer; `quote`, when given, is a verbatim span of its body.

    (Not `retrieval.answering`'s evidence, the sentences an answer is built from.)
    """

    url: str | None
    article_id: str | None
    quote: str | None = None


@dataclass(frozen=True)
class EvalQuestion:
    """One question of a test set, as validated; `origin` is `file:line` for messages."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[GoldEvidence, ...] = ()
    as_of: date | None = None
    type: str = "factoid"
    answerable: bool = True
    choices: tuple[str, ...] = ()
    origin: str = ""
    extra: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


class _BadFieldError(ValueError):
    """One field's problem, collected so a line reports all its problems at once."""


def load_questions(path: str | Path) -> tuple[list[EvalQuestion], list[str]]:
    """Read a question set; bad lines are skipped and described, so one typo loses one question.

    Args:
        path: a JSON Lines file, one question object per line; blank lines are ignored.

    Returns:
        The valid questions in file order, and one message per bad line
        (`file:line: field 'answers': ...`). A duplicate id is an error on the later line.

    Raises:
        QuestionSetError: the file cannot be read at all.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise QuestionSetError(
            f"cannot read question set {path}: {exc.strerror or exc}; check the path"
        ) from exc
    questions: list[EvalQuestion] = []
    errors: list[str] = []
    first_line_of: dict[str, int] = {}
    for lineno, line_bytes in enumerate(raw.splitlines(), start=1):
        where = f"{path}:{lineno}"
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(f"{where}: not UTF-8 text (byte {exc.start + 1})")
            continue
        line = line.removeprefix("\ufeff").strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{where}: expected a JSON object, got {_json_kind(obj)}")
            continue
        question, problems = parse_question(obj, where)
        if question is not None and question.id in first_line_of:
            problems = [
                f"field 'id': duplicate id {question.id!r} (first on line "
                f"{first_line_of[question.id]})"
            ]
            question = None
        if question is None:
            errors.append(f"{where}: " + "; ".join(problems))
            continue
        first_line_of[question.id] = lineno
        questions.append(question)
    return questions, errors


def parse_question(obj: Mapping[str, object], origin: str) -> tuple[EvalQuestion | None, list[str]]:
    """Validate one decoded line; returns the question, or None and every problem found."""
    problems: list[str] = []

    def get(name: str, parse: Callable[[object], _T]) -> _T | None:
        if obj.get(name) is None:
            return None
        try:
            return parse(obj[name])
        except _BadFieldError as exc:
            problems.append(f"field {name!r}: {exc}")
            return None

    for required in ("id", "question"):
        if obj.get(required) is None:
            problems.append(f"field {required!r}: missing")
    qid = get("id", _parse_id) or ""
    text = get("question", _parse_text) or ""
    answerable = get("answerable", _parse_bool)
    answerable = True if answerable is None else answerable
    answers = get("answers", _parse_strings) or ()
    evidence = get("evidence", _parse_evidence) or ()
    as_of = get("as_of", _parse_date)
    qtype = get("type", _parse_text) or ("factoid" if answerable else "unanswerable")
    choices = get("choices", _parse_choices) or ()
    # A missing field is a forgotten one; an explicit `[]` says "none known": the question is
    # scored on what it has (retrieval only, or the answer only), as metrics.py allows.
    if answerable and obj.get("answers") is None and not _named_problem(problems, "answers"):
        problems.append(
            "field 'answers': required for answerable questions (or set answerable: false)"
        )
    if answerable and obj.get("evidence") is None and not _named_problem(problems, "evidence"):
        problems.append(
            "field 'evidence': required for answerable questions (or set answerable: false)"
        )
    if answerable and not problems and not answers and not evidence:
        problems.append("fields 'answers' and 'evidence': both empty, nothing to score")
    if answerable and choices and answers:
        normalized = {normalize_answer(c) for c in choices}
        if not any(normalize_answer(a) in normalized for a in answers):
            problems.append("field 'choices': no accepted answer is one of the choices")
    if problems:
        return None, problems
    extra = {k: v for k, v in obj.items() if k not in KNOWN_FIELDS}
    question = EvalQuestion(
        id=qid,
        question=text,
        answers=answers,
        evidence=evidence,
        as_of=as_of,
        type=qtype,
        answerable=answerable,
        choices=choices,
        origin=origin,
        extra=extra,
    )
    return question, []


def _named_problem(problems: list[str], name: str) -> bool:
    return any(p.startswith(f"field {name!r}") for p in problems)


def _json_kind(value: object) -> str:
    kinds: dict[type, str] = {
        list: "a list",
        str: "a string",
        bool: "true/false",
        dict: "an object",
    }
    return kinds.get(type(value), "a number" if isinstance(value, int | float) else "null")


def _parse_id(value: object) -> str:
    # Integer ids are common in hand-written sets; they name the question just as well.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _parse_text(value)


def _parse_text(value: object) -> str:
    if not isinstance(value, str):
        raise _BadFieldError(f"expected a string, got {_json_kind(value)}")
    if not value.strip():
        raise _BadFieldError("is empty")
    return value.strip()


def _parse_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _BadFieldError(f"expected true or false, got {_json_kind(value)}")
    return value


def _parse_strings(value: object) -> tuple[str, ...]:
    # A lone string is the obvious shorthand for a one-answer list.
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _BadFieldError(f"expected a list of strings, got {_json_kind(value)}")
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise _BadFieldError(f"item {i} is not a non-empty string")
        out.append(item.strip())
    return tuple(out)


def _parse_choices(value: object) -> tuple[str, ...]:
    choices = _parse_strings(value)
    if len(choices) < 2:
        raise _BadFieldError("needs at least two choices")
    if len({normalize_answer(c) for c in choices}) < len(choices):
        raise _BadFieldError("two choices are the same once normalised")
    return choices


def _parse_evidence(value: object) -> tuple[GoldEvidence, ...]:
    if not isinstance(value, list):
        raise _BadFieldError(f"expected a list of objects, got {_json_kind(value)}")
    out: list[GoldEvidence] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _BadFieldError(f"item {i} is not an object")
        parts: dict[str, str | None] = {}
        for key in ("url", "article_id", "quote"):
            part = item.get(key)
            if part is not None and (not isinstance(part, str) or not part.strip()):
                raise _BadFieldError(f"item {i}: {key!r} is not a non-empty string")
            parts[key] = part.strip() if isinstance(part, str) else None
        if parts["url"] is None and parts["article_id"] is None:
            raise _BadFieldError(f"item {i} has neither 'url' nor 'article_id'")
        out.append(
            GoldEvidence(url=parts["url"], article_id=parts["article_id"], quote=parts["quote"])
        )
    return tuple(out)


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise _BadFieldError(f"expected an ISO date string, got {_json_kind(value)}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        # A full timestamp is a date too; only the day matters for resolving "last week".
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise _BadFieldError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None

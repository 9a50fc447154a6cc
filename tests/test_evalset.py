"""Loading question sets: valid lines become questions, bad lines become one-line errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from retrieval.evaluation.questions import (
    EvalQuestion,
    GoldEvidence,
    QuestionSetError,
    load_questions,
)

FULL = {
    "id": "wn-017",
    "question": "When did the fire at Notre-Dame de Paris break out?",
    "answers": ["15 April 2019", "April 15, 2019", "Monday"],
    "evidence": [
        {"url": "https://en.wikinews.org/wiki/X", "quote": "a fire broke out in the roof"}
    ],
    "as_of": "2019-04-17",
    "type": "temporal",
    "answerable": True,
    "reviewer": "ann",
}
UNANSWERABLE = {"id": "u-1", "question": "Who won the 2031 election?", "answerable": False}


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "questions.jsonl"
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_full_and_minimal_questions(tmp_path: Path) -> None:
    path = write(tmp_path, FULL, "", UNANSWERABLE)
    questions, errors = load_questions(path)
    assert errors == []
    full, unanswerable = questions
    assert full == EvalQuestion(
        id="wn-017",
        question="When did the fire at Notre-Dame de Paris break out?",
        answers=("15 April 2019", "April 15, 2019", "Monday"),
        evidence=(
            GoldEvidence("https://en.wikinews.org/wiki/X", None, "a fire broke out in the roof"),
        ),
        as_of=date(2019, 4, 17),
        type="temporal",
        answerable=True,
        choices=(),
        origin=f"{path}:1",
    )
    assert full.extra == {"reviewer": "ann"}
    assert unanswerable.type == "unanswerable"  # the default when answerable is false
    assert unanswerable.answers == ()
    assert unanswerable.as_of is None
    assert unanswerable.origin == f"{path}:3"  # the blank line still counts


def test_defaults_and_shorthands(tmp_path: Path) -> None:
    line = {
        "id": 7,
        "question": "Which plane?",
        "answers": "Boeing 737",
        "evidence": [{"article_id": "u123"}],
        "as_of": "2020-01-02T10:00:00",
        "choices": ["Boeing", "Boeing 737", "Airbus A320"],
    }
    (question,), errors = load_questions(write(tmp_path, line))
    assert errors == []
    assert question.id == "7"
    assert question.type == "factoid"
    assert question.answerable is True
    assert question.answers == ("Boeing 737",)
    assert question.evidence == (GoldEvidence(None, "u123", None),)
    assert question.as_of == date(2020, 1, 2)
    assert question.choices == ("Boeing", "Boeing 737", "Airbus A320")


def test_bad_lines_are_skipped_and_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        FULL,  # 1 ok
        '{"id": "x", "question": ',  # 2 invalid JSON
        "[1, 2]",  # 3 not an object
        {**FULL, "id": "b1", "as_of": "17/04/2019"},  # 4 bad date
        {"id": "b2", "question": "Q?"},  # 5 answerable without answers and evidence
        {**FULL, "id": "b3", "evidence": [{"quote": "q"}]},  # 6 evidence with no article
        {**FULL, "id": "b4", "answerable": "yes"},  # 7 not a bool
        {**FULL, "id": "b5", "choices": ["Tuesday", "Friday"]},  # 8 answer not a choice
        {"question": "No id?", "answerable": False},  # 9 missing id
        {**FULL, "question": "Same id, later line"},  # 10 duplicate of line 1
        {**FULL, "id": "ok-2"},  # 11 ok
    )
    questions, errors = load_questions(path)
    assert [q.id for q in questions] == ["wn-017", "ok-2"]
    assert len(errors) == 9
    by_line = {int(e.split(":")[1]): e for e in errors}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert all(e.startswith(f"{path}:") for e in errors)
    assert all("\n" not in e for e in errors)
    assert "invalid JSON" in by_line[2]
    assert "expected a JSON object, got a list" in by_line[3]
    assert "field 'as_of': not an ISO date" in by_line[4]
    # Both problems of line 5 are reported on its one line.
    assert "field 'answers': required" in by_line[5]
    assert "field 'evidence': required" in by_line[5]
    assert "field 'evidence': item 0 has neither 'url' nor 'article_id'" in by_line[6]
    assert "field 'answerable': expected true or false" in by_line[7]
    assert "field 'choices': no accepted answer is one of the choices" in by_line[8]
    assert "field 'id': missing" in by_line[9]
    assert by_line[10].endswith("field 'id': duplicate id 'wn-017' (first on line 1)")


def test_a_bad_line_does_not_claim_its_id(tmp_path: Path) -> None:
    # The first "dup" is invalid, so the second is the first valid one and is kept.
    path = write(tmp_path, {**FULL, "id": "dup", "as_of": "soon"}, {**FULL, "id": "dup"})
    questions, errors = load_questions(path)
    assert [q.id for q in questions] == ["dup"]
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:1: field 'as_of'")


def test_non_utf8_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_bytes(json.dumps(FULL).encode() + b"\n\xff\xfe oops\n")
    questions, errors = load_questions(path)
    assert len(questions) == 1
    assert errors == [f"{path}:2: not UTF-8 text (byte 1)"]


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match=r"nope\.jsonl"):
        load_questions(tmp_path / "nope.jsonl")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert load_questions(path) == ([], [])


def test_an_explicit_empty_list_says_none_known(tmp_path: Path) -> None:
    # Missing answers or evidence is a mistake (line 5 above); `[]` is a statement: the
    # question is scored on retrieval only, or on its answer only.
    path = write(
        tmp_path,
        {**FULL, "id": "retrieval-only", "answers": []},
        {**FULL, "id": "answer-only", "evidence": []},
        {**FULL, "id": "nothing", "answers": [], "evidence": []},
        {**FULL, "id": "forgotten", "evidence": None},
    )
    questions, errors = load_questions(path)
    assert [(q.id, bool(q.answers), bool(q.evidence)) for q in questions] == [
        ("retrieval-only", False, True),
        ("answer-only", True, False),
    ]
    assert len(errors) == 2
    assert errors[0].startswith(f"{path}:3:") and "nothing to score" in errors[0]
    assert errors[1].startswith(f"{path}:4:") and "field 'evidence': required" in errors[1]

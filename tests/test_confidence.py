"""The calibrated answer-or-abstain decision and the near-miss twins it is fitted with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from config.settings import AnswerSettings
from ingest.pipeline import Ingestor
from retrieval.answering.confidence import FEATURES, Calibration, CalibrationError
from retrieval.archive import Archive
from retrieval.evaluation.questions import EvalQuestion, GoldEvidence
from retrieval.evaluation.twins import make_twin, name_pool
from retrieval.responder import AskOptions, Responder
from tests.support.stories import BUS_STRIKE

QUESTION = "What pay rise ended the Ostrava bus strike?"


def model(threshold: float, **weights: float) -> Calibration:
    return Calibration(
        weights={name: weights.get(name, 0.0) for name in FEATURES},
        bias=0.0,
        means={},
        scales={},
        threshold=threshold,
    )


def test_probability_rises_with_a_positive_weight_and_round_trips(tmp_path: Path) -> None:
    calibration = model(0.5, score=4.0)
    low = dict.fromkeys(FEATURES, 0.0) | {"score": -1.0}
    high = low | {"score": 1.0}
    assert calibration.probability(low) < 0.05 < 0.95 < calibration.probability(high)
    assert not calibration.answers(low) and calibration.answers(high)
    path = tmp_path / "calibration.json"
    path.write_text(calibration.to_json())
    assert Calibration.load(path) == calibration


def test_the_packaged_model_loads_and_a_broken_file_is_named(tmp_path: Path) -> None:
    assert set(Calibration.load().weights) == set(FEATURES)
    broken = tmp_path / "broken.json"
    broken.write_text('{"weights": {"score": 1}}')
    with pytest.raises(CalibrationError, match=r"broken\.json"):
        Calibration.load(broken)


def _responder(archive: Archive, tmp_path: Path, calibration: Calibration) -> Responder:
    path = tmp_path / "model.json"
    path.write_text(calibration.to_json())
    assert Ingestor(archive).ingest(BUS_STRIKE).added == 4
    settings = AnswerSettings(abstention="calibrated", abstention_model=path)
    return Responder(archive, answer=settings)


def test_the_decision_records_what_it_read(archive: Archive, tmp_path: Path) -> None:
    answer = _responder(archive, tmp_path, model(0.0)).ask(QUESTION)
    assert not answer.abstained
    assert answer.decision is not None
    assert set(answer.decision) == {*FEATURES, "probability"}
    assert answer.decision["names_missing"] == 0.0


def test_a_confident_enough_model_is_needed_to_answer(archive: Archive, tmp_path: Path) -> None:
    answer = _responder(archive, tmp_path, model(1.01)).ask(QUESTION, AskOptions())
    assert answer.abstained and "low confidence" in answer.text


def _question(text: str) -> EvalQuestion:
    return EvalQuestion(
        id="q1",
        question=text,
        answers=("9 percent",),
        evidence=(GoldEvidence(url=None, article_id="t3"),),
        as_of=date(2023, 4, 1),
    )


def test_a_twin_swaps_a_name_its_evidence_never_mentions() -> None:
    pool = name_pool(["Storm hits Brno", "Council meets in Prague", "Ostrava zoo lynx"])
    assert pool == ["Brno", "Prague"]  # the titles' opening words are not taken as names
    evidence = "the ostrava bus strike ended on friday after the city agreed a 9 percent rise"
    twin = make_twin(_question(QUESTION), pool, lambda word: word.lower() not in evidence)
    assert twin is not None and not twin.answerable and twin.id == "q1-twin"
    assert twin.question in {QUESTION.replace("Ostrava", city) for city in ("Brno", "Prague")}
    assert twin.extra["twin_of"] == "q1" and twin.as_of == date(2023, 4, 1)


def test_without_a_name_a_twin_moves_the_year_or_the_number() -> None:
    moved = make_twin(_question("what rise ended the strike in 2023?"), [], lambda _w: True)
    assert moved is not None and moved.question == "what rise ended the strike in 2020?"
    counted = make_twin(_question("did 1,200 drivers strike?"), [], lambda _w: True)
    assert counted is not None and counted.question == "did 3607 drivers strike?"
    assert make_twin(_question("what ended the strike?"), [], lambda _w: True) is None

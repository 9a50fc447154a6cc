"""Fit the answer-or-abstain decision: a logistic model over the reader's evidence features.

    python benchmarks/fit_abstention.py --data-dir /tmp/wn \
        --questions eval/wikinews-dev.jsonl --out retrieval/answering/calibration.json

Every question of the set, and a near-miss twin of every answerable one (one name, year or
number changed: `retrieval.evaluation.twins`), is asked with the decision switched off, so the
reader always answers when it has a lead; what it read (`Answer.decision`) and whether the
reply would have been right are the training rows. A right reply is a positive; a wrong one,
and any reply to an unanswerable question or a twin, a negative. The model is fitted by
Newton's method with an L2 penalty on standardised features; the threshold is the probability
that maximises truthfulness (+1 right, 0 abstained, -1 wrong; +1 for refusing an unanswerable
question) over the rows. Five-fold cross-validation reports how well that carries to
questions the fit did not see. Questions the reader refuses before the decision (no sentence
of the asked-for type, no outcome reported) are not rows: the decision does not see them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from config.settings import AnswerSettings, Settings
from retrieval.answering.confidence import FEATURES, PACKAGED, Calibration
from retrieval.archive import Archive
from retrieval.evaluation.matching import answer_correct
from retrieval.evaluation.questions import EvalQuestion, load_questions
from retrieval.evaluation.twins import make_twin, name_pool
from retrieval.responder import AskOptions, Responder

PENALTY = 1.0  # L2 on the standardised weights
TWIN_TYPES = ("factoid", "temporal")  # multi and timeline questions are not single facts
ALWAYS_ANSWER = Calibration(
    weights=dict.fromkeys(FEATURES, 0.0),
    bias=0.0,
    means={},
    scales={},
    threshold=0.0,
    fitted_on="answers whenever there is a lead: for collecting features",
)


def collect(
    data_dir: Path, questions: list[EvalQuestion]
) -> list[tuple[str, dict[str, float], int, bool]]:
    """(id, features, label, answerable) for every question the decision would see."""
    with tempfile.TemporaryDirectory() as folder:
        always = Path(folder) / "always.json"
        always.write_text(ALWAYS_ANSWER.to_json())
        settings = Settings(data_dir=data_dir, answer=AnswerSettings(abstention_model=always))
        archive = Archive.open(settings)
        responder = Responder.from_settings(archive, settings)
        bodies = {
            r.article_id: f"{r.title}\n{body}".lower() for r, body in archive.catalog.bodies()
        }
        pool = name_pool([text.split("\n", 1)[0] for text in bodies.values()])

        def absent_from(question: EvalQuestion) -> Callable[[str], bool]:
            texts = [bodies.get(e.article_id or "", "") for e in question.evidence]
            return lambda word: all(word.lower() not in text for text in texts)

        asked = list(questions)
        for question in questions:
            if question.answerable and question.type in TWIN_TYPES and question.evidence:
                twin = make_twin(question, pool, absent_from(question))
                if twin is not None:
                    asked.append(twin)
        rows = []
        for index, question in enumerate(asked, start=1):
            answer = responder.ask(question.question, AskOptions(as_of=question.as_of))
            if answer.decision is None:
                continue
            right = question.answerable and answer_correct(answer.reply(), question.answers)
            features = {name: answer.decision[name] for name in FEATURES}
            rows.append((question.id, features, int(right), question.answerable))
            print(f"[{index}/{len(asked)}] {question.id} {'+' if right else '-'}", file=sys.stderr)
        archive.close()
    return rows


def fit(x: np.ndarray, y: np.ndarray, penalty: float = PENALTY) -> tuple[np.ndarray, float]:
    """Logistic regression (weights, bias) by Newton's method on standardised `x`."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    ridge = np.eye(d + 1) * penalty
    ridge[d, d] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + ridge @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:d], float(w[d])


def truthfulness(p: np.ndarray, y: np.ndarray, answerable: np.ndarray, threshold: float) -> float:
    """Mean truthfulness over the rows when answering at `threshold`."""
    answered = p >= threshold
    score = np.where(answered, np.where(y == 1, 1.0, -1.0), np.where(answerable, 0.0, 1.0))
    return float(score.mean())


def best_threshold(p: np.ndarray, y: np.ndarray, answerable: np.ndarray) -> float:
    """The threshold (a midpoint between observed probabilities) of the highest truthfulness."""
    values = np.unique(np.concatenate([[0.0, 1.0], p]))
    cuts = (values[:-1] + values[1:]) / 2
    scores = [truthfulness(p, y, answerable, t) for t in cuts]
    return float(cuts[int(np.argmax(scores))])


def calibrate(x: np.ndarray, y: np.ndarray, answerable: np.ndarray, note: str) -> Calibration:
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    weights, bias = fit(z, y)
    p = 1.0 / (1.0 + np.exp(-(z @ weights + bias)))
    return Calibration(
        weights=dict(zip(FEATURES, weights.tolist(), strict=True)),
        bias=bias,
        means=dict(zip(FEATURES, means.tolist(), strict=True)),
        scales=dict(zip(FEATURES, scales.tolist(), strict=True)),
        threshold=best_threshold(p, y, answerable),
        fitted_on=note,
    )


def cross_validate(x: np.ndarray, y: np.ndarray, answerable: np.ndarray, folds: int = 5) -> float:
    """Truthfulness on held-out folds, each scored by a model fitted on the others."""
    order = np.arange(len(y))
    scores = []
    for k in range(folds):
        test = order % folds == k
        model = calibrate(x[~test], y[~test], answerable[~test], "fold")
        p = np.array([model.probability(dict(zip(FEATURES, row, strict=True))) for row in x[test]])
        scores.append(truthfulness(p, y[test], answerable[test], model.threshold))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=Path("eval/wikinews-dev.jsonl"))
    parser.add_argument("--out", type=Path, default=PACKAGED)
    args = parser.parse_args()
    questions, errors = load_questions(args.questions)
    for error in errors:
        print(f"skipped: {error}", file=sys.stderr)
    rows = collect(args.data_dir, questions)
    x = np.array([[features[name] for name in FEATURES] for _id, features, _y, _a in rows])
    y = np.array([label for _id, _f, label, _a in rows], dtype=float)
    answerable = np.array([a for _id, _f, _y, a in rows], dtype=bool)
    twins = sum(1 for qid, *_ in rows if qid.endswith("-twin"))
    note = (
        f"{args.questions.name} ({len(rows) - twins} questions) and {twins} near-miss twins, "
        f"{date.today().isoformat()}: {int(y.sum())} right replies, {len(y) - int(y.sum())} not"
    )
    model = calibrate(x, y, answerable, note)
    p = np.array([model.probability(dict(zip(FEATURES, row, strict=True))) for row in x])
    print(json.dumps(dict(model.weights), indent=2))
    print(f"threshold {model.threshold:.3f}")
    print(
        f"rows {len(rows)}: truthfulness always answering {truthfulness(p, y, answerable, 0.0):.3f}"
    )
    print(f"fitted: {truthfulness(p, y, answerable, model.threshold):.3f}")
    print(f"5-fold cross-validated: {cross_validate(x, y, answerable):.3f}")
    args.out.write_text(model.to_json() + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()

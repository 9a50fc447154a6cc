"""Whether to answer: a calibrated decision over what the reader measured.

The reader's best evidence is described by a few numbers (`decision_features`): how well the
lead sentence scores and means what was asked, how much of the question (weighted by rarity)
its article holds, whether the names asked about are there, how far ahead of the next
candidate it is. A logistic model (`Calibration`) turns them into the probability that the
reply would be right; the bot answers when that probability clears a threshold chosen to
maximise truthfulness (+1 right, 0 abstained, -1 wrong) on labelled data.

It runs after the fixed gates (names present, support and coverage floors) and may only
refuse what they let through. The parameters ship as `calibration.json` beside this module;
`benchmarks/fit_abstention.py` fits them (on the dev set and automatically made near-miss twins
of its questions) and writes the file. It is off by default (`answer.abstention=rules`): on
the dev and held-out sets it turned as many wrong answers into refusals as right ones, so
truthfulness did not move while accuracy fell (docs/evaluation.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import RetrievalError

PACKAGED = Path(__file__).with_name("calibration.json")

# The features, in the order the model's weights are written.
FEATURES: tuple[str, ...] = (
    "score",  # the lead's combined score (meaning, key terms, type)
    "semantic",  # the lead's cosine to the question
    "lead_coverage",  # weighted share of the question's terms in the lead and its title
    "own_coverage",  # ... in the lead's own words
    "article_coverage",  # ... anywhere in the lead's article
    "names_missing",  # share of the question's names its article never mentions
    "rarest_missing",  # weight of the rarest term the lead (and title) lacks, over the rarest's
    "margin",  # the lead's score minus the next candidate's
    "typed_fit",  # how well the short answer fits the asked-for type (0 when untyped)
    "rank",  # the lead's passage rank, 0 first
)


class CalibrationError(RetrievalError):
    """The abstention model's parameter file cannot be used."""


@dataclass(frozen=True)
class Calibration:
    """A logistic model over standardised features, and the threshold to answer at."""

    weights: Mapping[str, float]
    bias: float
    means: Mapping[str, float]
    scales: Mapping[str, float]
    threshold: float
    fitted_on: str = ""

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that answering with this evidence gives a right reply."""
        z = self.bias
        for name in FEATURES:
            scale = self.scales.get(name, 1.0) or 1.0
            z += self.weights.get(name, 0.0) * (features[name] - self.means.get(name, 0.0)) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, features: Mapping[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(FEATURES),
                "weights": dict(self.weights),
                "bias": self.bias,
                "means": dict(self.means),
                "scales": dict(self.scales),
                "threshold": self.threshold,
                "fitted_on": self.fitted_on,
            },
            indent=2,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        """The parameters in `path` (default: the packaged file)."""
        path = path or PACKAGED
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            missing = [f for f in FEATURES if f not in data["weights"]]
            if missing:
                raise CalibrationError(f"{path}: no weight for {', '.join(missing)}")
            return cls(
                weights={k: float(v) for k, v in data["weights"].items()},
                bias=float(data["bias"]),
                means={k: float(v) for k, v in data["means"].items()},
                scales={k: float(v) for k, v in data["scales"].items()},
                threshold=float(data["threshold"]),
                fitted_on=str(data.get("fitted_on", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CalibrationError(f"{path}: not an abstention model ({error})") from error


def decision_features(
    *,
    score: float,
    semantic: float,
    lead_coverage: float,
    own_coverage: float,
    article_coverage: float,
    names: Sequence[str],
    names_absent: Sequence[str],
    term_weights: Mapping[str, float],
    lead_missing: Sequence[str],
    next_score: float | None,
    typed_fit: float,
    rank: int,
) -> dict[str, float]:
    """The features of one candidate answer, by name (see FEATURES)."""
    heaviest = max(term_weights.values(), default=0.0)
    missing_weight = max((term_weights.get(t, 0.0) for t in lead_missing), default=0.0)
    return {
        "score": score,
        "semantic": semantic,
        "lead_coverage": lead_coverage,
        "own_coverage": own_coverage,
        "article_coverage": article_coverage,
        "names_missing": len(names_absent) / len(names) if names else 0.0,
        "rarest_missing": missing_weight / heaviest if heaviest else 0.0,
        "margin": score - next_score if next_score is not None else score,
        "typed_fit": typed_fit,
        "rank": float(rank),
    }

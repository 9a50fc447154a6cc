"""The fast dev-set subset: ingest the CI slice of Wikinews, run `newsbot eval` with thresholds.

Thresholds sit just below the scores measured when they were set (tests/support/gates.py), so
a quality regression fails CI. Skips when the shared corpus is absent; the gate that runs on
any clone is tests/test_examples_ci.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.gates import WIKINEWS_CI, run_gate
from tests.support.paths import ROOT

pytestmark = pytest.mark.model

CI_SLICE = ROOT / "eval" / "wikinews-ci-slice.txt"


def test_ci_subset_meets_thresholds(
    wikinews_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = set(CI_SLICE.read_text().split())
    lines = [
        line
        for line in wikinews_path.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["id"] in wanted
    ]
    assert len(lines) == len(wanted)
    corpus = tmp_path / "slice.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    records = run_gate(WIKINEWS_CI, corpus, tmp_path)
    assert {"id", "type", "abstained"} <= set(records[0])

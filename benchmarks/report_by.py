"""Break an `eval --json` report down by a field of its question set (e.g. `language`).

    python benchmarks/report_by.py eval/blind-ru.jsonl report.json --field language

prints, per value of the field: questions, hit@5 (answerable with evidence), accuracy
(answerable with answers), abstention (unanswerable), false refusals and truthfulness, the
same definitions `newsbot eval` uses, from its per-question records.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "-"


def breakdown(questions: Path, report: Path, field: str) -> list[str]:
    """One line per value of `field` (and one for all), as a table."""
    by_id: dict[str, dict[str, Any]] = {}
    for line in questions.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            by_id[item["id"]] = item
    data: dict[str, Any] = json.loads(report.read_text())
    (system,) = data["systems"].values()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in system["questions"]:
        value = str(by_id.get(record["id"], {}).get(field, "-"))
        groups[value].append(record)
        groups["(all)"].append(record)
    lines = [f"{field:>10} {'n':>4} {'hit@5':>6} {'acc':>6} {'abst':>6} {'FR':>6} {'truth':>6}"]
    for value in sorted(groups, key=lambda v: (v == "(all)", v)):
        records = groups[value]
        answerable = [r for r in records if r["answerable"]]
        unanswerable = [r for r in records if not r["answerable"]]
        hits = [float(r["scores"]["hit@5"]) for r in answerable if r["scores"]["hit@5"] is not None]
        correct = [
            float(r["scores"]["correct"]) for r in answerable if r["scores"]["correct"] is not None
        ]
        abstained = [float(r["abstained"]) for r in unanswerable]
        refused = [float(r["abstained"]) for r in answerable]
        truth = [float(r["scores"]["truth"]) for r in records if r["scores"]["truth"] is not None]
        lines.append(
            f"{value:>10} {len(records):>4} {_mean(hits):>6} {_mean(correct):>6} "
            f"{_mean(abstained):>6} {_mean(refused):>6} {_mean(truth):>6}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--field", default="language")
    args = parser.parse_args()
    print("\n".join(breakdown(args.questions, args.report, args.field)))


if __name__ == "__main__":
    main()

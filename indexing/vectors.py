"""Vector retrieval (k nearest listings by cosine) for both backends, with their structured filters.

The embedded backend keeps one contiguous float32 matrix per physical index in memory, aligned with
its column store (same ids, same order), reloaded when the index's generation moves; a query is one
exact scan, ``matrix @ queries.T``, bound by memory bandwidth. Elasticsearch uses its ``knn`` search
option on the ``dense_vector`` field (``index: true, similarity: cosine``) with the same filters.

A query is refused when its encoder is not the one whose vectors the index holds (the model id is in
the index metadata): vectors of two models are not comparable, and a mixed result would look right.
Several filter queries may be given; a listing passing any of them qualifies ("within 3 km" OR
"home-based"), which a single :class:`SearchQuery` cannot say.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexing.documents import Kind, normalise_occupation_filter
from indexing.query import SearchQuery

Neighbours = list[tuple[int, float]]
"""(listing id, cosine similarity), best first."""


class VectorSpaceMismatch(RuntimeError):
    """The index holds vectors of another model (or none): reindex with the current encoder."""


def _as_matrix(vectors) -> np.ndarray:  # noqa: ANN001
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    return np.ascontiguousarray(arr)


def check_space(meta: dict, *, model_id: str, dims: int) -> None:
    if meta.get("model_id") != model_id:
        raise VectorSpaceMismatch(
            f"index holds vectors of {meta.get('model_id')!r}, the query was encoded by {model_id!r}; "
            "rebuild the index with the current model"
        )
    if int(meta.get("vector_dims", -1)) != dims:
        raise VectorSpaceMismatch(f"index vectors have {meta.get('vector_dims')} dimensions, the query {dims}")


# --------------------------------------------------------------------------- embedded


@dataclass(frozen=True)
class VectorMatrix:
    ids: np.ndarray
    """Listing ids, ascending: the same order as the column store's."""
    matrix: np.ndarray
    """float32, C-contiguous, one unit row per listing (zeros where a listing has no vector)."""
    present: np.ndarray
    """True where the listing has a vector."""

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes)


def load_matrix(conn, phys: str, dims: int) -> VectorMatrix:  # noqa: ANN001 - sqlite3.Connection
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


_locks: dict[int, threading.Lock] = {}


def _cache(backend) -> dict:  # noqa: ANN001
    cache = backend.__dict__.get("_vector_matrices")
    if cache is None:
        cache = backend.__dict__.setdefault("_vector_matrices", {})
        _locks.setdefault(id(backend), threading.Lock())
    return cache


def embedded_matrix(backend, conn, phys: str, gen: int, dims: int, ids: np.ndarray | None = None) -> VectorMatrix:  # noqa: ANN001
    """The matrix of the physical index at generation ``gen``, aligned with ``ids`` (the column store's).

    After a few writes only the changed listings are read again (from the index's change log, as the
    column store does); a whole reload happens on a rebuild or when the log no longer reaches back.
    """
    cache = _cache(backend)
    hit = cache.get(phys)
    if hit is not None and hit[0] == gen:
        return hit[1]
    with _locks[id(backend)]:
        hit = cache.get(phys)
        if hit is not None and hit[0] == gen:
            return hit[1]
        matrix = None
        if hit is not None and hit[0] < gen and ids is not None:
            matrix = _patched(conn, phys, hit[0], gen, hit[1], ids, dims)
        if matrix is None:
            matrix = load_matrix(conn, phys, dims)
        cache.clear()  # only the current physical index is kept in memory
        cache[phys] = (gen, matrix)
        return matrix


def _patched(conn, phys: str, old_gen: int, gen: int, old: VectorMatrix, ids: np.ndarray, dims: int) -> VectorMatrix | None:  # noqa: ANN001
    try:
        oldest = conn.execute("SELECT min(gen) FROM search_change WHERE physical = ?", (phys,)).fetchone()[0]
        if oldest is None or oldest > old_gen + 1:
            return None
        changed = {r[0] for r in conn.execute(
            "SELECT DISTINCT doc_id FROM search_change WHERE physical = ? AND gen > ? AND gen <= ?", (phys, old_gen, gen))}
    except Exception:  # noqa: BLE001 - no change log (older index layout): reload
        return None
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
    return VectorMatrix(ids=ids, matrix=matrix, present=present)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row positions of the k best scores (ties by position), best first; -inf rows never returned."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) == 0:
        return finite
    if len(finite) > k:
        part = np.argpartition(-scores[finite], k - 1)[:k]
        finite = finite[part]
    return finite[np.lexsort((finite, -scores[finite]))]


def _snapshot(backend, conn, kind: Kind, dims: int):  # noqa: ANN001, ANN202
    """(physical index, column store, vector matrix) behind the alias of ``kind``, inside the caller's
    read transaction so all three come from one snapshot."""
    row = conn.execute(
        "SELECT a.physical, coalesce(g.gen, 0) FROM search_alias a "
        "LEFT JOIN search_generation g ON g.physical = a.physical WHERE a.alias = ?",
        (backend._alias(kind),),
    ).fetchone()
    if row is None:
        raise LookupError(f"no embedded index for {kind}")
    phys, gen = row
    store = backend._store(conn, phys, gen)
    return phys, store, embedded_matrix(backend, conn, phys, gen, dims, store.ids)


def embedded_knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
                 model_id: str) -> list[Neighbours]:
    """Exact cosine kNN over the embedded index: one scan for all query vectors."""
    return embedded_knn_sets(backend, kind, vectors, [(k, query_filters)], model_id=model_id)[0]


def _filters(query_filters: SearchQuery | Sequence[SearchQuery]) -> list[SearchQuery]:
    return [query_filters] if isinstance(query_filters, SearchQuery) else list(query_filters)


def embedded_knn_sets(backend, kind: Kind, vectors, requests: Sequence[tuple[int, SearchQuery | Sequence[SearchQuery]]],  # noqa: ANN001
                      *, model_id: str) -> list[list[Neighbours]]:
    """Several (k, filters) requests for the same query vectors, answered from ONE scan of the matrix."""
    from indexing import embedded as emb

    q = _as_matrix(vectors)
    check_space(backend.index_meta(kind), model_id=model_id, dims=q.shape[1])
    conn = backend._conn()
    conn.execute("BEGIN")  # the columns, the tags and the vectors from one snapshot
    try:
        phys, store, mat = _snapshot(backend, conn, kind, q.shape[1])
        masks = []
        for _k, query_filters in requests:
            mask = np.zeros(len(store.ids), dtype=bool)
            for f in _filters(query_filters):
                tagged = None
                if f.occupation:
                    tag = f"occ:{normalise_occupation_filter(f.occupation)}"
                    ids = np.array([r[0] for r in conn.execute(f'SELECT doc_id FROM "{phys}_tag" WHERE tag = ?', (tag,))],
                                   dtype=np.int64)
                    tagged = np.zeros(len(store.ids), dtype=bool)
                    tagged[store.positions(ids)] = True
                mask |= store.mask(f, tagged=tagged, adj_bits=emb._ADJ_BITS)
            masks.append(mask)
    finally:
        conn.execute("COMMIT")
    if len(mat.ids) != len(store.ids) or not np.array_equal(mat.ids, store.ids):
        raise RuntimeError("vector matrix and column store disagree; retry")
    # The scan: every vector read once, whatever the number of queries (one query: a matrix-vector
    # product, which BLAS runs faster than a one-column matrix product).
    scores = (mat.matrix @ q[0])[:, None] if q.shape[0] == 1 else mat.matrix @ q.T
    out: list[list[Neighbours]] = []
    for (k, _f), mask in zip(requests, masks):
        mask &= mat.present
        lists: list[Neighbours] = []
        for j in range(q.shape[0]):
            col = np.where(mask, scores[:, j], -np.inf)
            top = _top_k(col, k)
            lists.append([(int(mat.ids[i]), float(col[i])) for i in top])
        out.append(lists)
    return out


# --------------------------------------------------------------------------- Elasticsearch


def knn_body(vector: Sequence[float], k: int, filters: Sequence[SearchQuery], *, num_candidates: int | None = None) -> dict:
    """The request body of one kNN search (pure, for golden tests)."""
    from indexing.elasticsearch import filters as es_filters

    clauses = [{"bool": {"filter": es_filters(f)}} for f in filters]
    flt = clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}
    return {
        "knn": {
            "field": "vector",
            "query_vector": [float(x) for x in vector],
            "k": k,
            "num_candidates": num_candidates or min(10_000, max(100, 4 * k)),
            "filter": flt,
        },
        "size": k,
        "_source": False,
    }


_META_TTL = 5.0


def _es_space(backend, kind: Kind, model_id: str, dims: int) -> None:  # noqa: ANN001
    cache = backend.__dict__.setdefault("_vector_meta", {})
    hit = cache.get(kind)
    if hit is None or time.monotonic() - hit[0] > _META_TTL:
        hit = (time.monotonic(), backend.index_meta(kind))
        cache[kind] = hit
    check_space(hit[1], model_id=model_id, dims=dims)


def es_knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
           model_id: str) -> list[Neighbours]:
    return es_knn_sets(backend, kind, vectors, [(k, query_filters)], model_id=model_id)[0]


def es_knn_sets(backend, kind: Kind, vectors, requests: Sequence[tuple[int, SearchQuery | Sequence[SearchQuery]]],  # noqa: ANN001
                *, model_id: str) -> list[list[Neighbours]]:
    """Every (request, vector) pair as one kNN search, all in one msearch round trip."""
    q = _as_matrix(vectors)
    _es_space(backend, kind, model_id, q.shape[1])
    searches: list[dict] = []
    for k, query_filters in requests:
        for vec in q:
            searches.append({"index": backend.alias(kind)})
            searches.append(knn_body(vec, k, _filters(query_filters)))
    resp = backend._call(backend.client.msearch, searches=searches)
    flat: list[Neighbours] = []
    for r in resp["responses"]:
        if "error" in r:
            raise RuntimeError(f"kNN search failed: {r['error']}")
        # Elasticsearch scores cosine as (1 + cos) / 2; give callers the cosine itself.
        flat.append([(int(h["_id"]), 2.0 * float(h["_score"]) - 1.0) for h in r["hits"]["hits"]])
    n = q.shape[0]
    return [flat[i * n:(i + 1) * n] for i in range(len(requests))]


def knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
        model_id: str) -> list[Neighbours]:
    """The nearest listings for each query vector, through whichever backend this is."""
    if callable(getattr(backend, "knn", None)):
        return backend.knn(kind, _as_matrix(vectors), k, query_filters, model_id=model_id)
    if getattr(backend, "name", "") == "elasticsearch":
        return es_knn(backend, kind, vectors, k, query_filters, model_id=model_id)
    return embedded_knn(backend, kind, vectors, k, query_filters, model_id=model_id)


def knn_sets(backend, kind: Kind, vectors, requests: Sequence[tuple[int, SearchQuery | Sequence[SearchQuery]]], *,  # noqa: ANN001
             model_id: str) -> list[list[Neighbours]]:
    """Several (k, filters) requests for the same vectors in one pass (one scan, or one round trip)."""
    if getattr(backend, "name", "") == "elasticsearch":
        return es_knn_sets(backend, kind, vectors, requests, model_id=model_id)
    return embedded_knn_sets(backend, kind, vectors, requests, model_id=model_id)


def similarities(backend, kind: Kind, ids: Sequence[int], vectors, *, model_id: str) -> dict[int, list[float]]:  # noqa: ANN001
    """The exact cosine of each query vector with each listing of ``ids`` (listings without a vector
    are absent): after a cheap candidate search, every phrase of a resident scored on the few hundred
    candidates only. Embedded: read from the in-memory matrix. Elasticsearch: one kNN search per
    vector filtered to ``ids``, which the engine answers by an exact scan of just those documents."""
    q = _as_matrix(vectors)
    ids = sorted(set(int(i) for i in ids))
    if not ids or not len(q):
        return {}
    if getattr(backend, "name", "") == "elasticsearch":
        return _es_similarities(backend, kind, ids, q, model_id=model_id)
    stored = embedded_gather(backend, kind, ids, model_id=model_id, dims=q.shape[1])
    found = sorted(stored)
    if not found:
        return {}
    cos = np.stack([stored[i] for i in found]) @ q.T
    return {i: [float(x) for x in cos[n]] for n, i in enumerate(found)}


def _es_similarities(backend, kind: Kind, ids: list[int], q: np.ndarray, *, model_id: str) -> dict[int, list[float]]:  # noqa: ANN001
    _es_space(backend, kind, model_id, q.shape[1])
    searches: list[dict] = []
    for vec in q:
        searches.append({"index": backend.alias(kind)})
        searches.append({
            "knn": {"field": "vector", "query_vector": [float(x) for x in vec], "k": len(ids),
                    "num_candidates": len(ids), "filter": {"ids": {"values": [str(i) for i in ids]}}},
            "size": len(ids), "_source": False,
        })
    resp = backend._call(backend.client.msearch, searches=searches)
    out: dict[int, list[float]] = {}
    for j, r in enumerate(resp["responses"]):
        if "error" in r:
            raise RuntimeError(f"kNN search failed: {r['error']}")
        for h in r["hits"]["hits"]:
            out.setdefault(int(h["_id"]), [float("nan")] * len(q))[j] = 2.0 * float(h["_score"]) - 1.0
    return {i: v for i, v in out.items() if not any(np.isnan(v))}


def embedded_gather(backend, kind: Kind, ids: Sequence[int], *, model_id: str, dims: int) -> dict[int, np.ndarray]:  # noqa: ANN001
    """The stored vectors of ``ids`` from the in-memory matrix (ids without a vector are absent): for
    exact per-phrase similarities of a few hundred candidates without another scan."""
    check_space(backend.index_meta(kind), model_id=model_id, dims=dims)
    conn = backend._conn()
    conn.execute("BEGIN")
    try:
        _phys, _store, mat = _snapshot(backend, conn, kind, dims)
    finally:
        conn.execute("COMMIT")
    want = np.asarray(sorted(set(ids)), dtype=np.int64)
    pos = np.clip(np.searchsorted(mat.ids, want), 0, max(len(mat.ids) - 1, 0))
    ok = (mat.ids[pos] == want) if len(mat.ids) else np.zeros(len(want), dtype=bool)
    ok &= mat.present[pos] if len(mat.ids) else ok
    return {int(i): mat.matrix[p] for i, p in zip(want[ok], pos[ok])}

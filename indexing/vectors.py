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


def embedded_matrix(backend, conn, phys: str, gen: int, dims: int) -> VectorMatrix:  # noqa: ANN001
    cache = _cache(backend)
    hit = cache.get(phys)
    if hit is not None and hit[0] == gen:
        return hit[1]
    with _locks[id(backend)]:
        hit = cache.get(phys)
        if hit is None or hit[0] != gen:
            hit = (gen, load_matrix(conn, phys, dims))
            cache.clear()  # only the current physical index is kept in memory
            cache[phys] = hit
        return hit[1]


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row positions of the k best scores (ties by position), best first; -inf rows never returned."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) == 0:
        return finite
    if len(finite) > k:
        part = np.argpartition(-scores[finite], k - 1)[:k]
        finite = finite[part]
    return finite[np.lexsort((finite, -scores[finite]))]


def embedded_knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
                 model_id: str) -> list[Neighbours]:
    """Exact cosine kNN over the embedded index: one scan for all query vectors."""
    from indexing import embedded as emb

    q = _as_matrix(vectors)
    filters = [query_filters] if isinstance(query_filters, SearchQuery) else list(query_filters)
    meta = backend.index_meta(kind)
    check_space(meta, model_id=model_id, dims=q.shape[1])
    conn = backend._conn()
    conn.execute("BEGIN")  # the columns, the tags and the vectors from one snapshot
    try:
        row = conn.execute(
            "SELECT a.physical, coalesce(g.gen, 0) FROM search_alias a "
            "LEFT JOIN search_generation g ON g.physical = a.physical WHERE a.alias = ?",
            (backend._alias(kind),),
        ).fetchone()
        if row is None:
            raise LookupError(f"no embedded index for {kind}")
        phys, gen = row
        store = backend._store(conn, phys, gen)
        mat = embedded_matrix(backend, conn, phys, gen, q.shape[1])
        mask = np.zeros(len(store.ids), dtype=bool)
        for f in filters:
            tagged = None
            if f.occupation:
                tag = f"occ:{normalise_occupation_filter(f.occupation)}"
                ids = np.array([r[0] for r in conn.execute(f'SELECT doc_id FROM "{phys}_tag" WHERE tag = ?', (tag,))],
                               dtype=np.int64)
                tagged = np.zeros(len(store.ids), dtype=bool)
                tagged[store.positions(ids)] = True
            mask |= store.mask(f, tagged=tagged, adj_bits=emb._ADJ_BITS)
    finally:
        conn.execute("COMMIT")
    if len(mat.ids) != len(store.ids) or not np.array_equal(mat.ids, store.ids):
        raise RuntimeError("vector matrix and column store disagree; retry")
    mask &= mat.present
    scores = mat.matrix @ q.T  # the scan: every vector read once, whatever the number of queries
    out: list[Neighbours] = []
    for j in range(q.shape[0]):
        col = np.where(mask, scores[:, j], -np.inf)
        top = _top_k(col, k)
        out.append([(int(mat.ids[i]), float(col[i])) for i in top])
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


def es_knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
           model_id: str) -> list[Neighbours]:
    q = _as_matrix(vectors)
    filters = [query_filters] if isinstance(query_filters, SearchQuery) else list(query_filters)
    cache = backend.__dict__.setdefault("_vector_meta", {})
    hit = cache.get(kind)
    if hit is None or time.monotonic() - hit[0] > _META_TTL:
        hit = (time.monotonic(), backend.index_meta(kind))
        cache[kind] = hit
    check_space(hit[1], model_id=model_id, dims=q.shape[1])
    searches: list[dict] = []
    for vec in q:
        searches.append({"index": backend.alias(kind)})
        searches.append(knn_body(vec, k, filters))
    resp = backend._call(backend.client.msearch, searches=searches)
    out: list[Neighbours] = []
    for r in resp["responses"]:
        if "error" in r:
            raise RuntimeError(f"kNN search failed: {r['error']}")
        # Elasticsearch scores cosine as (1 + cos) / 2; give callers the cosine itself.
        out.append([(int(h["_id"]), 2.0 * float(h["_score"]) - 1.0) for h in r["hits"]["hits"]])
    return out


def knn(backend, kind: Kind, vectors, k: int, query_filters: SearchQuery | Sequence[SearchQuery], *,  # noqa: ANN001
        model_id: str) -> list[Neighbours]:
    """The nearest listings for each query vector, through whichever backend this is."""
    if getattr(backend, "name", "") == "elasticsearch":
        return es_knn(backend, kind, vectors, k, query_filters, model_id=model_id)
    return embedded_knn(backend, kind, vectors, k, query_filters, model_id=model_id)

"""The vector space an index holds, as both backends see it: its types, its one check, its one shape.

Every backend that can find listings by meaning (:class:`indexing.query.VectorSearch`) keeps the
vectors it was fed together with the model id and vector size they came from (its index metadata).
Indexing never makes a vector: whoever builds the backend passes vectors in (the ``vectors`` callable
of indexing.sync) and passes query vectors to ``knn`` with the model id that made them.

A query is refused when its encoder is not the one whose vectors the index holds: vectors of two
models are not comparable, and a mixed result would look right. Several filter queries may be given
to a kNN request; a listing passing any of them qualifies ("within 3 km" OR "home-based"), which a
single :class:`SearchQuery` cannot say.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from indexing.query import SearchQuery

NO_VECTORS = "none"
"""The model id of an index built without vectors (the model was unavailable): kNN refuses every query."""
Neighbours = list[tuple[int, float]]
"""(listing id, cosine similarity), best first."""
Filters = SearchQuery | Sequence[SearchQuery]
"""One filter query, or several: a listing passing any of them qualifies."""
KnnRequest = tuple[int, Filters]
"""(k, filters): the k nearest listings passing any of the filters."""


class VectorSpaceMismatch(RuntimeError):
    """The index holds vectors of another model (or none): reindex with the current encoder."""


def check_space(meta: dict, *, model_id: str, dims: int) -> None:
    """Refuse a query whose vectors are not of the model and size recorded in the index metadata."""
    if meta.get("model_id") != model_id:
        raise VectorSpaceMismatch(
            f"index holds vectors of {meta.get('model_id')!r}, the query was encoded by {model_id!r}; "
            "rebuild the index with the current model"
        )
    if int(meta.get("vector_dims", -1)) != dims:
        raise VectorSpaceMismatch(f"index vectors have {meta.get('vector_dims')} dimensions, the query {dims}")


def as_matrix(vectors: ArrayLike) -> np.ndarray:
    """Query vectors as a C-contiguous float32 matrix, one row per vector (a single vector is one row)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    return np.ascontiguousarray(arr)


def filter_list(query_filters: Filters) -> list[SearchQuery]:
    """One filter query or several (OR-ed), as a list."""
    return [query_filters] if isinstance(query_filters, SearchQuery) else list(query_filters)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row positions of the k best scores (ties by position), best first; -inf rows never returned."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) == 0:
        return finite
    if len(finite) > k:
        part = np.argpartition(-scores[finite], k - 1)[:k]
        finite = finite[part]
    return finite[np.lexsort((finite, -scores[finite]))]

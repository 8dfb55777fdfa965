"""The backend-neutral query, its result, and what a search backend can do (its protocols).

A :class:`SearchQuery` says what the user asked for; each backend translates it into its own dialect
(SQL over FTS5, an Elasticsearch request body, plain SQL for the degraded path). Results are ids in
rank order; rows are hydrated from the database by the search module, never from the engine.

What a backend can do is declared by the protocols it implements: :class:`LexicalSearch` (words and
filters; the database's degraded path too), :class:`VectorSearch` (kNN and exact similarities over the
vectors it was fed) and :class:`IndexStore` (its own index). A :class:`SearchBackend` is all three.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from indexing.documents import Kind, SearchDocument
from indexing.text import TermGroup, expand_query

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from indexing.vectors import Filters, KnnRequest, Neighbours


class Sort(str, enum.Enum):
    relevance = "relevance"
    distance = "distance"
    newest = "newest"
    wage = "wage"


# Facets counted for each kind. Counts are over every hit of the query with all filters applied.
FACETS: dict[str, tuple[str, ...]] = {
    "vacancy": ("community_code", "employment_type", "shift", "occupation_mid", "adjustments", "home_based"),
    "startup": ("community_code", "startup_kind", "occupation_mid", "home_based"),
}


class EngineUnavailable(RuntimeError):
    """The search engine cannot be reached; the caller answers from the database instead."""


@dataclass(frozen=True)
class SearchQuery:
    kind: Kind = "vacancy"
    text: str = ""
    today: date = field(default_factory=date.today)
    """Listings valid until before this day are not found, even before the sync removes them."""
    community_codes: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    """(lat, lon) of the resident's home: needed for the radius filter and the distance sort."""
    radius_km: float | None = None
    min_wage: int | None = None
    """The listing's top monthly wage is at least this."""
    max_hours_per_day: float | None = None
    max_days_per_week: int | None = None
    shifts: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    home_based: bool | None = None
    adjustments: tuple[str, ...] = ()
    """Every adjustment listed must be offered."""
    max_demands: tuple[tuple[str, int], ...] = ()
    """(domain, level): the listing demands at most this level in that functional domain."""
    occupation: str | None = None
    """An occupation code or group at any level (``4``, ``4-07``, ``4-07-05-01``)."""
    posted_since: datetime | None = None
    employer_id: int | None = None
    startup_kinds: tuple[str, ...] = ()
    sort: Sort = Sort.relevance
    page: int = 1
    per_page: int = 20
    facets: bool = True

    def __post_init__(self) -> None:
        if self.radius_km is not None and self.near is None:
            raise ValueError("radius_km needs near")
        if self.sort == Sort.distance and self.near is None:
            raise ValueError("sort by distance needs near")
        if self.page < 1 or not 1 <= self.per_page <= 100:
            raise ValueError("page from 1, per_page 1-100")

    @cached_property
    def groups(self) -> list[TermGroup]:
        return expand_query(self.text) if self.text else []

    @property
    def effective_sort(self) -> Sort:
        # Without words there is no relevance to rank by; the newest listings come first.
        return Sort.newest if self.sort == Sort.relevance and not self.groups else self.sort

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def bounding_box(self) -> tuple[float, float, float, float] | None:
        """(min_lat, max_lat, min_lon, max_lon) around ``near``: a cheap index-friendly prefilter."""
        if self.near is None or self.radius_km is None:
            return None
        lat, lon = self.near
        dlat = self.radius_km / 111.0
        dlon = self.radius_km / (111.0 * max(0.01, math.cos(math.radians(lat))))
        return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass
class SearchHits:
    ids: list[int]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class LexicalSearch(Protocol):
    """Finds listings by words and filters, and completes typed titles: every backend, and the database."""

    name: str
    """Which engine answered ("embedded", "elasticsearch", "database"): shown to staff, never dispatched on."""

    def search(self, query: SearchQuery) -> SearchHits: ...

    def suggest(self, kind: Kind, prefix: str, *, today: date, limit: int = 8) -> list[str]: ...


class VectorSearch(Protocol):
    """Finds listings by meaning: the vectors it was fed (indexing/vectors.py), compared by cosine.

    Every call names the model that made the query vectors; a backend refuses (VectorSpaceMismatch) a
    model or a vector size other than its index's. ``filters`` filter as in search: one SearchQuery or
    several, OR-ed."""

    def knn_sets(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest], *,
                 model_id: str) -> list[list[Neighbours]]:
        """For each (k, filters) request, for each query vector (rows of ``vectors``): its nearest
        listings, all answered in one pass (one scan of the vectors, or one round trip)."""
        ...

    def knn_and_search(self, kind: Kind, vectors: ArrayLike, requests: Sequence[KnnRequest],
                       queries: Sequence[SearchQuery], *, model_id: str) -> tuple[list[list[Neighbours]],
                                                                                  list[SearchHits]]:
        """``knn_sets(kind, vectors, requests)`` and ``search(q)`` of each of ``queries``, answered together:
        what matching asks for one resident (the kNN within the limits and of the pool, and the words'
        queries) in one round trip to a remote engine, or in process with the words searched beside the
        vector scan."""
        ...

    def similarities(self, kind: Kind, ids: Sequence[int], vectors: ArrayLike, *,
                     model_id: str) -> dict[int, list[float]]:
        """The exact cosine of each query vector with each listing of ``ids`` (listings without a vector
        are absent): after a cheap candidate search, every phrase scored on the candidates only."""
        ...

    def knn(self, kind: Kind, vector: ArrayLike, k: int, filters: Filters, *,
            model_id: str) -> Neighbours:
        """The ``k`` nearest listings of one query vector."""
        return self.knn_sets(kind, np.asarray(vector, dtype=np.float32)[None, :], [(k, filters)],
                             model_id=model_id)[0][0]


class IndexStore(Protocol):
    """Holds the listings' documents: created, written, rebuilt behind an alias, described."""

    def ping(self) -> bool: ...

    def ensure_indexes(self, *, vector_dims: int, model_id: str) -> None: ...

    def upsert(self, kind: Kind, docs: Sequence[SearchDocument]) -> None: ...

    def delete(self, kind: Kind, ids: Sequence[int]) -> None: ...

    def refresh(self, kind: Kind) -> None: ...

    def rebuild(self, kind: Kind, docs: Iterable[SearchDocument], *, vector_dims: int, model_id: str) -> int:
        """Fill a new index, then point the alias at it in one atomic step; returns documents written."""
        ...

    def index_meta(self, kind: Kind) -> dict:
        """The index's name, and the model id and vector size its vectors came from."""
        ...

    def count(self, kind: Kind) -> int: ...

    def close(self) -> None: ...


class SearchBackend(LexicalSearch, VectorSearch, IndexStore, Protocol):
    """A search engine: words, meaning, and an index of its own (embedded, Elasticsearch)."""


def merge_facet(counts: dict[str, dict[str, int]], name: str, values: Iterable[object]) -> None:
    bucket = counts.setdefault(name, {})
    for v in values:
        if v is None:
            continue
        key = "true" if v is True else "false" if v is False else str(v)
        bucket[key] = bucket.get(key, 0) + 1

"""Candidates for a resident: vector and lexical retrieval with the hard limits as filters, fused.

Vector side, the same on both backends: one search with the centroid of the resident's phrases
finds the candidates within the limits (and, in the same scan or round trip, the pool of related
jobs with no limit applied, over which the removal counts are taken); each phrase's exact cosine
with each candidate is then taken by the matcher (estation.matching.service). Lexical side: the
engine's own query for the shortest phrases (job words). The two are fused by reciprocal rank
fusion, chosen on the evaluation set (benchmarks/results/matching.md).

If the engine is down, the index was never built, or it holds vectors of another model, the
database answers the lexical side and the candidates' vectors are encoded on the spot.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from estation.matching.limits import JobFacts, ResidentLimits, search_filters
from estation.matching.scoring import Profile, rrf
from indexing.database import DatabaseSearch
from indexing.query import EngineUnavailable, SearchQuery, Sort
from indexing.vectors import VectorSpaceMismatch

log = logging.getLogger("estation.matching")

FUSIONS = ("rrf", "vector", "lexical")
# A resident's items are short phrases that recur (收银, 保洁, 腿脚不便): encoded once per process.
_QUERY_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERY_LOCK = threading.Lock()


@dataclass
class Retrieved:
    candidates: list[int]
    """Ids passing the engine's filters, in fused order."""
    pool: list[int]
    """Ids related to the resident's words with no limit applied: the removal counts are taken here."""
    vector: list[int] = field(default_factory=list)
    lexical: list[int] = field(default_factory=list)
    backend: str = "embedded"
    degraded: bool = False


def limit_filters(limits: ResidentLimits, *, kind: str, today: date, per_page: int = 100) -> list[SearchQuery]:
    """The hard limits as engine queries, OR-ed: within reach, or home-based (at any distance)."""
    filters = search_filters(limits)
    if kind == "startup":
        filters.pop("max_hours_per_day")  # an opportunity has no working hours; a range filter would drop it
    base = SearchQuery(kind=kind, today=today, per_page=per_page, facets=False, sort=Sort.relevance, **filters)
    if limits.home_based_only:
        return [replace(base, home_based=True)]
    if limits.home is None:
        return [base]
    return [replace(base, near=limits.home, radius_km=limits.max_travel_km), replace(base, home_based=True)]


class Retriever:
    def __init__(self, search, encoder, *, k_vector: int = 60, k_lexical: int = 30, pool_k: int = 25,
                 max_lexical_items: int = 3, max_candidates: int = 80, fusion: str = "rrf", store=None) -> None:
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        self.search = search
        self.encoder = encoder
        self.store = store
        """A VectorStore (estation.matching.vectors) or None: residents' phrases encoded once, kept across
        restarts and shared by the app's processes (an employer's candidates page reads hundreds)."""
        self.k_vector, self.k_lexical, self.pool_k = k_vector, k_lexical, pool_k
        self.max_lexical_items, self.max_candidates, self.fusion = max_lexical_items, max_candidates, fusion
        self.degraded_candidates = 40
        self._doc_cache: OrderedDict[tuple, np.ndarray] = OrderedDict()

    # -- encoding, cached: a resident's items and the listings change rarely --------------------------
    # Both caches are keyed by the text itself: a changed profile or listing asks for new keys, so
    # nothing cached is ever stale and no write needs to clear them.

    def encode_items(self, texts: Sequence[str]) -> np.ndarray:
        model = self.encoder.model_id
        with _QUERY_LOCK:
            missing = [t for t in dict.fromkeys(texts) if (model, t) not in _QUERY_CACHE]
        if missing:
            if self.store is not None:
                encoded = self.store.encode(self.encoder, missing, queries=True)
            else:
                encoded = self.encoder.encode_queries(missing)
            with _QUERY_LOCK:
                for t, v in zip(missing, encoded):
                    _QUERY_CACHE[(model, t)] = v
                while len(_QUERY_CACHE) > 20000:
                    _QUERY_CACHE.popitem(last=False)
        if not texts:
            return np.empty((0, self.encoder.dim), dtype=np.float32)
        with _QUERY_LOCK:
            return np.stack([_QUERY_CACHE[(model, t)] for t in texts])

    def encode_jobs(self, jobs: Sequence[JobFacts]) -> np.ndarray:
        def key(j: JobFacts) -> tuple:
            return (self.encoder.model_id, j.kind, j.id, j.text)

        missing = [j for j in jobs if key(j) not in self._doc_cache]
        if missing:
            for j, v in zip(missing, self.encoder.encode_documents([j.text for j in missing])):
                self._doc_cache[key(j)] = v
            while len(self._doc_cache) > 20000:
                self._doc_cache.popitem(last=False)
        if not jobs:
            return np.empty((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._doc_cache[key(j)] for j in jobs])

    # -- retrieval -----------------------------------------------------------------------------------

    def lexical_items(self, profile: Profile) -> list[str]:
        """The items the lexical side searches for: short job words first (收银, 保洁), they match
        listings; long sentences rarely match word for word. Deterministic in the item set."""
        texts = sorted(profile.texts, key=lambda t: (len(t), t))
        return texts[: self.max_lexical_items]

    def retrieve(self, session, *, kind: str, profile: Profile, limits: ResidentLimits, today: date,
                 item_vectors: np.ndarray) -> Retrieved:
        filters = limit_filters(limits, kind=kind, today=today, per_page=self.k_lexical)
        backend = self.search.backend
        try:
            if not len(item_vectors):
                lexical = self._lexical(backend, profile, filters)
                return Retrieved(candidates=lexical[: self.max_candidates], pool=[], lexical=lexical,
                                 backend=backend.name)
            return self._both(backend, kind=kind, profile=profile, filters=filters, today=today,
                              item_vectors=item_vectors)
        except (EngineUnavailable, LookupError, VectorSpaceMismatch) as exc:
            log.warning("matching retrieval degraded to the database: %s", exc)
            return self._degraded(session, kind=kind, profile=profile, filters=filters, today=today)

    @staticmethod
    def _centroid(item_vectors: np.ndarray) -> np.ndarray:
        centroid = item_vectors.mean(axis=0)
        return (centroid / max(float(np.linalg.norm(centroid)), 1e-12))[None, :]

    def _knn_requests(self, kind: str, filters: list[SearchQuery], today: date) -> list:
        return [(2 * self.k_vector, filters), (2 * self.pool_k, SearchQuery(kind=kind, today=today))]

    def _both(self, backend, *, kind: str, profile: Profile, filters: list[SearchQuery], today: date,
              item_vectors: np.ndarray) -> Retrieved:
        """One query vector (the profile's centroid) finds the candidates, within the limits, and the pool
        of related jobs with no limit applied; the words' queries are asked together with it (one round
        trip to Elasticsearch; in process, beside the scan): the search costs one vector, not one per phrase."""
        (near, pool), hits = backend.knn_and_search(kind, self._centroid(item_vectors),
                                                    self._knn_requests(kind, filters, today),
                                                    self._lexical_queries(profile, filters),
                                                    model_id=self.encoder.model_id)
        return self._retrieved(backend, near[0], pool[0], rrf([h.ids for h in hits]) if hits else [])

    def _retrieved(self, backend, near, pool, lexical: list[int]) -> Retrieved:
        vector_order = [d for d, _ in near]
        candidates = self._fuse(vector_order, lexical)
        pool_ids = sorted(d for d, _ in pool)
        return Retrieved(candidates=candidates, pool=pool_ids, vector=vector_order, lexical=lexical,
                         backend=backend.name)

    def _fuse(self, vector: list[int], lexical: list[int]) -> list[int]:
        if self.fusion == "vector":
            fused = vector
        elif self.fusion == "lexical":
            fused = lexical
        else:
            fused = rrf([vector, lexical])
        return fused[: self.max_candidates]

    def _lexical_queries(self, profile: Profile, filters: list[SearchQuery]) -> list[SearchQuery]:
        if self.fusion == "vector":
            return []
        # Words find listings within reach (or, for a home-only resident, home-based ones); home-based
        # listings farther away come from the vector side. One query per item keeps this cheap.
        queries = [replace(filters[0], text=text) for text in self.lexical_items(profile)]
        return [q for q in queries if q.groups]

    def _lexical(self, backend, profile: Profile, filters: list[SearchQuery]) -> list[int]:
        rankings = [backend.search(q).ids for q in self._lexical_queries(profile, filters)]
        return rrf(rankings) if rankings else []

    def _degraded(self, session, *, kind: str, profile: Profile, filters: list[SearchQuery], today: date) -> Retrieved:
        db = DatabaseSearch(session)
        rankings = []
        for text in self.lexical_items(profile) or [""]:
            for f in filters:
                rankings.append(db.search(replace(f, text=text, per_page=self.k_vector)).ids)
        # Each candidate is encoded here, which is slow on a small CPU: keep the list short.
        candidates = rrf(rankings)[: self.degraded_candidates]
        pool_rankings = [db.search(SearchQuery(kind=kind, text=t, today=today, per_page=self.pool_k, facets=False)).ids
                         for t in self.lexical_items(profile)]
        pool = sorted({d for r in pool_rankings for d in r})
        return Retrieved(candidates=candidates, pool=pool, lexical=candidates, backend="database", degraded=True)

"""How alike two jobs are: the encoder's cosine, the characters their titles share, and their occupations.

The encoder alone ranks 宠物保姆 next to 保姆 and 技术操作员 next to 叉车操作员: close in its space, other
jobs. A character n-gram overlap alone does the same for other reasons. What the product knows settles
most of these: the occupation classification. A candidate whose occupation (the employer's code, or the
one read from its title) is the one the query names — or that the query's words fit well (the
occupation index's score for that code: names, aliases and the synonym lexicon) — is the same job.

:data:`WEIGHTS` were chosen on the tuning half of the title benchmark (estation/matching/evaluation/titles.py)
and are reported on its other half (benchmarks/results/matching.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from estation import clock
from estation.matching.encoder import BANDS
from estation.matching.limits import job_facts, listing_over
from estation.matching.titles import clean_title, ngram_matrix
from indexing.query import EngineUnavailable, SearchQuery
from indexing.vectors import VectorSpaceMismatch



@dataclass(frozen=True)
class SimilarityWeights:
    encoder: float
    ngram: float
    occupation: float
    cos_low: float
    cos_high: float


WEIGHTS = SimilarityWeights(encoder=0.3, ngram=0.2, occupation=0.8, cos_low=BANDS.title[0], cos_high=BANDS.title[1])


class QueryOccupations:
    """What the query's words say about each occupation: its code if known, and the index's fit of every
    other code (the index's combined score over its greatest possible value, 0..1)."""

    def __init__(self, index, title: str, vector: np.ndarray | None, code: str | None = None) -> None:
        self.code = code
        self._row = {c: i for i, c in enumerate(index.codes)} if index is not None else {}
        self.fit = np.zeros(0, dtype=np.float32)
        if index is not None and vector is not None:
            combined, _ = index.combine(*index.features(title, vector))
            t = index.tuning
            self.fit = combined / (t.label + t.passage + t.words)

    def agreement(self, code: str | None) -> float:
        if not code:
            return 0.0
        if self.code and code == self.code:
            return 1.0
        row = self._row.get(code)
        return float(np.clip(self.fit[row], 0.0, 1.0)) if row is not None and len(self.fit) else 0.0


def combine(cos, ngram, agreement, weights: SimilarityWeights = WEIGHTS):
    """The combined similarity, 0..1, of numbers or arrays alike: the squashed cosine, the titles' character
    n-gram overlap (estation.matching.titles), the occupation agreement (:class:`QueryOccupations`)."""
    squashed = np.clip((np.asarray(cos) - weights.cos_low) / (weights.cos_high - weights.cos_low), 0.0, 1.0)
    return weights.encoder * squashed + weights.ngram * np.asarray(ngram) + weights.occupation * np.asarray(agreement)


POOL = 150
"""Candidates the encoder proposes before the combination reorders them (more when more are asked for)."""


@dataclass
class SimilarJob:
    id: int
    title: str
    employer_name: str
    similarity: float
    row: object = None


def similar_jobs(matcher, session: Session, *, vacancy=None, title: str | None = None, limit: int = 10,
                 today: date | None = None) -> list[SimilarJob]:
    """Open vacancies most like a vacancy (itself excluded) or a bare job title: the encoder's nearest
    listings, ordered by :func:`combine` (cosine, title n-grams, occupation agreement)."""
    from estation.matching.service import load_jobs

    today = today or clock.today()
    if vacancy is not None:
        text, query_title = job_facts(vacancy, kind="vacancy").text, vacancy.title
        code, exclude = vacancy.occupation_code or vacancy.inferred_occupation_code, {vacancy.id}
    else:
        text = query_title = (title or "").strip()
        code, exclude = None, set()
    if not text:
        return []
    vec = matcher.retriever.encode_items([text])
    query = SearchQuery(kind="vacancy", today=today)
    backend = matcher.search.backend
    pool = max(POOL, 3 * limit)
    try:
        hits = backend.knn("vacancy", vec[0], pool + len(exclude), query, model_id=matcher.model_id)
        cos = {i: s for i, s in hits if i not in exclude}
        jobs = load_jobs(session, "vacancy", list(cos))
    except (EngineUnavailable, LookupError, VectorSpaceMismatch):
        # No usable index: the words decide which listings to compare, the model ranks them.
        from indexing.database import DatabaseSearch

        ids = DatabaseSearch(session).search(replace(query, text=query_title, per_page=100, facets=False)).ids
        jobs = load_jobs(session, "vacancy", [i for i in ids if i not in exclude])
        facts = [f for f, _ in jobs.values()]
        sims = matcher.retriever.encode_jobs(facts) @ vec[0] if facts else np.empty(0)
        cos = {f.id: float(c) for f, c in zip(facts, sims)}
    # Closed or expired since it was indexed: gone.
    found = [(f, row) for i, (f, row) in jobs.items() if i in cos and not listing_over(f, today=today)]
    if not found:
        return []
    index = matcher.occupations
    said = QueryOccupations(index, query_title, index.encode([query_title])[0] if index is not None else None, code)
    ngram = ngram_matrix([clean_title(query_title)], [clean_title(f.title) for f, _ in found])[0]
    agreement = [said.agreement(f.occupation_codes[0] if f.occupation_codes else None) for f, _ in found]
    score = combine(np.array([cos[f.id] for f, _ in found]), ngram, np.array(agreement))
    ranked = sorted(zip(found, score), key=lambda t: (-t[1], t[0][0].id))[:limit]
    return [SimilarJob(f.id, f.title, f.employer_name, round(float(s), 4), row) for (f, row), s in ranked]

"""Matching residents with jobs: retrieval, hard limits, score, explanation.

:class:`Matcher` is built once per process (estation.matching.runtime) with the encoder and the
search service; everything it decides is done by the pure functions of limits.py, scoring.py and
explain.py on rows read from the database, so the tests can check the rules without the engine.

The module-level functions at the end (``recommend``, ``residents_for_vacancy``, ``match_household``)
are the entry points the kiosk, the employer pages and the cadres' ledger look up by name.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation import clock
from estation.geo import walking_minutes
from estation.jobs.models import Employer, Occupation, StartupOpportunity, Vacancy
from estation.matching.explain import explain, removed_summary
from estation.matching.limits import (
    JobFacts,
    ResidentLimits,
    describe_limits,
    job_facts,
    removal_counts,
    violations,
)
from estation.matching.retrieval import Retrieved, Retriever
from estation.matching.schemas import JobMatchOut
from estation.matching.scoring import COS_FLOOR, WEIGHTS, Profile, Scored, profile_of, rank, score_job
from indexing.query import EngineUnavailable
from indexing.vectors import VectorSpaceMismatch, similarities

log = logging.getLogger("estation.matching")


class JobMatch(JobMatchOut):
    """One recommended job as the API shows it, plus its ORM row for the templates."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    row: object = Field(default=None, exclude=True, repr=False)
    """The Vacancy or StartupOpportunity row (for templates); never serialised."""

    @property
    def vacancy(self):  # noqa: ANN201 - what the kiosk template reads
        return self.row


@dataclass
class Recommendations:
    items: list[JobMatch]
    removed: dict[str, int]
    """Limit key -> jobs of the pool that limit ruled out."""
    removed_lines: list[str]
    limits: list[str]
    """The resident's limits in plain Chinese: what shaped this list."""
    pool: int
    backend: str
    degraded: bool = False
    resident_id: int | None = None
    kind: str = "vacancy"


def load_jobs(session: Session, kind: str, ids: Sequence[int]) -> dict[int, tuple[JobFacts, object]]:
    """Facts and ORM rows (with employer and occupation) for ``ids``; ids whose row is gone are absent."""
    if not ids:
        return {}
    if kind == "vacancy":
        stmt = select(Vacancy).where(Vacancy.id.in_(list(ids))).options(
            selectinload(Vacancy.employer), selectinload(Vacancy.occupation))
    else:
        stmt = select(StartupOpportunity).where(StartupOpportunity.id.in_(list(ids)))
    return {row.id: (job_facts(row, kind=kind), row) for row in session.scalars(stmt)}


_VACANCY_COLUMNS = ("id", "title", "description", "occupation_code", "inferred_occupation_code", "lat", "lon",
                    "demands", "hours_per_day", "days_per_week", "home_based", "adjustments", "wage_min", "wage_max",
                    "status", "valid_until", "shift", "employment_type")


def load_facts(session: Session, kind: str, ids: Sequence[int]) -> dict[int, JobFacts]:
    """Only the facts, read as plain columns: the candidate pool is hundreds of rows per request, and
    building ORM objects for rows that are only checked and scored would cost more than the search."""
    if kind != "vacancy" or not ids:
        return {i: f for i, (f, _r) in load_jobs(session, kind, ids).items()}
    cols = [getattr(Vacancy, c) for c in _VACANCY_COLUMNS]
    stmt = (select(*cols, Employer.name, Occupation.name)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .outerjoin(Occupation, Occupation.code == Vacancy.occupation_code)
            .where(Vacancy.id.in_(list(ids))))
    out = {}
    for r in session.execute(stmt):
        values = dict(zip(_VACANCY_COLUMNS, r))
        row = SimpleNamespace(**values, employer=SimpleNamespace(name=r[-2]),
                              occupation=SimpleNamespace(name=r[-1]) if r[-1] else None)
        out[row.id] = job_facts(row, kind="vacancy")
    return out


class Matcher:
    def __init__(self, *, encoder, search, weights: dict[str, float] | None = None, fusion: str = "rrf",  # noqa: ANN001
                 occupations=None, store=None) -> None:  # noqa: ANN001
        self.encoder = encoder
        self.search = search
        self.store = store
        """An EmbeddingStore (estation.matching.vectors) or None: the listings' vectors by text."""
        self.weights = dict(weights or WEIGHTS)
        self.retriever = Retriever(search, encoder, fusion=fusion)
        self.occupations = occupations
        """An OccupationIndex (estation.matching.occupations) or None: resident words -> occupation codes."""

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    # -- the core: a profile and limits -> ranked, explained jobs ------------------------------------

    def resident_codes(self, profile: Profile, vectors=None) -> tuple[str, ...]:  # noqa: ANN001
        """Stated codes plus each item's confident classification (a union: adding words only adds)."""
        codes = set(profile.occupation_codes)
        if self.occupations is not None:
            for n, text in enumerate(profile.texts):
                vec = vectors[n] if vectors is not None and len(vectors) > n else None
                codes.update(m.code for m in self.occupations.confident(text, vector=vec))
        return tuple(sorted(codes))

    def match_profile(self, session: Session, *, profile: Profile, limits: ResidentLimits, today: date | None = None,
                      limit: int = 10, kind: str = "vacancy", rows: bool = True) -> Recommendations:
        """``rows``: also read the ORM rows of the results (templates need them; JSON does not)."""
        today = today or clock.today()
        vectors = self.retriever.encode_items(profile.texts)
        got = self.retriever.retrieve(session, kind=kind, profile=profile, limits=limits, today=today,
                                      item_vectors=vectors)
        jobs = load_facts(session, kind, sorted(set(got.candidates) | set(got.pool)))
        sims = self._similarities(got, jobs, vectors, kind)
        codes = self.resident_codes(profile, vectors)
        scored: list[Scored] = []
        for job_id in got.candidates:
            if job_id not in jobs:
                continue  # the index still holds a listing the database no longer has
            facts = jobs[job_id]
            broken = violations(facts, limits, today=today)
            if broken:
                # Defence in depth: the engine's filters should have removed it already.
                log.warning("index returned %s %s breaking %s; dropped", kind, job_id, broken)
                continue
            scored.append(score_job(profile, limits, facts, sims[job_id], resident_codes=codes, weights=self.weights))
        ranked = rank(scored)[:limit]
        pool = [jobs[i] for i in got.pool if i in jobs]
        counts = removal_counts(pool, limits, today=today)
        found = {i: r for i, (_f, r) in load_jobs(session, kind, [s.job.id for s in ranked]).items()} if rows else {}
        return Recommendations(
            items=[self._item(s, limits, found.get(s.job.id)) for s in ranked],
            removed=dict(sorted(counts.items())),
            removed_lines=removed_summary(counts, limits, pool=len(pool)),
            limits=describe_limits(limits),
            pool=len(pool),
            backend=got.backend,
            degraded=got.degraded,
            kind=kind,
        )

    def _similarities(self, got: Retrieved, jobs: dict, vectors, kind: str) -> dict[int, list[float]]:  # noqa: ANN001
        """The exact cosine of each of the resident's phrases with each candidate: from the embedding
        store (by the listing's text), else from the index's vectors (a listing indexed without one
        gets no semantic credit), else, with no usable index, encoded here: slow, which is why the
        degraded candidate budget is small."""
        ids = [i for i in got.candidates if i in jobs]
        if not ids or not len(vectors):
            return {i: [0.0] * len(vectors) for i in ids}
        sims: dict[int, list[float]] = {}
        if not got.degraded:
            if self.store is not None:
                stored = self.store.lookup(self.model_id, [jobs[i].text for i in ids])
                have = [(i, v) for i, v in zip(ids, stored) if v is not None]
                if have:
                    cos = np.stack([v for _, v in have]) @ vectors.T
                    sims = {i: [float(x) for x in cos[n]] for n, (i, _) in enumerate(have)}
            missing = [i for i in ids if i not in sims]
            try:
                sims |= similarities(self.search.backend, kind, missing, vectors, model_id=self.model_id)
                floor = [COS_FLOOR - 0.05] * len(vectors)
                return {i: sims.get(i, floor) for i in ids}
            except (EngineUnavailable, LookupError, VectorSpaceMismatch) as exc:
                log.warning("index vectors unavailable, encoding the candidates here: %s", exc)
        missing = [i for i in ids if i not in sims]
        if missing:
            cos = self.retriever.encode_jobs([jobs[i] for i in missing]) @ vectors.T
            sims |= {i: [float(x) for x in cos[n]] for n, i in enumerate(missing)}
        return sims

    def _item(self, s: Scored, limits: ResidentLimits, row) -> JobMatch:  # noqa: ANN001
        e = explain(s, limits)
        j = s.job
        dist = round(s.distance_km, 2) if s.distance_km is not None else None
        return JobMatch(
            kind=j.kind, id=j.id, title=j.title, employer_name=j.employer_name, score=s.score,
            components={k: round(v, 4) for k, v in s.components.items()}, reasons=e.reasons, limits=e.limits,
            explanation=e.text, distance_km=dist,
            walking_minutes=walking_minutes(dist) if dist is not None and not j.home_based else None,
            hours_per_day=j.hours_per_day, wage_min=j.wage_min, wage_max=j.wage_max, home_based=j.home_based, row=row,
        )

    # -- residents ------------------------------------------------------------------------------------

    def recommend(self, session: Session, *, resident, limit: int = 10, today: date | None = None,  # noqa: ANN001
                  kind: str = "vacancy", rows: bool = True) -> Recommendations:
        result = self.match_profile(session, profile=profile_of(resident), limits=ResidentLimits.of(resident),
                                    today=today, limit=limit, kind=kind, rows=rows)
        result.resident_id = resident.id
        return result

    def occupation_names(self, session: Session, codes: Sequence[str]) -> dict[str, str]:
        if not codes:
            return {}
        return dict(session.execute(select(Occupation.code, Occupation.name).where(Occupation.code.in_(list(codes)))).all())


# --------------------------------------------------------------------------- entry points by name
# Looked up by the kiosk (recommend), the employer pages (residents_for_vacancy) and the cadres'
# ledger (match_household). They use the matcher of the running app; MatchingUnavailable (503) if
# the model could not be loaded.


def recommend(session: Session, *, resident, limit: int = 10, state=None) -> list[JobMatch]:  # noqa: ANN001
    from estation.matching.runtime import current_matcher

    return current_matcher(state).recommend(session, resident=resident, limit=limit).items


def residents_for_vacancy(session: Session, *, vacancy, limit: int = 20, state=None) -> list:  # noqa: ANN001
    """Consenting residents who fit the vacancy, best first (each has ``.resident`` and ``.score``)."""
    from estation.matching.runtime import current_matcher
    from estation.matching.vacancies import residents_for_vacancy as find

    return find(current_matcher(state), session, vacancy=vacancy, limit=limit, consented_only=True)


def match_household(session: Session, *, household_id: int, state=None):  # noqa: ANN001, ANN201
    from estation.errors import NotFound
    from estation.labour.models import Household
    from estation.matching.households import match_household as run
    from estation.matching.runtime import current_matcher

    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("家庭不存在")
    return run(current_matcher(state), session, household=household)

"""The vacancy's side: which residents fit it (for employers, masked) and which open jobs are like it.

Residents are checked with the same hard limits and scored with the same function as in a
resident's own recommendations, so a resident shown to an employer would also see that job.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.labour.models import EmploymentStatus, Resident, WorkCapacity
from estation.matching.explain import explain
from estation.matching.households import working_age
from estation.matching.limits import ResidentLimits, job_facts, listing_over, violations
from estation.matching.scoring import profile_of, score_job
from indexing.query import EngineUnavailable, SearchQuery
from indexing.vectors import VectorSpaceMismatch, knn

SEEKING = (EmploymentStatus.registered_unemployed, EmploymentStatus.flexible, EmploymentStatus.out_of_labour_force)


@dataclass
class ResidentFit:
    resident: Resident
    score: float
    reasons: list[str]
    limits: list[str]
    distance_km: float | None


def residents_for_vacancy(matcher, session: Session, *, vacancy, limit: int = 20, consented_only: bool = True,  # noqa: ANN001
                          today: date | None = None) -> list[ResidentFit]:
    today = today or clock.today()
    job = job_facts(vacancy, kind="vacancy")
    if listing_over(job, today=today):
        return []  # closed or expired: nobody is recommended for it
    stmt = select(Resident).where(Resident.work_capacity != WorkCapacity.none,
                                  Resident.employment_status.in_(SEEKING)).order_by(Resident.id)
    if consented_only:
        stmt = stmt.where(Resident.consent_to_employers.is_(True))
    people = [r for r in session.scalars(stmt) if working_age(r, today)]
    job_vec = matcher.retriever.encode_jobs([job])[0]
    fits: list[ResidentFit] = []
    for r in people:
        limits = ResidentLimits.of(r)
        if violations(job, limits, today=today):
            continue
        profile = profile_of(r)
        vectors = matcher.retriever.encode_items(profile.texts)
        sims = [float(x) for x in (vectors @ job_vec)] if len(vectors) else []
        s = score_job(profile, limits, job, sims, resident_codes=matcher.resident_codes(profile, vectors),
                      weights=matcher.weights)
        e = explain(s, limits)
        fits.append(ResidentFit(r, s.score, e.reasons, e.limits,
                                round(s.distance_km, 1) if s.distance_km is not None else None))
    fits.sort(key=lambda f: (-f.score, f.resident.id))
    return fits[:limit]


@dataclass
class SimilarJob:
    id: int
    title: str
    employer_name: str
    similarity: float
    row: object = None


def similar_jobs(matcher, session: Session, *, vacancy=None, title: str | None = None, limit: int = 10,  # noqa: ANN001
                 today: date | None = None) -> list[SimilarJob]:
    """Open vacancies closest in meaning to a vacancy (itself excluded) or to a bare job title."""
    from estation.matching.service import load_jobs

    today = today or clock.today()
    if vacancy is not None:
        text = job_facts(vacancy, kind="vacancy").text
        exclude = {vacancy.id}
    else:
        text, exclude = (title or "").strip(), set()
    if not text:
        return []
    vec = matcher.retriever.encode_items([text])
    query = SearchQuery(kind="vacancy", today=today)
    backend = matcher.search.backend
    try:
        hits = knn(backend, "vacancy", vec, limit + len(exclude), query, model_id=matcher.model_id)[0]
        ranked = [(i, s) for i, s in hits if i not in exclude]
    except (EngineUnavailable, LookupError, VectorSpaceMismatch):
        # No usable index: the words decide which listings to compare, the model ranks them.
        from indexing.database import DatabaseSearch

        ids = DatabaseSearch(session).search(replace(query, text=title or (vacancy.title if vacancy else ""),
                                                     per_page=100, facets=False)).ids
        jobs = load_jobs(session, "vacancy", [i for i in ids if i not in exclude])
        facts = [f for f, _ in jobs.values()]
        docs = matcher.retriever.encode_jobs(facts)
        cos = docs @ vec[0] if len(facts) else np.empty(0)
        ranked = sorted(((f.id, float(c)) for f, c in zip(facts, cos)), key=lambda t: (-t[1], t[0]))
    rows = load_jobs(session, "vacancy", [i for i, _ in ranked[:limit]])
    out = []
    for i, sim in ranked[:limit]:
        if i not in rows:
            continue
        facts, row = rows[i]
        if listing_over(facts, today=today):
            continue  # closed or expired since it was indexed
        out.append(SimilarJob(i, facts.title, facts.employer_name, round(sim, 4), row))
    return out

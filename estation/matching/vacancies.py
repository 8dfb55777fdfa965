"""The vacancy's side: which residents fit it (for employers, masked); which jobs are like it is in similarity.py.

Residents are checked with the same hard limits and scored with the same function as in a
resident's own recommendations, so a resident shown to an employer would also see that job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.labour.models import EmploymentStatus, Resident, WorkCapacity
from estation.matching import explain
from estation.matching.eligibility import eligibility
from estation.matching.limits import ResidentLimits, job_facts, listing_over, violations
from estation.matching.schemas import Reason
from estation.matching.scoring import profile_of, score_job

SEEKING = (EmploymentStatus.registered_unemployed, EmploymentStatus.flexible, EmploymentStatus.out_of_labour_force)


@dataclass
class ResidentFit:
    resident: Resident
    score: float
    reasons: list[Reason]
    distance_km: float | None


def residents_for_vacancy(matcher, session: Session, *, vacancy, limit: int = 20, consented_only: bool = True,
                          today: date | None = None) -> list[ResidentFit]:
    today = today or clock.today()
    job = job_facts(vacancy, kind="vacancy")
    if listing_over(job, today=today):
        return []  # closed or expired: nobody is recommended for it
    stmt = select(Resident).where(Resident.work_capacity != WorkCapacity.none,
                                  Resident.employment_status.in_(SEEKING)).order_by(Resident.id)
    if consented_only:
        stmt = stmt.where(Resident.consent_to_employers.is_(True))
    people = [r for r in session.scalars(stmt) if eligibility(r, today).matched]
    job_vec = matcher.retriever.encode_jobs([job])[0]
    names = matcher.occupation_names(session, list(job.occupation_codes))
    within = [(r, limits) for r in people if not violations(job, limits := ResidentLimits.of(r), today=today)]
    profiles = [profile_of(r) for r, _ in within]
    # Every phrase not encoded yet, in one batch (read back from the vector store after a restart):
    # encoding them one resident at a time made the first candidates page take half a minute.
    matcher.encode_profiles(profiles)
    fits: list[ResidentFit] = []
    for (r, limits), profile in zip(within, profiles):
        vectors = matcher.retriever.encode_items(profile.texts)
        sims = [float(x) for x in (vectors @ job_vec)] if len(vectors) else []
        occupations = matcher.resident_occupations(profile, vectors)
        s = score_job(profile, limits, job, sims, occupations=occupations, weights=matcher.weights)
        context = explain.Context(profile=profile, limits=limits, occupations=occupations, names=names)
        reasons = explain.choose([explain.candidates(s, context)])[0]
        fits.append(ResidentFit(r, s.score, reasons, round(s.distance_km, 1) if s.distance_km is not None else None))
    fits.sort(key=lambda f: (-f.score, f.resident.id))
    return fits[:limit]

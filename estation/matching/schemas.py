"""JSON shapes of the matching routes."""

from __future__ import annotations

from pydantic import BaseModel
from estation.schemas import RowId


class JobMatchOut(BaseModel):
    kind: str
    id: int
    title: str
    employer_name: str
    score: float
    components: dict[str, float]
    reasons: list[str]
    limits: list[str]
    explanation: str
    distance_km: float | None
    walking_minutes: int | None
    hours_per_day: float | None
    wage_min: int | None
    wage_max: int | None
    home_based: bool


class RecommendationsOut(BaseModel):
    resident_id: int | None
    kind: str
    items: list[JobMatchOut]
    limits: list[str]
    """The resident's limits that shaped the list, in plain Chinese."""
    removed: dict[str, int]
    """Limit key -> how many related jobs it removed (physical:<domain>, hours, distance, home_based_only, ...)."""
    removed_lines: list[str]
    pool: int
    backend: str
    degraded: bool


class MemberOut(BaseModel):
    resident_id: RowId
    name: str
    age: int
    work_capacity: str
    employment_status: str
    jobs: RecommendationsOut
    startups: RecommendationsOut


class SkippedOut(BaseModel):
    resident_id: RowId
    name: str
    reason: str


class HouseholdMatchOut(BaseModel):
    household_id: RowId
    members: list[MemberOut]
    skipped: list[SkippedOut]


class MaskedResidentOut(BaseModel):
    """A resident shown to an employer: no name, id number, phone or address until they apply."""

    candidate_ref: str
    age_band: str
    work_capacity: str
    skills: str
    distance_km: float | None
    score: float


class StaffResidentOut(BaseModel):
    resident_id: RowId
    masked_name: str
    consent_to_employers: bool
    score: float
    distance_km: float | None
    reasons: list[str]
    limits: list[str]


class VacancyMatchOut(BaseModel):
    vacancy_id: RowId
    masked: bool
    residents: list[MaskedResidentOut] | list[StaffResidentOut]


class OccupationOut(BaseModel):
    code: str
    name: str
    score: float


class SimilarJobOut(BaseModel):
    id: int
    title: str
    employer_name: str
    similarity: float


class SimilarJobsOut(BaseModel):
    items: list[SimilarJobOut]


def recommendations_out(r) -> RecommendationsOut:  # noqa: ANN001 - service.Recommendations
    return RecommendationsOut(
        resident_id=r.resident_id, kind=r.kind,
        items=r.items,
        limits=r.limits, removed=r.removed, removed_lines=r.removed_lines, pool=r.pool, backend=r.backend,
        degraded=r.degraded,
    )

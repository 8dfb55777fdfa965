"""JSON shapes of the matching routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from estation.schemas import RowId

ReasonKind = Literal["experience", "registered", "wish", "skill", "not_needed", "adjustment", "hours"]


class Reason(BaseModel):
    """One claim of why a job suits a resident, with the evidence it rests on (what
    estation.matching.explain.false_claims checks against the data)."""

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    text: str
    """In plain Chinese, as the card shows it."""
    item: str = ""
    """The resident's own words it cites (an experience line, a wish, a skill)."""
    word: str = ""
    """The word of that item the listing also says (skill), or the kind of work it asks for (wish)."""
    code: str = ""
    """The occupation code it names (experience, registered, wish)."""
    domain: str = ""
    """The functional domain (not_needed) or the one the adjustment eases."""
    level: int | None = None
    """not_needed: the most the job asks in ``domain``, as the text says it."""
    adjustment: str = ""
    hours: float | None = None
    """hours: the job's hours per day."""


class LimitOut(BaseModel):
    """One of the resident's limits and what it did to the list."""

    key: str
    """physical:<domain>, hours, distance or home_based_only."""
    label: str
    removed: int
    """Jobs related to the resident's words that this limit ruled out."""
    only_this: int
    """Of those, the ones ruled out by this limit alone: relaxing it would bring them back."""
    advice: str
    """What the resident could relax, or ask at the counter."""


class JobMatchOut(BaseModel):
    kind: str
    id: int
    title: str
    employer_name: str
    score: float
    components: dict[str, float]
    reasons: list[Reason]
    """At most three, the ones that set this job apart for this resident."""
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
    limits: list[LimitOut]
    """The resident's own limits, each with how many related jobs it removed."""
    pool: int
    """Jobs related to the resident's words, before any limit."""
    emptied_by: list[str]
    """When the list is empty although related jobs exist: the keys of the limits that removed them."""
    considerations: list[str]
    """What to keep in mind for every job of the list (age), in plain Chinese."""
    backend: str
    degraded: bool


class MemberMatchOut(BaseModel):
    resident_id: RowId
    name: str
    age: int
    work_capacity: str
    employment_status: str
    considerations: list[str]
    """Why this member is matched although a rule might suggest otherwise (past pension age), and what that means."""
    jobs: RecommendationsOut
    startups: RecommendationsOut


class SkippedOut(BaseModel):
    resident_id: RowId
    name: str
    reason: str


class HouseholdMatchOut(BaseModel):
    household_id: RowId
    members: list[MemberMatchOut]
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
    reasons: list[Reason]


class VacancyMatchOut(BaseModel):
    vacancy_id: RowId
    masked: bool
    residents: list[MaskedResidentOut] | list[StaffResidentOut]


class OccupationMatchOut(BaseModel):
    code: str
    name: str
    score: float
    confident: bool = Field(description="只有第一项可能为真：系统确信是这个职业（据此推断岗位的职业）")


class SimilarJobOut(BaseModel):
    id: int
    title: str
    employer_name: str
    similarity: float


class SimilarJobsOut(BaseModel):
    items: list[SimilarJobOut]


def recommendations_out(r) -> RecommendationsOut:
    return RecommendationsOut(resident_id=r.resident_id, kind=r.kind, items=r.items, limits=r.limits, pool=r.pool,
                              emptied_by=r.emptied_by, considerations=r.considerations, backend=r.backend,
                              degraded=r.degraded)

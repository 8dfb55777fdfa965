"""Matching for a cadre's household: every member who can and may work, jobs and start-ups each.

Who is matched, and what their age means for it, is decided in estation.matching.eligibility: a member
past pension age who asked for work is matched, with the age said beside their list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from estation import clock
from estation.labour.models import Household
from estation.labour.service import age_on
from estation.matching.eligibility import eligibility
from estation.privacy import mask_name


@dataclass
class MemberMatch:
    resident_id: int
    name: str
    masked_name: str
    age: int
    work_capacity: str
    employment_status: str
    considerations: list[str]
    """Why this member is matched although past pension age, and what that means (empty otherwise)."""
    jobs: object
    """service.Recommendations of vacancies."""
    startups: object
    """service.Recommendations of start-up opportunities."""


@dataclass
class Skipped:
    resident_id: int
    masked_name: str
    reason: str


@dataclass
class HouseholdMatch:
    household_id: int
    members: list[MemberMatch] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def match_household(matcher, session: Session, *, household: Household, today: date | None = None,
                    jobs_per_member: int = 5, startups_per_member: int = 3) -> HouseholdMatch:
    today = today or clock.today()
    out = HouseholdMatch(household_id=household.id)
    for r in household.members:
        decision = eligibility(r, today)
        if not decision.matched:
            out.skipped.append(Skipped(r.id, mask_name(r.name), decision.why_not))
            continue
        jobs = matcher.recommend(session, resident=r, limit=jobs_per_member, today=today)
        startups = matcher.recommend(session, resident=r, limit=startups_per_member, today=today, kind="startup")
        out.members.append(MemberMatch(
            resident_id=r.id, name=r.name, masked_name=mask_name(r.name), age=age_on(r.birth_date, today),
            work_capacity=r.work_capacity.value, employment_status=r.employment_status.value,
            considerations=decision.considerations, jobs=jobs, startups=startups,
        ))
    return out

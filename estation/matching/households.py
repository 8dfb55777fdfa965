"""Matching for a cadre's household: every working-age member with capacity, jobs and start-ups each.

Working age is 16 up to the statutory pension age, including the gradual rise decided in 2024 (from
2025: men from 60 towards 63, women from 55 towards 58, one month more for every four months of
birth). Women's 50-year scheme (manual workers) is not known from the record, so the 55 scheme is
used: a cadre rather sees one member too many than one too few.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from estation import clock
from estation.labour.models import EmploymentStatus, Household, Resident, WorkCapacity
from estation.privacy import mask_name

MIN_WORKING_AGE = 16


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def pension_age_months(birth: date, sex: str) -> int:
    """Statutory pension age in months (2024 reform: +1 month per 4 months of birth, at most +36)."""
    female = sex in ("female", "女", "F", "f")
    base_years, start_year = (55, 1970) if female else (60, 1965)
    months_since = (birth.year - start_year) * 12 + (birth.month - 1)
    delay = 0 if months_since < 0 else min(36, months_since // 4 + 1)
    return base_years * 12 + delay


def working_age(resident: Resident, today: date) -> bool:
    months = (today.year - resident.birth_date.year) * 12 + today.month - resident.birth_date.month
    if today.day < resident.birth_date.day:
        months -= 1
    return MIN_WORKING_AGE * 12 <= months < pension_age_months(resident.birth_date, resident.sex)


def why_not(resident: Resident, today: date) -> str | None:
    """Why a member gets no recommendations, in Chinese; None if they should get them."""
    if resident.work_capacity == WorkCapacity.none:
        return "已丧失劳动能力"
    if not working_age(resident, today):
        return "不在劳动年龄内"
    if resident.employment_status in (EmploymentStatus.student, EmploymentStatus.retired):
        return "在校学生" if resident.employment_status == EmploymentStatus.student else "已退休"
    return None


@dataclass
class MemberMatch:
    resident_id: int
    name: str
    masked_name: str
    age: int
    work_capacity: str
    employment_status: str
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
class FlatMatch:
    """One row for the cadres' ledger page (estation/ledger/work.py reads these keys)."""

    resident_id: int
    resident_name: str
    vacancy_id: int | None
    startup_id: int | None
    title: str
    employer_name: str
    explanation: str
    score: float


@dataclass
class HouseholdMatch:
    household_id: int
    members: list[MemberMatch] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def matches(self) -> list[FlatMatch]:
        rows: list[FlatMatch] = []
        for m in self.members:
            for j in m.jobs.items:
                rows.append(FlatMatch(m.resident_id, m.name, j.id, None, j.title, j.employer_name, j.explanation, j.score))
            for s in m.startups.items:
                rows.append(FlatMatch(m.resident_id, m.name, None, s.id, f"创业：{s.title}", s.employer_name,
                                      s.explanation, s.score))
        return rows


def match_household(matcher, session: Session, *, household: Household, today: date | None = None,  # noqa: ANN001
                    jobs_per_member: int = 5, startups_per_member: int = 3) -> HouseholdMatch:
    today = today or clock.today()
    out = HouseholdMatch(household_id=household.id)
    for r in household.members:
        reason = why_not(r, today)
        if reason is not None:
            out.skipped.append(Skipped(r.id, mask_name(r.name), reason))
            continue
        jobs = matcher.recommend(session, resident=r, limit=jobs_per_member, today=today)
        startups = matcher.recommend(session, resident=r, limit=startups_per_member, today=today, kind="startup")
        out.members.append(MemberMatch(
            resident_id=r.id, name=r.name, masked_name=mask_name(r.name), age=age_on(r.birth_date, today),
            work_capacity=r.work_capacity.value, employment_status=r.employment_status.value, jobs=jobs,
            startups=startups,
        ))
    return out

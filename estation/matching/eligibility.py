"""Who is matched with work, and what their age means for it. Pure functions.

Working age is 16 up to the statutory pension age, including the gradual rise decided in 2024 (from
2025: men from 60 towards 63, women from 55 towards 58, one month more for every four months of
birth). Women's 50-year scheme (manual workers) is not known from the record, so the 55 scheme is
used. Age past it is no reason to stop looking: a resident past pension age, or retired before it,
who asked for work (flexible, home-based, 返聘) is matched like anyone else, and the age is said as
something to keep in mind — such work is taken on a service agreement (劳务协议), not a labour contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from estation.labour.models import EmploymentStatus, Resident, WorkCapacity
from estation.labour.service import age_on

MIN_WORKING_AGE = 16
ASKING = (EmploymentStatus.registered_unemployed, EmploymentStatus.flexible)
"""Statuses that are themselves a request for work."""


def pension_age_months(birth: date, sex: str) -> int:
    """Statutory pension age in months (2024 reform: +1 month per 4 months of birth, at most +36)."""
    female = sex in ("female", "女", "F", "f")
    base_years, start_year = (55, 1970) if female else (60, 1965)
    months_since = (birth.year - start_year) * 12 + (birth.month - 1)
    delay = 0 if months_since < 0 else min(36, months_since // 4 + 1)
    return base_years * 12 + delay


def age_months(birth: date, today: date) -> int:
    months = (today.year - birth.year) * 12 + today.month - birth.month
    return months - 1 if today.day < birth.day else months


def asked_for_work(resident: Resident) -> bool:
    """Looking for work by status, or by having told us how many hours a day they want to work."""
    return resident.employment_status in ASKING or resident.preferred_hours_per_day is not None


def _years(months: int) -> str:
    y, m = divmod(months, 12)
    return f"{y}岁{m}个月" if m else f"{y}岁"


@dataclass
class Eligibility:
    matched: bool
    why_not: str | None = None
    """Why a member gets no recommendations, in Chinese."""
    considerations: list[str] = field(default_factory=list)
    """What to keep in mind for every job recommended, in Chinese."""


def eligibility(resident: Resident, today: date) -> Eligibility:
    """Whether to look for work for ``resident``, and what their age means for it."""
    if resident.work_capacity == WorkCapacity.none:
        return Eligibility(False, "已丧失劳动能力")
    if age_on(resident.birth_date, today) < MIN_WORKING_AGE:
        return Eligibility(False, f"未满{MIN_WORKING_AGE}周岁")
    if resident.employment_status == EmploymentStatus.student:
        return Eligibility(False, "在校学生")
    pension = pension_age_months(resident.birth_date, resident.sex)
    past = age_months(resident.birth_date, today) >= pension
    retired = resident.employment_status == EmploymentStatus.retired
    if not (past or retired):
        return Eligibility(True)
    if not asked_for_work(resident):
        return Eligibility(False, ("已过法定退休年龄" if past else "已退休") + "，没有提出找工作")
    said = (f"已过法定退休年龄（{_years(pension)}）" if past else "已退休") + "，本人提出想找活干，照常推荐"
    return Eligibility(True, considerations=[
        said, "这类活一般按返聘、灵活用工或居家加工来干，和单位签劳务协议（不是劳动合同），应聘时说明年龄"])

"""A household's employment, read from its members' employment status on a given day.

零就业家庭: a household with members of working age able to work who want work (registered unemployed),
and no member in work (employed or in flexible employment). Nothing is stored: the status follows every
change of a member's status (a hire, a lost job, the counter's registration) and can be read for any past
day from the members' status spells (EmploymentRecord).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from estation.labour.models import EmploymentStatus, Household, Resident, Sex, WorkCapacity
from estation.labour.service import age_on

WORKING_AGE_FROM = 16
RETIREMENT_AGE = {Sex.male: 60, Sex.female: 55}
IN_WORK = frozenset({EmploymentStatus.employed, EmploymentStatus.flexible})


def status_on(resident: Resident, day: date) -> EmploymentStatus | None:
    """The resident's employment status on ``day`` (None before their first recorded status)."""
    for record in reversed(resident.status_history):
        if record.start_date <= day and (record.end_date is None or day < record.end_date):
            return record.status
    return None


def able_job_seeker(resident: Resident, day: date) -> bool:
    """Of working age, able to work and looking for work on ``day``."""
    age = age_on(resident.birth_date, day)
    return (WORKING_AGE_FROM <= age < RETIREMENT_AGE[resident.sex] and resident.work_capacity != WorkCapacity.none
            and status_on(resident, day) == EmploymentStatus.registered_unemployed)


@dataclass(frozen=True)
class HouseholdEmployment:
    in_work: int
    """Members employed or in flexible employment."""
    job_seekers: int
    """Members of working age, able to work, registered unemployed."""

    @property
    def zero_employment(self) -> bool:
        """零就业家庭: someone able wants work and nobody works."""
        return self.job_seekers > 0 and self.in_work == 0


def employment_on(household: Household, day: date) -> HouseholdEmployment:
    return HouseholdEmployment(
        in_work=sum(status_on(m, day) in IN_WORK for m in household.members),
        job_seekers=sum(able_job_seeker(m, day) for m in household.members),
    )

"""Business rules for households, residents and insurance periods. Services only flush."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock, physical
from estation.errors import InvalidInput, Taken
from estation.identifiers import parse_resident_id
from estation.kit import get_or_404
from estation.labour import repository
from estation.labour.models import (
    Community,
    EmploymentRecord,
    EmploymentStatus,
    Household,
    InsurancePeriod,
    Resident,
    Sex,
    WorkCapacity,
)
from estation.labour.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    InsurancePeriodCreate,
    ResidentCreate,
    ResidentOut,
    ResidentUpdate,
)
from estation.privacy import lookup_hash, mask_id_number, mask_phone
from estation.schemas import month_to_date


def create_household(session: Session, *, data: HouseholdCreate) -> Household:
    if session.get(Community, data.community_code) is None:
        raise InvalidInput("社区代码不存在", field="community_code")
    household = Household(**data.model_dump())
    session.add(household)
    session.flush()
    return household


def update_household(session: Session, *, household: Household, data: HouseholdUpdate) -> Household:
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(household, key, value)
    session.flush()
    return household


def _capacity(work_capacity: WorkCapacity, limits: dict[str, int] | None) -> dict[str, int]:
    if work_capacity == WorkCapacity.full:
        return physical.full_capacity()
    if work_capacity == WorkCapacity.none:
        return physical.no_demand()
    if limits is None:
        raise InvalidInput("部分劳动能力需填写各项能力限制", field="limits")
    return physical.normalise_levels(limits, default=physical.MAX_LEVEL)


def _set_status(resident: Resident, status: EmploymentStatus, since: date) -> None:
    for record in resident.status_history:
        if record.end_date is None:
            if record.status == status:
                return
            if since < record.start_date:
                raise InvalidInput("新状态的开始日期不能早于当前状态的开始日期", field="status_since")
            record.end_date = since
    resident.status_history.append(EmploymentRecord(status=status, start_date=since))
    resident.employment_status = status


def create_resident(session: Session, *, data: ResidentCreate) -> Resident:
    household = session.get(Household, data.household_id)
    if household is None:
        raise InvalidInput("家庭不存在", field="household_id")
    rid = parse_resident_id(data.id_number)
    if repository.resident_by_id_number(session, rid.number) is not None:
        raise Taken("id_number")
    community = session.get(Community, household.community_code)
    capacity = data.work_capacity or WorkCapacity.full
    fields = data.model_dump(
        exclude={"id_number", "birth_date", "sex", "status_since", "employment_status", "limits", "work_capacity"},
        exclude_none=True,
    )
    resident = Resident(
        **fields,
        id_number=rid.number,
        id_number_hash=lookup_hash(rid.number),
        phone_hash=lookup_hash(data.phone) if data.phone else None,
        birth_date=rid.birth_date,
        sex=Sex(rid.sex),
        community_code=household.community_code,
        lat=community.lat,
        lon=community.lon,
        work_capacity=capacity,
        limits=_capacity(capacity, data.limits),
        employment_status=data.employment_status,
    )
    if capacity == WorkCapacity.none:
        resident.max_hours_per_day = 0.0
    _set_status(resident, data.employment_status, data.status_since or clock.today())
    session.add(resident)
    session.flush()
    return resident


def update_resident(session: Session, *, resident: Resident, data: ResidentUpdate) -> Resident:
    changes = data.model_dump(exclude_unset=True, exclude={"employment_status", "status_since"})
    capacity = changes.pop("work_capacity", None) or resident.work_capacity
    limits = changes.pop("limits", None)
    if capacity != resident.work_capacity or limits is not None:
        resident.limits = _capacity(capacity, limits if limits is not None else resident.limits)
        resident.work_capacity = capacity
    if "phone" in changes:
        resident.phone_hash = lookup_hash(changes["phone"]) if changes["phone"] else None
    for key, value in changes.items():
        setattr(resident, key, value)
    if data.employment_status is not None:
        _set_status(resident, data.employment_status, data.status_since or clock.today())
    session.flush()
    return resident


def add_insurance_period(session: Session, *, resident: Resident, data: InsurancePeriodCreate) -> InsurancePeriod:
    start, end = month_to_date(data.start_month), month_to_date(data.end_month)
    if start < resident.birth_date.replace(day=1):
        raise InvalidInput("缴费开始月份早于出生日期", field="start_month")
    clash = repository.overlapping_period(
        session, resident_id=resident.id, scheme=data.scheme, start=start, end=end
    )
    if clash is not None:
        raise InvalidInput(
            f"与已有的{clash.start_month:%Y-%m}至{clash.end_month:%Y-%m}同险种缴费期重叠", field="start_month"
        )
    period = InsurancePeriod(
        resident_id=resident.id,
        **data.model_dump(exclude={"start_month", "end_month"}),
        start_month=start,
        end_month=end,
    )
    session.add(period)
    session.flush()
    return period


def communities(session: Session) -> dict[str, Community]:
    """Every community by its code, in code order: the one list every screen, export and API offers."""
    return {c.code: c for c in session.scalars(select(Community).order_by(Community.code))}


def get_resident(session: Session, resident_id: int) -> Resident:
    resident = get_or_404(session, Resident, resident_id, "居民不存在")
    return resident


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def resident_out(resident: Resident) -> ResidentOut:
    return ResidentOut.model_validate(
        {
            **{k: getattr(resident, k) for k in ResidentOut.model_fields if hasattr(resident, k)},
            "id_number_masked": mask_id_number(resident.id_number),
            "phone_masked": mask_phone(resident.phone),
            "age": age_on(resident.birth_date, clock.today()),
        }
    )

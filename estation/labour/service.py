"""Business rules for households, residents and insurance periods. Services only flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock, physical
from estation.accounts.models import Role, User
from estation.errors import InvalidInput, Taken
from estation.identifiers import parse_resident_id
from estation.kit import get_or_404, paginate
from estation.labour import access, repository
from estation.labour.models import (
    Community,
    EmploymentRecord,
    EmploymentStatus,
    Household,
    InsurancePeriod,
    Resident,
    ResidentChange,
    Sex,
    WorkCapacity,
)
from estation.labour.schemas import (
    FIELD_NAMES,
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


def _hours(resident: Resident) -> None:
    """A resident who cannot work works no hours; one who can again must say how many (not given on a new
    record is the column's ordinary day)."""
    if resident.work_capacity == WorkCapacity.none:
        resident.max_hours_per_day = 0.0
    elif resident.max_hours_per_day == 0:
        raise InvalidInput("能工作的居民请填写每天最多能工作几小时", field="max_hours_per_day")


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


HARDSHIP_READERS = frozenset({Role.counter_staff, Role.community_staff, Role.admin})
"""The roles that keep 就业困难人员 recognition and see it: the counter, the community, the admin."""
HEALTH_READERS = HARDSHIP_READERS | {Role.cadre}
"""The roles that see a resident's disability certificate: those who keep it, and the paired cadre who
helps the household. A leader oversees communities and sees figures, never one person's disability."""
PRIVATE_FIELDS = ((HARDSHIP_READERS, ("difficulty_category", "difficulty_recognised_on")),
                  (HEALTH_READERS, ("disability_category", "disability_grade")))
IMPORTED = "批量导入"
_FIELD_ORDER = {name: i for i, name in enumerate(FIELD_NAMES)}


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not 2 <= len(reason) <= 200:
        raise InvalidInput("请简要写明修改原因（2至200个字）", field="reason")
    return reason


def record_change(session: Session, *, resident: Resident, user: User | None, reason: str,
                  fields: list[str]) -> None:
    """Log one change of ``resident``: who, why and which fields (never their values)."""
    session.add(ResidentChange(resident_id=resident.id, user_id=user.id if user else None,
                               role=user.role.value if user else "import", reason=_reason(reason), fields=fields))


@dataclass(frozen=True)
class ChangeLine:
    at: datetime
    by: str
    reason: str
    fields: list[str]


def change_history(resident: Resident) -> list[ChangeLine]:
    """The resident's changes, newest first, each with who (name and role) and the changed items' names."""
    return [
        ChangeLine(at=c.at, reason=c.reason,
                   by=f"{c.user.display_name}（{Role(c.role).label}）" if c.user else IMPORTED,
                   fields=[FIELD_NAMES.get(f, f) for f in sorted(c.fields, key=lambda f: _FIELD_ORDER.get(f, len(_FIELD_ORDER)))])
        for c in resident.changes
    ]


def create_resident(session: Session, *, data: ResidentCreate, user: User | None = None,
                    reason: str = "新建档案") -> Resident:
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
    _hours(resident)
    _set_status(resident, data.employment_status, data.status_since or clock.today())
    reason = _reason(reason)
    session.add(resident)
    session.flush()
    given = data.model_dump(exclude_none=True, exclude={"household_id"})
    record_change(session, resident=resident, user=user, reason=reason,
                  fields=[key for key, value in given.items() if value not in ("", False, [], {})])
    session.flush()
    return resident


def update_resident(session: Session, *, resident: Resident, data: ResidentUpdate, user: User | None,
                    reason: str) -> Resident:
    """Change the fields ``data`` sets and log which changed, by whom and why (nothing logged when
    nothing changed)."""
    reason = _reason(reason)
    watched = [*data.model_dump(exclude_unset=True), "limits", "work_capacity", "employment_status", "max_hours_per_day"]
    before = {key: getattr(resident, key) for key in watched if hasattr(resident, key)}
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
    _hours(resident)
    if data.employment_status is not None:
        _set_status(resident, data.employment_status, data.status_since or clock.today())
    changed = sorted(key for key, value in before.items() if getattr(resident, key) != value and key != "limits")
    changed += [f"limits.{d}" for d in physical.DOMAIN_NAMES
                if (resident.limits or {}).get(d) != (before["limits"] or {}).get(d)]
    if changed:
        record_change(session, resident=resident, user=user, reason=reason, fields=changed)
    session.flush()
    return resident


def add_insurance_period(session: Session, *, resident: Resident, data: InsurancePeriodCreate,
                         user: User | None = None, reason: str = "录入参保记录") -> InsurancePeriod:
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
    reason = _reason(reason)
    session.add(period)
    session.flush()
    record_change(session, resident=resident, user=user, reason=reason, fields=["insurance_periods"])
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


def resident_out(resident: Resident, *, viewer: User) -> ResidentOut:
    """The resident as the API gives it; 就业困难人员 recognition only to HARDSHIP_READERS, the disability
    certificate only to HEALTH_READERS (and both to the resident themself): null to anyone else."""
    own = viewer.resident_id == resident.id
    hidden = {name for readers, names in PRIVATE_FIELDS if not own and viewer.role not in readers for name in names}
    return ResidentOut.model_validate(
        {
            **{k: getattr(resident, k) for k in ResidentOut.model_fields if hasattr(resident, k) and k not in hidden},
            "id_number_masked": mask_id_number(resident.id_number),
            "phone_masked": mask_phone(resident.phone),
            "age": age_on(resident.birth_date, clock.today()),
        }
    )


def find_residents(session: Session, *, viewer: User, page: int, size: int, community_code: str | None = None,
                   household_id: int | None = None, work_capacity: WorkCapacity | None = None,
                   employment_status: EmploymentStatus | None = None, hardship: bool | None = None,
                   name: str | None = None) -> tuple[list[Resident], int]:
    """One page of the residents ``viewer`` may see that match the filters, and how many match in all."""
    stmt = repository.residents_stmt(community_code=community_code, household_id=household_id,
                                     work_capacity=work_capacity, employment_status=employment_status,
                                     hardship=hardship, name=name)
    return paginate(session, access.scope_residents(stmt, viewer), page=page, size=size)

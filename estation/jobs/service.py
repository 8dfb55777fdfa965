"""Business rules for employers, vacancies, start-up opportunities and applications. Services only flush."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from estation.db import utcnow
from estation.errors import Conflict, InvalidInput, NotFound
from estation.jobs.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Employer,
    EmployerStatus,
    EmploymentType,
    Occupation,
    StartupOpportunity,
    Vacancy,
    VacancyStatus,
)
from estation.jobs.schemas import EmployerCreate, StartupCreate, VacancyCreate, VacancyUpdate
from estation.labour.models import Community, Resident
from estation.outbox import enqueue

MAX_VALIDITY = timedelta(days=366)
FULL_TIME_HOURS_A_WEEK = 40.0


def _place(session: Session, community_code: str | None, lat: float | None, lon: float | None) -> tuple[float, float]:
    if lat is not None and lon is not None:
        return lat, lon
    if community_code:
        community = session.get(Community, community_code)
        if community is None:
            raise InvalidInput("社区代码不存在", field="community_code")
        return community.lat, community.lon
    raise InvalidInput("请选择所在社区或在地图上标出位置", field="lat")


def create_employer(session: Session, *, data: EmployerCreate) -> Employer:
    if session.scalar(select(Employer.id).where(Employer.uscc == data.uscc)) is not None:
        raise Conflict("该统一社会信用代码已注册", field="uscc")
    lat, lon = _place(session, data.community_code, data.lat, data.lon)
    employer = Employer(**data.model_dump(exclude={"lat", "lon"}), lat=lat, lon=lon, status=EmployerStatus.pending)
    session.add(employer)
    session.flush()
    return employer


def decide_employer(session: Session, *, employer: Employer, approve: bool, reason: str | None) -> Employer:
    if not approve and not reason:
        raise InvalidInput("不予通过时请填写原因", field="reason")
    employer.status = EmployerStatus.approved if approve else EmployerStatus.refused
    employer.refusal_reason = None if approve else reason
    if approve:
        for vacancy in employer.vacancies:
            if vacancy.status == VacancyStatus.draft:
                vacancy.status = VacancyStatus.open
                enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    session.flush()
    return employer


def minimum_wage_for(*, hours_per_day: float, days_per_week: int, monthly_minimum: int) -> int:
    """The monthly minimum pro rata to the hours; full time (40 h a week or more) gets the whole."""
    share = min(1.0, hours_per_day * days_per_week / FULL_TIME_HOURS_A_WEEK)
    return int(monthly_minimum * share)


def _check_vacancy(
    session: Session, *, occupation_code: str | None, wage_min: int, hours_per_day: float, days_per_week: int,
    employment_type: EmploymentType, valid_until: date, minimum_wage: int,
) -> None:
    if occupation_code and session.get(Occupation, occupation_code) is None:
        raise InvalidInput("职业代码不在2022版职业分类大典中", field="occupation_code")
    floor = (
        minimum_wage
        if employment_type == EmploymentType.full_time
        else minimum_wage_for(hours_per_day=hours_per_day, days_per_week=days_per_week, monthly_minimum=minimum_wage)
    )
    if wage_min < floor:
        raise InvalidInput(f"最低工资不得低于当地最低工资标准（按工时折算为每月{floor}元）", field="wage_min")
    today = utcnow().date()
    if valid_until < today:
        raise InvalidInput("有效期不能早于今天", field="valid_until")
    if valid_until > today + MAX_VALIDITY:
        raise InvalidInput("有效期最长一年", field="valid_until")


def create_vacancy(session: Session, *, data: VacancyCreate, minimum_wage: int) -> Vacancy:
    employer = session.get(Employer, data.employer_id)
    if employer is None:
        raise InvalidInput("用人单位不存在", field="employer_id")
    _check_vacancy(
        session, occupation_code=data.occupation_code, wage_min=data.wage_min, hours_per_day=data.hours_per_day,
        days_per_week=data.days_per_week, employment_type=data.employment_type, valid_until=data.valid_until,
        minimum_wage=minimum_wage,
    )
    lat, lon = _place(session, data.community_code, data.lat, data.lon)
    vacancy = Vacancy(
        **data.model_dump(exclude={"lat", "lon", "adjustments"}),
        adjustments=[a.value for a in data.adjustments],
        lat=lat,
        lon=lon,
        status=VacancyStatus.open if employer.status == EmployerStatus.approved else VacancyStatus.draft,
    )
    session.add(vacancy)
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def update_vacancy(session: Session, *, vacancy: Vacancy, data: VacancyUpdate, minimum_wage: int) -> Vacancy:
    changes = data.model_dump(exclude_unset=True)
    if "adjustments" in changes and changes["adjustments"] is not None:
        changes["adjustments"] = [a.value for a in data.adjustments]
    if changes.get("status") == VacancyStatus.open and vacancy.employer.status != EmployerStatus.approved:
        raise InvalidInput("用人单位审核通过后岗位才能发布", field="status")
    merged = {c: changes.get(c, getattr(vacancy, c)) for c in ("wage_min", "wage_max", "hours_per_day", "valid_until")}
    if merged["wage_max"] < merged["wage_min"]:
        raise InvalidInput("最高工资不能低于最低工资", field="wage_max")
    if changes.get("status", vacancy.status) == VacancyStatus.open:
        _check_vacancy(
            session, occupation_code=vacancy.occupation_code, wage_min=merged["wage_min"],
            hours_per_day=merged["hours_per_day"], days_per_week=vacancy.days_per_week,
            employment_type=vacancy.employment_type, valid_until=merged["valid_until"], minimum_wage=minimum_wage,
        )
    for key, value in changes.items():
        setattr(vacancy, key, value)
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def create_startup(session: Session, *, data: StartupCreate) -> StartupOpportunity:
    lat, lon = _place(session, data.community_code, data.lat, data.lon)
    if data.valid_until < utcnow().date():
        raise InvalidInput("有效期不能早于今天", field="valid_until")
    for code in data.occupation_codes:
        if session.get(Occupation, code) is None:
            raise InvalidInput(f"职业代码{code}不在职业分类大典中", field="occupation_codes")
    startup = StartupOpportunity(**data.model_dump(exclude={"lat", "lon"}), lat=lat, lon=lon)
    session.add(startup)
    session.flush()
    enqueue(session, topic="index.startup", entity_id=startup.id)
    return startup


def _reference(session: Session, prefix: str, model: type, today: date) -> str:
    stem = f"{prefix}{today:%Y%m%d}"
    count = session.scalar(select(func.count()).select_from(model).where(model.reference.like(f"{stem}%"))) or 0
    return f"{stem}{count + 1:04d}"


def apply(session: Session, *, resident: Resident, vacancy: Vacancy, by_user_id: int | None) -> Application:
    if vacancy.status != VacancyStatus.open or vacancy.valid_until < utcnow().date():
        raise InvalidInput("该岗位已停止招聘", field="vacancy_id")
    existing = session.scalar(
        select(Application).where(Application.resident_id == resident.id, Application.vacancy_id == vacancy.id)
    )
    if existing is not None and existing.status != ApplicationStatus.withdrawn:
        raise Conflict(f"您已申请过该岗位（编号{existing.reference}）", field="vacancy_id")
    today = utcnow().date()
    application = Application(
        reference=_reference(session, "YX", Application, today),
        resident_id=resident.id,
        vacancy_id=vacancy.id,
        status=ApplicationStatus.new,
    )
    application.history.append(ApplicationEvent(status=ApplicationStatus.new, by_user_id=by_user_id, note="提交求职意向"))
    session.add(application)
    session.flush()
    return application


ALLOWED_MOVES = {
    ApplicationStatus.new: {ApplicationStatus.contacted, ApplicationStatus.interview, ApplicationStatus.not_hired, ApplicationStatus.withdrawn},
    ApplicationStatus.contacted: {ApplicationStatus.interview, ApplicationStatus.hired, ApplicationStatus.not_hired, ApplicationStatus.withdrawn},
    ApplicationStatus.interview: {ApplicationStatus.hired, ApplicationStatus.not_hired, ApplicationStatus.withdrawn},
    ApplicationStatus.hired: set(),
    ApplicationStatus.not_hired: set(),
    ApplicationStatus.withdrawn: set(),
}


def change_application_status(
    session: Session, *, application: Application, status: ApplicationStatus, reason: str | None, by_user_id: int | None
) -> Application:
    if status not in ALLOWED_MOVES[application.status]:
        raise InvalidInput("申请状态不能这样变更", field="status")
    if status == ApplicationStatus.not_hired and not reason:
        raise InvalidInput("未录用时请说明原因", field="reason")
    application.status = status
    application.status_reason = reason
    application.history.append(ApplicationEvent(status=status, by_user_id=by_user_id, note=reason))
    session.flush()
    return application


def get_or_404(session: Session, model: type, key: object, message: str):  # noqa: ANN201
    row = session.get(model, key)
    if row is None:
        raise NotFound(message)
    return row

"""Business rules for employers, vacancies, start-up opportunities and applications (made here; each step
after that is estation.jobs.placements). Services only flush."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.errors import Conflict, InvalidInput, Taken
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
from estation.accounts.models import Role, User
from estation.accounts.passwords import check_password_strength, hash_password
from estation.jobs.quota import check_staff_counts
from estation.jobs.schemas import (
    EmployerCreate, EmployerRegistration, StaffCounts, StartupCreate, VacancyCreate, VacancyUpdate,
)
from estation.labour.models import Community, Resident
from estation.notifications.models import Audience
from estation.notifications.service import notify
from estation.outbox import enqueue
from estation.references import next_reference

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
    raise InvalidInput("请选择所在社区或在地图上标出位置", field="lon" if lat is not None else "lat")


def create_employer(session: Session, *, data: EmployerCreate) -> Employer:
    if session.scalar(select(Employer.id).where(Employer.uscc == data.uscc)) is not None:
        raise Taken("uscc")
    lat, lon = _place(session, data.community_code, data.lat, data.lon)
    employer = Employer(**data.model_dump(exclude={"lat", "lon"}), lat=lat, lon=lon, status=EmployerStatus.pending)
    session.add(employer)
    session.flush()
    return employer


def register_employer(session: Session, *, data: EmployerRegistration) -> tuple[Employer, User]:
    """The employer (pending review) and its sign-in account, in one transaction; staff are told."""
    check_password_strength(data.password, username=data.username)
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Taken("username")
    employer = create_employer(session, data=EmployerCreate(**data.model_dump(exclude={"username", "password"})))
    user = User(username=data.username, display_name=data.contact_name, password_hash=hash_password(data.password),
                role=Role.employer, employer_id=employer.id)
    session.add(user)
    session.flush()
    notify(session, audience=Audience.staff, kind="employer.registered", title=f"新用人单位待审核：{employer.name}",
           body=f"统一社会信用代码 {employer.uscc}，联系人 {employer.contact_name}", link="/employer/review")
    return employer, user


def update_staff_counts(session: Session, *, employer: Employer, data: StaffCounts) -> Employer:
    """The counts behind the disability quota (在职职工 and disabled employees by grade)."""
    check_staff_counts(staff_count=data.staff_count, disabled_grade12=data.disabled_staff_grade12,
                       disabled_other=data.disabled_staff_other)
    employer.staff_count = data.staff_count
    employer.disabled_staff_grade12 = data.disabled_staff_grade12
    employer.disabled_staff_other = data.disabled_staff_other
    session.flush()
    return employer


def decide_employer(session: Session, *, employer: Employer, approve: bool, reason: str | None) -> Employer:
    if not approve and not (reason or "").strip():
        raise InvalidInput("不予通过时请填写原因", field="reason")
    employer.status = EmployerStatus.approved if approve else EmployerStatus.refused
    employer.refusal_reason = None if approve else reason
    if approve:
        for vacancy in employer.vacancies:
            if vacancy.status == VacancyStatus.draft:
                vacancy.status = VacancyStatus.open
                enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    session.flush()
    notify(session, audience=Audience.employer, employer_id=employer.id, kind="employer.decision",
           title="单位注册已审核通过，岗位可以发布了" if approve else "单位注册未通过审核",
           body="" if approve else f"原因：{reason}", link="/employer")
    return employer


def employers_to_review(session: Session, *, decided_limit: int = 20) -> tuple[list[Employer], list[Employer]]:
    """The employers waiting for review (oldest first) and the latest decided ones."""
    pending = list(session.scalars(select(Employer).where(Employer.status == EmployerStatus.pending)
                                   .order_by(Employer.id)))
    decided = list(session.scalars(select(Employer).where(Employer.status != EmployerStatus.pending)
                                   .order_by(Employer.updated_at.desc(), Employer.id.desc()).limit(decided_limit)))
    return pending, decided


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
    today = clock.today()
    if valid_until < today:
        raise InvalidInput("有效期不能早于今天", field="valid_until")
    if valid_until > today + MAX_VALIDITY:
        raise InvalidInput("有效期最长一年", field="valid_until")


def check_vacancy(session: Session, *, data: VacancyCreate, minimum_wage: int) -> tuple[float, float]:
    """Every rule create_vacancy applies, without writing anything (the posting form's preview)."""
    _check_vacancy(
        session, occupation_code=data.occupation_code, wage_min=data.wage_min, hours_per_day=data.hours_per_day,
        days_per_week=data.days_per_week, employment_type=data.employment_type, valid_until=data.valid_until,
        minimum_wage=minimum_wage,
    )
    return _place(session, data.community_code, data.lat, data.lon)


def infer_occupation(session: Session, *, vacancy: Vacancy, occupations) -> None:
    """Read the occupation from the title when the employer chose none, into ``inferred_occupation_code``
    (for search filters and matching; the employer's own field stays theirs, and empty). Only a code the
    index calls confident; none once the employer chooses one. ``occupations`` gives the occupation index
    (estation.matching.occupations) when called, or None when the model is unavailable: then nothing is
    read (and a code read from an earlier title is dropped). Called on create and when the title or the
    code changes; the index is asked for only when a code must be read."""
    index = occupations() if occupations is not None and not vacancy.occupation_code else None
    found = index.confident(vacancy.title) if index is not None else []
    code = found[0].code if found else None
    vacancy.inferred_occupation_code = code if code and session.get(Occupation, code) is not None else None


def create_vacancy(session: Session, *, data: VacancyCreate, minimum_wage: int, occupations=None) -> Vacancy:
    """``occupations``: gives the occupation index, to read a code from the title (:func:`infer_occupation`)."""
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
    infer_occupation(session, vacancy=vacancy, occupations=occupations)
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def update_vacancy(session: Session, *, vacancy: Vacancy, data: VacancyUpdate, minimum_wage: int,
                   occupations=None) -> Vacancy:
    changes = data.model_dump(exclude_unset=True)
    if "adjustments" in changes and changes["adjustments"] is not None:
        changes["adjustments"] = [a.value for a in data.adjustments]
    if changes.get("status") == VacancyStatus.open and vacancy.employer.status != EmployerStatus.approved:
        raise InvalidInput("用人单位审核通过后岗位才能发布", field="status")
    merged = {c: changes.get(c, getattr(vacancy, c)) for c in (
        "wage_min", "wage_max", "hours_per_day", "valid_until", "days_per_week", "employment_type", "occupation_code")}
    if merged["wage_max"] < merged["wage_min"]:
        raise InvalidInput("最高工资不能低于最低工资", field="wage_max")
    if "occupation_code" in changes and changes["occupation_code"]:
        if session.get(Occupation, changes["occupation_code"]) is None:
            raise InvalidInput("职业代码不在2022版职业分类大典中", field="occupation_code")
    if changes.get("status", vacancy.status) == VacancyStatus.open:
        _check_vacancy(
            session, occupation_code=merged["occupation_code"], wage_min=merged["wage_min"],
            hours_per_day=merged["hours_per_day"], days_per_week=merged["days_per_week"],
            employment_type=merged["employment_type"], valid_until=merged["valid_until"], minimum_wage=minimum_wage,
        )
    if {"community_code", "lat", "lon"} & changes.keys():
        # A new place: coordinates if both are given, else the community's centre; a vacancy taken out of
        # its community keeps its own pin unless a new one is given.
        community = changes.get("community_code", vacancy.community_code)
        pin = (vacancy.lat, vacancy.lon) if community is None else (None, None)
        changes["lat"], changes["lon"] = _place(session, community, changes.get("lat", pin[0]),
                                                changes.get("lon", pin[1]))
    for key, value in changes.items():
        setattr(vacancy, key, value)
    if {"title", "occupation_code"} & changes.keys():
        infer_occupation(session, vacancy=vacancy, occupations=occupations)
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def close_vacancy(session: Session, *, vacancy: Vacancy) -> Vacancy:
    """Stop recruiting; the listing leaves search through the outbox. Applications are kept."""
    if vacancy.status == VacancyStatus.closed:
        raise InvalidInput("该岗位已经关闭", field="status")
    vacancy.status = VacancyStatus.closed
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def renew_vacancy(session: Session, *, vacancy: Vacancy, valid_until: date) -> Vacancy:
    """Extend the validity (and reopen a closed or expired vacancy) once the employer is approved."""
    today = clock.today()
    if valid_until <= max(today, vacancy.valid_until if vacancy.status == VacancyStatus.open else today):
        raise InvalidInput("新的有效期应晚于今天和原有效期", field="valid_until")
    if valid_until > today + MAX_VALIDITY:
        raise InvalidInput("有效期最长一年", field="valid_until")
    vacancy.valid_until = valid_until
    vacancy.status = VacancyStatus.open if vacancy.employer.status == EmployerStatus.approved else VacancyStatus.draft
    session.flush()
    enqueue(session, topic="index.vacancy", entity_id=vacancy.id)
    return vacancy


def create_startup(session: Session, *, data: StartupCreate) -> StartupOpportunity:
    lat, lon = _place(session, data.community_code, data.lat, data.lon)
    if data.valid_until < clock.today():
        raise InvalidInput("有效期不能早于今天", field="valid_until")
    for code in data.occupation_codes:
        if session.get(Occupation, code) is None:
            raise InvalidInput(f"职业代码{code}不在职业分类大典中", field="occupation_codes")
    startup = StartupOpportunity(**data.model_dump(exclude={"lat", "lon"}), lat=lat, lon=lon)
    session.add(startup)
    session.flush()
    enqueue(session, topic="index.startup", entity_id=startup.id)
    return startup


def apply(
    session: Session, *, resident: Resident, vacancy: Vacancy, by_user_id: int | None, note: str = "提交求职意向"
) -> Application:
    if vacancy.status != VacancyStatus.open or vacancy.valid_until < clock.today():
        raise InvalidInput("该岗位已停止招聘", field="vacancy_id")
    existing = session.scalar(
        select(Application).where(Application.resident_id == resident.id, Application.vacancy_id == vacancy.id)
    )
    if existing is not None and existing.status != ApplicationStatus.withdrawn:
        raise Conflict(f"您已申请过该岗位（编号{existing.reference}）", field="vacancy_id")
    today = clock.today()
    application = Application(
        reference=next_reference(session, prefix="YX", day=today),
        resident_id=resident.id,
        vacancy_id=vacancy.id,
        status=ApplicationStatus.new,
    )
    application.history.append(ApplicationEvent(status=ApplicationStatus.new, by_user_id=by_user_id, note=note))
    session.add(application)
    session.flush()
    notify(session, audience=Audience.employer, employer_id=vacancy.employer_id, kind="application.new",
           title=f"新的求职意向：{vacancy.title}", body=f"申请编号 {application.reference}",
           link=f"/employer/vacancies/{vacancy.id}/candidates")
    return application


"""JSON routes for occupations, employers, vacancies, start-up opportunities and applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, CurrentPrincipal, OptionalPrincipal, Principal, get_settings_dep, require_roles
from estation.config import Settings
from estation.errors import Forbidden, InvalidInput, NotFound
from estation.jobs import service
from estation.jobs.models import (
    Application,
    Employer,
    EmployerStatus,
    Occupation,
    StartupKind,
    StartupOpportunity,
    Vacancy,
    VacancyStatus,
)
from estation.jobs.schemas import (
    ApplicationCreate,
    ApplicationOut,
    ApplicationStatusChange,
    EmployerDecision,
    EmployerOut,
    OccupationOut,
    StartupCreate,
    StartupOut,
    VacancyCreate,
    VacancyOut,
    VacancyUpdate,
)
from estation.labour import access
from estation.labour.models import Resident
from estation.matching.runtime import occupations_for_writes
from estation.labour.repository import paginate
from estation.schemas import Page, PathId

router = APIRouter(prefix="/api/v1", tags=["jobs"])

PageNo = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
Staff = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.admin))]
Poster = Annotated[Principal, Depends(require_roles(Role.employer, Role.counter_staff, Role.admin))]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


@router.get("/occupations", response_model=Page[OccupationOut])
def list_occupations(
    db: DB,
    q: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> Page[OccupationOut]:
    stmt = select(Occupation).order_by(Occupation.code)
    if q:
        stmt = stmt.where(or_(Occupation.name.contains(q), Occupation.code.startswith(q)))
    if level:
        stmt = stmt.where(Occupation.level == level)
    rows, total = paginate(db, stmt, page=page, size=size)
    return Page(items=rows, total=total, page=page, size=size)


@router.get("/employers", response_model=Page[EmployerOut])
def list_employers(
    db: DB, principal: Staff, status: EmployerStatus | None = None, page: PageNo = 1, size: PageSize = 50
) -> Page[EmployerOut]:
    stmt = select(Employer).order_by(Employer.id)
    if status:
        stmt = stmt.where(Employer.status == status)
    rows, total = paginate(db, stmt, page=page, size=size)
    return Page(items=rows, total=total, page=page, size=size)


def _own_employer(principal: Principal, employer_id: int) -> None:
    if principal.role == Role.employer and principal.user.employer_id != employer_id:
        raise Forbidden("只能管理本单位的信息")


@router.get("/employers/{employer_id}", response_model=EmployerOut)
def get_employer(db: DB, principal: Poster, employer_id: PathId) -> Employer:
    _own_employer(principal, employer_id)
    return service.get_or_404(db, Employer, employer_id, "用人单位不存在")


@router.post("/employers/{employer_id}/decision", response_model=EmployerOut)
def decide_employer(db: DB, principal: Staff, employer_id: PathId, data: EmployerDecision) -> Employer:
    employer = service.get_or_404(db, Employer, employer_id, "用人单位不存在")
    return service.decide_employer(db, employer=employer, approve=data.approve, reason=data.reason)


@router.get("/vacancies", response_model=Page[VacancyOut])
def list_vacancies(
    db: DB,
    employer_id: int | None = None,
    community_code: str | None = None,
    occupation_code: str | None = None,
    status: VacancyStatus = VacancyStatus.open,
    page: PageNo = 1,
    size: PageSize = 50,
) -> Page[VacancyOut]:
    """Open vacancies are public (browsing jobs needs no sign-in)."""
    if status != VacancyStatus.open:
        raise InvalidInput("公开列表只显示在招岗位；草稿和已关闭岗位请在单位后台查看", field="status")
    stmt = select(Vacancy).where(Vacancy.status == VacancyStatus.open, Vacancy.valid_until >= clock.today())
    stmt = stmt.order_by(Vacancy.posted_at.desc(), Vacancy.id)
    if employer_id:
        stmt = stmt.where(Vacancy.employer_id == employer_id)
    if community_code:
        stmt = stmt.where(Vacancy.community_code == community_code)
    if occupation_code:
        stmt = stmt.where(Vacancy.occupation_code == occupation_code)
    rows, total = paginate(db, stmt, page=page, size=size)
    return Page(items=rows, total=total, page=page, size=size)


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut)
def get_vacancy(db: DB, principal: OptionalPrincipal, vacancy_id: PathId) -> Vacancy:
    """Open, unexpired vacancies are public; the rest only for their employer and the staff."""
    vacancy = service.get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    if vacancy.status != VacancyStatus.open or vacancy.valid_until < clock.today():
        staff = principal is not None and principal.role in access.ALL_RESIDENTS
        owner = principal is not None and principal.role == Role.employer and principal.user.employer_id == vacancy.employer_id
        if not (staff or owner):
            raise NotFound("岗位不存在")
    return vacancy


@router.post("/vacancies", response_model=VacancyOut, status_code=201)
def create_vacancy(request: Request, db: DB, principal: Poster, settings: AppSettings, data: VacancyCreate) -> Vacancy:
    _own_employer(principal, data.employer_id)
    return service.create_vacancy(db, data=data, minimum_wage=settings.minimum_wage_monthly,
                                  occupations=lambda: occupations_for_writes(request.app.state))


@router.patch("/vacancies/{vacancy_id}", response_model=VacancyOut)
def update_vacancy(request: Request, db: DB, principal: Poster, settings: AppSettings, vacancy_id: PathId,
                   data: VacancyUpdate) -> Vacancy:
    vacancy = service.get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    _own_employer(principal, vacancy.employer_id)
    return service.update_vacancy(db, vacancy=vacancy, data=data, minimum_wage=settings.minimum_wage_monthly,
                                  occupations=lambda: occupations_for_writes(request.app.state))


@router.get("/startups", response_model=Page[StartupOut])
def list_startups(
    db: DB, kind: StartupKind | None = None, page: PageNo = 1, size: PageSize = 50
) -> Page[StartupOut]:
    stmt = select(StartupOpportunity).where(StartupOpportunity.status == VacancyStatus.open)
    if kind:
        stmt = stmt.where(StartupOpportunity.kind == kind)
    rows, total = paginate(db, stmt.order_by(StartupOpportunity.id), page=page, size=size)
    return Page(items=rows, total=total, page=page, size=size)


@router.get("/startups/{startup_id}", response_model=StartupOut)
def get_startup(db: DB, startup_id: PathId) -> StartupOpportunity:
    return service.get_or_404(db, StartupOpportunity, startup_id, "创业项目不存在")


@router.post("/startups", response_model=StartupOut, status_code=201)
def create_startup(db: DB, principal: Staff, data: StartupCreate) -> StartupOpportunity:
    return service.create_startup(db, data=data)


@router.post("/applications", response_model=ApplicationOut, status_code=201)
def create_application(db: DB, principal: CurrentPrincipal, data: ApplicationCreate) -> Application:
    if principal.role == Role.resident:
        resident_id = principal.user.resident_id
    elif principal.role in access.ALL_RESIDENTS:
        if data.resident_id is None:
            raise InvalidInput("请指定居民", field="resident_id")
        resident_id = data.resident_id
    else:
        raise Forbidden("只有居民本人或窗口工作人员可以提交求职意向")
    resident = service.get_or_404(db, Resident, resident_id, "居民不存在")
    vacancy = service.get_or_404(db, Vacancy, data.vacancy_id, "岗位不存在")
    return service.apply(db, resident=resident, vacancy=vacancy, by_user_id=principal.user.id)


def _visible_application(db: DB, principal: Principal, application_id: int) -> Application:
    application = service.get_or_404(db, Application, application_id, "申请不存在")
    if principal.role == Role.resident and application.resident_id != principal.user.resident_id:
        raise Forbidden("只能查看本人的申请")
    if principal.role == Role.employer and application.vacancy.employer_id != principal.user.employer_id:
        raise Forbidden("只能查看本单位岗位的申请")
    if principal.role not in {Role.resident, Role.employer, *access.ALL_RESIDENTS}:
        raise Forbidden("您没有权限查看申请")
    return application


@router.get("/applications/{application_id}", response_model=ApplicationOut)
def get_application(db: DB, principal: CurrentPrincipal, application_id: PathId) -> Application:
    return _visible_application(db, principal, application_id)


@router.post("/applications/{application_id}/status", response_model=ApplicationOut)
def change_status(db: DB, principal: Poster, application_id: PathId, data: ApplicationStatusChange) -> Application:
    application = _visible_application(db, principal, application_id)
    return service.change_application_status(
        db, application=application, status=data.status, reason=data.reason, by_user_id=principal.user.id
    )

"""JSON routes for occupations, employers, vacancies, start-up opportunities and applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import or_, select

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, CurrentPrincipal, OptionalPrincipal, Principal, get_settings_dep, parts, require_roles
from estation.config import Settings
from estation.errors import Forbidden, InvalidInput, NotFound, error_responses
from estation.jobs import placements, service
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
    AttendanceCreate,
    HireCreate,
    InterviewCreate,
    EmployerDecision,
    EmployerOut,
    OccupationOut,
    StartupCreate,
    StartupOut,
    VacancyCreate,
    VacancyOut,
    VacancyUpdate,
)
from estation.kit import get_or_404, paginate
from estation.labour import access
from estation.labour.models import Resident
from estation.schemas import Page, PathId

router = APIRouter(prefix="/api/v1", tags=["jobs"])

PageNo = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
Staff = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.admin))]
Poster = Annotated[Principal, Depends(require_roles(Role.employer, Role.counter_staff, Role.admin))]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


@router.get("/occupations", response_model=Page[OccupationOut],
            summary="职业分类",
            description="查询国家职业分类大典（2022年版）的职业代码和名称，可按名称或代码前缀、层级筛选（公开）。")
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


@router.get("/employers", response_model=Page[EmployerOut],
            summary="用人单位列表",
            description="分页列出用人单位，可按审核状态筛选。")
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


@router.get("/employers/{employer_id}", response_model=EmployerOut,
            summary="查看用人单位",
            description="按编号取用人单位的信息；用人单位账号只能看本单位。",
            responses=error_responses((403, "只能管理本单位的信息"), (404, "用人单位不存在")))
def get_employer(db: DB, principal: Poster, employer_id: PathId) -> Employer:
    _own_employer(principal, employer_id)
    return get_or_404(db, Employer, employer_id, "用人单位不存在")


@router.post("/employers/{employer_id}/decision", response_model=EmployerOut,
             summary="审核用人单位",
             description="工作人员审核新注册的用人单位：通过后才能发布岗位；不通过须说明原因。",
             responses=error_responses((404, "用人单位不存在")))
def decide_employer(db: DB, principal: Staff, employer_id: PathId, data: EmployerDecision) -> Employer:
    employer = get_or_404(db, Employer, employer_id, "用人单位不存在")
    return service.decide_employer(db, employer=employer, approve=data.approve, reason=data.reason)


@router.get("/vacancies", response_model=Page[VacancyOut],
            summary="在招岗位列表",
            description=("分页列出在招、未过期的岗位，新发布的在前，可按单位、社区、职业代码筛选（公开，无需登录）"
                         "。草稿和已关闭的岗位请用“本单位岗位”接口。"),
            responses=error_responses((422, "填写有误；status 只能是 open（在招）")))
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


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut,
            summary="查看岗位",
            description="按编号取一个岗位。在招、未过期的岗位公开；其余只有发布单位和工作人员能看到。",
            responses=error_responses((404, "岗位不存在，或尚未公开")))
def get_vacancy(db: DB, principal: OptionalPrincipal, vacancy_id: PathId) -> Vacancy:
    """Open, unexpired vacancies are public; the rest only for their employer and the staff."""
    vacancy = get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    if vacancy.status != VacancyStatus.open or vacancy.valid_until < clock.today():
        staff = principal is not None and principal.role in access.ALL_RESIDENTS
        owner = principal is not None and principal.role == Role.employer and principal.user.employer_id == vacancy.employer_id
        if not (staff or owner):
            raise NotFound("岗位不存在")
    return vacancy


@router.post("/vacancies", response_model=VacancyOut, status_code=201,
             summary="发布岗位",
             description=("用人单位（或代为发布的工作人员）发布岗位：七项体力要求每一项都须如实说明（0-4级），工资"
                          "不得低于当地最低工资；未填职业代码时由系统从岗位名称推断。"),
             responses=error_responses((403, "只能管理本单位的信息"),
                                       (422, "填写有误，如工资低于当地最低工资、体力要求未说明")))
def create_vacancy(request: Request, db: DB, principal: Poster, settings: AppSettings, data: VacancyCreate) -> Vacancy:
    _own_employer(principal, data.employer_id)
    return service.create_vacancy(db, data=data, minimum_wage=settings.minimum_wage_monthly,
                                  occupations=parts(request).matching.occupations_for_writes)


@router.patch("/vacancies/{vacancy_id}", response_model=VacancyOut,
              summary="修改岗位",
              description="修改岗位：省略的字段不变；体力要求须整体提交，七项都要说明。",
              responses=error_responses((403, "只能管理本单位的信息"), (404, "岗位不存在")))
def update_vacancy(request: Request, db: DB, principal: Poster, settings: AppSettings, vacancy_id: PathId,
                   data: VacancyUpdate) -> Vacancy:
    vacancy = get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    _own_employer(principal, vacancy.employer_id)
    return service.update_vacancy(db, vacancy=vacancy, data=data, minimum_wage=settings.minimum_wage_monthly,
                                  occupations=parts(request).matching.occupations_for_writes)


@router.get("/startups", response_model=Page[StartupOut],
            summary="创业机会列表",
            description="分页列出在期的创业机会（创业项目、场地、补贴、培训等），可按类别筛选（公开）。")
def list_startups(
    db: DB, kind: StartupKind | None = None, page: PageNo = 1, size: PageSize = 50
) -> Page[StartupOut]:
    stmt = select(StartupOpportunity).where(StartupOpportunity.status == VacancyStatus.open)
    if kind:
        stmt = stmt.where(StartupOpportunity.kind == kind)
    rows, total = paginate(db, stmt.order_by(StartupOpportunity.id), page=page, size=size)
    return Page(items=rows, total=total, page=page, size=size)


@router.get("/startups/{startup_id}", response_model=StartupOut,
            summary="查看创业机会",
            description="按编号取一个创业机会（公开）。",
            responses=error_responses((404, "创业项目不存在")))
def get_startup(db: DB, startup_id: PathId) -> StartupOpportunity:
    return get_or_404(db, StartupOpportunity, startup_id, "创业项目不存在")


@router.post("/startups", response_model=StartupOut, status_code=201,
             summary="发布创业机会",
             description="工作人员发布创业项目、场地、补贴或培训信息。")
def create_startup(db: DB, principal: Staff, data: StartupCreate) -> StartupOpportunity:
    return service.create_startup(db, data=data)


@router.post("/applications", response_model=ApplicationOut, status_code=201,
             summary="提交求职意向",
             description="居民本人（或窗口工作人员代居民）对一个岗位提交求职意向；同一岗位只能提交一次。",
             responses=error_responses((403, "只有居民本人或窗口工作人员可以提交求职意向"),
                                       (404, "居民或岗位不存在"),
                                       (409, "已申请过该岗位"),
                                       (422, "填写有误，如工作人员代办时未指定居民")))
def create_application(db: DB, principal: CurrentPrincipal, data: ApplicationCreate) -> Application:
    if principal.role == Role.resident:
        resident_id = principal.user.resident_id
    elif principal.role in access.ALL_RESIDENTS:
        if data.resident_id is None:
            raise InvalidInput("请指定居民", field="resident_id")
        resident_id = data.resident_id
    else:
        raise Forbidden("只有居民本人或窗口工作人员可以提交求职意向")
    resident = get_or_404(db, Resident, resident_id, "居民不存在")
    vacancy = get_or_404(db, Vacancy, data.vacancy_id, "岗位不存在")
    return service.apply(db, resident=resident, vacancy=vacancy, by_user_id=principal.user.id)


def _visible_application(db: DB, principal: Principal, application_id: int) -> Application:
    application = get_or_404(db, Application, application_id, "申请不存在")
    if principal.role == Role.resident and application.resident_id != principal.user.resident_id:
        raise Forbidden("只能查看本人的申请")
    if principal.role == Role.employer and application.vacancy.employer_id != principal.user.employer_id:
        raise Forbidden("只能查看本单位岗位的申请")
    if principal.role not in {Role.resident, Role.employer, *access.ALL_RESIDENTS}:
        raise Forbidden("您没有权限查看申请")
    return application


@router.get("/applications/{application_id}", response_model=ApplicationOut,
            summary="查看求职申请",
            description="按编号取一份求职申请：居民看本人的，用人单位看本单位岗位的，工作人员看全部。",
            responses=error_responses((403, "只能查看本人或本单位岗位的申请"), (404, "申请不存在")))
def get_application(db: DB, principal: CurrentPrincipal, application_id: PathId) -> Application:
    return _visible_application(db, principal, application_id)


@router.post("/applications/{application_id}/status", response_model=ApplicationOut,
             summary="更新求职申请状态",
             description=("用人单位（或工作人员）把申请推进到不需要填写详情的下一步：单位已联系、发录用通知（求职者参"
                          "加面试后）、未录用（须说明原因）；约面试和录用有各自的接口。每一步记入申请的记录（谁、何时、"
                          "说明），居民会收到通知。"),
             responses=error_responses((403, "只能查看本人或本单位岗位的申请"),
                                       (404, "申请不存在"),
                                       (409, "申请当前的状态不能这样改，或刚被他人更新"),
                                       (422, "未录用时没有说明原因，或这一步需要填写详情")))
def change_status(db: DB, principal: Poster, application_id: PathId, data: ApplicationStatusChange) -> Application:
    application = _visible_application(db, principal, application_id)
    return placements.move(db, application=application, status=data.status, reason=data.reason,
                           user=principal.user)


@router.post("/applications/{application_id}/interview", response_model=ApplicationOut,
             summary="约面试",
             description="用人单位（或工作人员）约定面试的时间和地点；面试前可以改。居民会收到通知。",
             responses=error_responses((403, "只能查看本人或本单位岗位的申请"),
                                       (404, "申请不存在"),
                                       (409, "申请当前的状态不能约面试，或刚被他人更新"),
                                       (422, "面试时间或地点有误")))
def schedule_interview(db: DB, principal: Poster, application_id: PathId, data: InterviewCreate) -> Application:
    application = _visible_application(db, principal, application_id)
    return placements.schedule_interview(db, application=application, at=data.interview_at,
                                         place=data.interview_place, user=principal.user)


@router.post("/applications/{application_id}/attendance", response_model=ApplicationOut,
             summary="登记是否参加面试",
             description="面试时间到了以后，用人单位（或工作人员）登记求职者是否参加了面试；每次面试登记一次。",
             responses=error_responses((403, "只能查看本人或本单位岗位的申请"),
                                       (404, "申请不存在"),
                                       (409, "没有待登记的面试，或已经登记过"),
                                       (422, "面试时间还没到")))
def record_attendance(db: DB, principal: Poster, application_id: PathId, data: AttendanceCreate) -> Application:
    application = _visible_application(db, principal, application_id)
    return placements.record_attendance(db, application=application, attended=data.attended, note=data.note,
                                        user=principal.user)


@router.post("/applications/{application_id}/hire", response_model=ApplicationOut,
             summary="登记录用上岗",
             description=("发出录用通知、求职者上岗后，登记上岗日期、月工资、用工形式和是否公益性岗位。居民的就业状"
                          "态随之改为就业，并在上岗后1个月、3个月和6个月提醒窗口工作人员和包户干部跟踪是否仍在岗。"),
             responses=error_responses((403, "只能查看本人或本单位岗位的申请"),
                                       (404, "申请不存在"),
                                       (409, "申请还没有发录用通知，或刚被他人登记"),
                                       (422, "上岗日期、工资或公益性岗位期限有误")))
def hire(db: DB, principal: Poster, settings: AppSettings, application_id: PathId, data: HireCreate) -> Application:
    application = _visible_application(db, principal, application_id)
    placements.hire(db, application=application, user=principal.user, minimum_wage=settings.minimum_wage_monthly,
                    today=clock.today(), data=placements.Hire(**data.model_dump()))
    return application

"""JSON routes for communities, households, residents and their insurance periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from estation.accounts.service import log_access
from estation.deps import DB, CurrentPrincipal, Principal, require_roles
from estation.kit import get_or_404, paginate
from estation.labour import access, service
from estation.errors import error_responses
from estation.labour.models import EmploymentStatus, Household, Resident, WorkCapacity
from estation.labour.schemas import (
    CommunityOut,
    HouseholdCreate,
    HouseholdOut,
    HouseholdUpdate,
    InsurancePeriodCreate,
    InsurancePeriodOut,
    ResidentCreate,
    ResidentOut,
    ResidentUpdate,
)
from estation.schemas import Page, PathId

router = APIRouter(prefix="/api/v1", tags=["labour"])

Editor = Annotated[Principal, Depends(require_roles(*access.RECORD_KEEPERS))]
PageNo = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=200)]
Reason = Annotated[str, Query(min_length=2, max_length=200, description="为何查看该档案（记入访问日志）")]
ChangeReason = Annotated[str, Query(min_length=2, max_length=200, description="为何修改（记入档案的变更记录）")]


@router.get("/communities", response_model=list[CommunityOut],
            summary="社区列表",
            description="甸柳街道各社区的统计用区划代码和名称（公开）。")
def list_communities(db: DB) -> list:
    return list(service.communities(db).values())


def _household_out(h: Household) -> HouseholdOut:
    return HouseholdOut.model_validate({**h.__dict__, "member_ids": [m.id for m in h.members]})


@router.get("/households", response_model=Page[HouseholdOut],
            summary="家庭列表",
            description=("分页列出家庭档案，可按社区、是否困难家庭筛选；社区工作人员只看到本社区，包户干部只看到结"
                         "对的家庭。"))
def list_households(
    db: DB,
    principal: CurrentPrincipal,
    community_code: str | None = None,
    hardship: bool | None = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> Page[HouseholdOut]:
    stmt = select(Household).order_by(Household.id)
    if community_code:
        stmt = stmt.where(Household.community_code == community_code)
    if hardship is not None:
        stmt = stmt.where(Household.hardship == hardship)
    rows, total = paginate(db, access.scope_households(stmt, principal.user), page=page, size=size)
    return Page(items=[_household_out(h) for h in rows], total=total, page=page, size=size)


@router.post("/households", response_model=HouseholdOut, status_code=201,
             summary="新建家庭",
             description="新建一户家庭档案；社区工作人员只能为本社区建档。",
             responses=error_responses((403, "社区工作人员只能为本社区建档")))
def create_household(db: DB, principal: Editor, data: HouseholdCreate) -> HouseholdOut:
    access.ensure_can_register_in(principal.user, data.community_code)
    return _household_out(service.create_household(db, data=data))


@router.get("/households/{household_id}", response_model=HouseholdOut,
            summary="查看家庭",
            description="按编号取一户家庭的档案及其成员编号。",
            responses=error_responses((403, "该家庭不在您负责的范围内"), (404, "家庭不存在")))
def get_household(db: DB, principal: CurrentPrincipal, household_id: PathId) -> HouseholdOut:
    return _household_out(_visible_household(db, principal, household_id))


@router.patch("/households/{household_id}", response_model=HouseholdOut,
              summary="修改家庭",
              description="修改家庭档案：省略的字段不变，显式传 null 清空（必填项不能清空）。",
              responses=error_responses((403, "该家庭不在您负责的范围内"), (404, "家庭不存在")))
def update_household(db: DB, principal: Editor, household_id: PathId, data: HouseholdUpdate) -> HouseholdOut:
    household = _visible_household(db, principal, household_id)
    return _household_out(service.update_household(db, household=household, data=data))


@router.get("/residents", response_model=Page[ResidentOut],
            summary="居民列表",
            description=("分页列出居民档案，可按社区、家庭、劳动能力、就业状态、是否困难家庭和姓名筛选；只列出您能"
                         "看到的居民。身份证号和电话只显示遮蔽后的形式。"))
def list_residents(
    db: DB,
    principal: CurrentPrincipal,
    community_code: str | None = None,
    household_id: int | None = None,
    work_capacity: WorkCapacity | None = None,
    employment_status: EmploymentStatus | None = None,
    hardship: bool | None = None,
    name: Annotated[str | None, Query(max_length=40)] = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> Page[ResidentOut]:
    rows, total = service.find_residents(db, viewer=principal.user, page=page, size=size,
                                         community_code=community_code, household_id=household_id,
                                         work_capacity=work_capacity, employment_status=employment_status,
                                         hardship=hardship, name=name)
    return Page(items=[service.resident_out(r, viewer=principal.user) for r in rows], total=total, page=page, size=size)


def _visible_resident(db: DB, principal: Principal, resident_id: int) -> Resident:
    resident = service.get_resident(db, resident_id)
    access.ensure_can_see_resident(db, principal.user, resident_id)
    return resident


def _visible_household(db: DB, principal: Principal, household_id: int) -> Household:
    household = get_or_404(db, Household, household_id, "家庭不存在")
    access.ensure_can_see_household(db, principal.user, household_id)
    return household


@router.post("/residents", response_model=ResidentOut, status_code=201,
             summary="新建居民档案",
             description=("在已有家庭中登记一位居民；身份证号校验位、出生日期和性别须一致，同一身份证号只能登记一"
                          "次（记入访问日志）。"),
             responses=error_responses((403, "该家庭不在您负责的范围内"), (409, "该身份证号已登记")))
def create_resident(db: DB, principal: Editor, data: ResidentCreate) -> ResidentOut:
    access.ensure_can_see_household(db, principal.user, data.household_id)
    resident = service.create_resident(db, data=data, user=principal.user)
    log_access(db, user=principal.user, resident_id=resident.id, action="create", what="居民档案", reason="新建档案")
    return service.resident_out(resident, viewer=principal.user)


@router.get("/residents/{resident_id}", response_model=ResidentOut,
            summary="查看居民档案",
            description="按编号取一位居民的档案；须说明查看原因（reason，记入访问日志）。",
            responses=error_responses((403, "该居民不在您负责的范围内"), (404, "居民不存在")))
def get_resident(db: DB, principal: CurrentPrincipal, resident_id: PathId, reason: Reason = "查看档案") -> ResidentOut:
    resident = _visible_resident(db, principal, resident_id)
    log_access(db, user=principal.user, resident_id=resident.id, action="read", what="居民档案", reason=reason)
    return service.resident_out(resident, viewer=principal.user)


@router.patch("/residents/{resident_id}", response_model=ResidentOut,
              summary="修改居民档案",
              description=("修改居民档案：省略的字段不变，显式传 null 清空（必填项不能清空）；须说明修改原因（reason），"
                           "谁在何时为何改了哪些项记入档案的变更记录。"),
              responses=error_responses((403, "该居民不在您负责的范围内"), (404, "居民不存在")))
def update_resident(db: DB, principal: Editor, resident_id: PathId, data: ResidentUpdate,
                    reason: ChangeReason) -> ResidentOut:
    resident = _visible_resident(db, principal, resident_id)
    service.update_resident(db, resident=resident, data=data, user=principal.user, reason=reason)
    log_access(db, user=principal.user, resident_id=resident.id, action="update", what="居民档案", reason=reason)
    return service.resident_out(resident, viewer=principal.user)


@router.get("/residents/{resident_id}/insurance-periods", response_model=list[InsurancePeriodOut],
            summary="居民的参保记录",
            description="列出一位居民各地的养老保险参保缴费期间；须说明查看原因（记入访问日志）。",
            responses=error_responses((403, "该居民不在您负责的范围内"), (404, "居民不存在")))
def list_periods(db: DB, principal: CurrentPrincipal, resident_id: PathId, reason: Reason = "查看参保记录") -> list:
    resident = _visible_resident(db, principal, resident_id)
    log_access(db, user=principal.user, resident_id=resident.id, action="read", what="参保记录", reason=reason)
    return resident.insurance_periods


@router.post("/residents/{resident_id}/insurance-periods", response_model=InsurancePeriodOut, status_code=201,
             summary="录入参保记录",
             description="为居民录入一段参保缴费期间（起止月份、参保地、缴费基数等）；与已有期间重叠的不被接受。",
             responses=error_responses((403, "该居民不在您负责的范围内"), (404, "居民不存在")))
def add_period(db: DB, principal: Editor, resident_id: PathId, data: InsurancePeriodCreate):
    resident = _visible_resident(db, principal, resident_id)
    period = service.add_insurance_period(db, resident=resident, data=data, user=principal.user)
    log_access(db, user=principal.user, resident_id=resident.id, action="create", what="参保记录", reason="录入参保记录")
    return period

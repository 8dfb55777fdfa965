"""JSON routes of the cases domain: the pension calculators, the service catalogue and counter cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from estation.accounts.models import Role
from estation.cases import calendar, contribution, pension, registry, service
from estation.cases.casetype import Situation
from estation.cases.figures import counter_figures
from estation.cases.models import QUERY_CODE_PATTERN, Case
from estation.cases.types import pension_transfer
from estation.cases.schemas import (
    CaseOpenIn,
    CaseOut,
    ContributionQuoteIn,
    ContributionQuoteOut,
    DocumentsIn,
    FiguresOut,
    HolidayScheduleIn,
    HolidayScheduleOut,
    NoteIn,
    PublicStatusOut,
    RefuseIn,
    ServiceEdit,
    ServiceOut,
    TransferAssessmentIn,
    TransferAssessmentOut,
)
from estation import clock
from estation.deps import DB, Principal, require_roles
from estation.errors import InvalidInput, NotFound, error_responses
from estation.geo import provinces
from estation.labour import access
from estation.labour.service import get_resident
from estation.schemas import PathId

pension_router = APIRouter(prefix="/api/v1/pension", tags=["pension"])
case_router = APIRouter(prefix="/api/v1", tags=["cases"])
router = APIRouter()
"""Everything of this domain; the app includes this one router."""

Counter = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.admin))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Overseer = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.leader, Role.admin))]


@pension_router.post("/transfer-assessment", response_model=TransferAssessmentOut,
                     summary="养老保险转移接续测算",
                     description=("按《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）第四至"
                                  "六条，根据一个人的参保缴费经历和要转入的省份，测算统筹基金和个人账户转移的金额"
                                  "、各地缴费年限、待遇领取地和需要的材料。只做计算，不保存任何数据（公开）。"))
def transfer_assessment(body: TransferAssessmentIn, db: DB) -> TransferAssessmentOut:
    """Apply the national transfer rules (国办发〔2009〕66号 arts. 4-6) to one person's history and move."""
    request = body.to_request()
    assessment = pension.assess_transfer(request, province_names=provinces())
    situation = Situation(
        today=request.application_date, sex=request.sex, birth_date=request.birth_date,
        hukou_province=request.hukou_province, pension_history=request.history, answers={
            "new_province": request.new_province, "approved_official_transfer": request.approved_official_transfer,
        },
    )
    documents = registry.document_list(service.get_service_type(db, pension_transfer.TYPE.code), situation)
    return TransferAssessmentOut.of(assessment, documents=[d.name for d in documents])


def _invalid(field: str, message: str, value: object) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}]
    )


@pension_router.post("/continued-contribution", response_model=ContributionQuoteOut,
                     summary="灵活就业续缴测算",
                     description=("灵活就业人员续缴养老保险：缴费基数在当年上下限之间自选，按费率计算每月和所欠月"
                                  "数合计应缴的金额（公开，不保存数据）。"),
                     responses=error_responses((422, "填写有误，如该年度的缴费基数和费率尚未配置、基数超出上下限")))
def continued_contribution(body: ContributionQuoteIn, db: DB) -> ContributionQuoteOut:
    """What a flexible worker pays to continue: base within the year's bounds x rate, times months owed."""
    year, config = service.contribution_year(db, body.year)
    if config is None:
        raise _invalid("year", f"{year}年度的缴费基数和费率尚未配置", body.year)
    try:
        q = contribution.quote(config, months=body.month_count(), base=body.base, base_share=body.base_share)
    except contribution.BaseOutOfRange as exc:
        field = "base" if body.base is not None else "base_share"
        raise _invalid(field, str(exc), body.base if body.base is not None else body.base_share) from None
    explanation = (
        f"{q.year}年度灵活就业人员缴费基数可在{q.lower_base}元至{q.upper_base}元之间自选"
        f"（全省平均工资{config.average_monthly_wage}元的{config.lower_share:.0%}至{config.upper_share:.0%}）；"
        f"按基数{q.base}元、费率{q.rate:.0%}计，每月{q.monthly_amount}元，{q.months}个月合计{q.total}元。"
    )
    return ContributionQuoteOut(
        year=q.year, base=float(q.base), lower_base=float(q.lower_base), upper_base=float(q.upper_base),
        rate=float(q.rate), monthly_amount=float(q.monthly_amount), months=q.months, total=float(q.total),
        explanation=explanation,
    )


# --- catalogue and cases -----------------------------------------------------------------------

def case_out(case: Case) -> CaseOut:
    return CaseOut.model_validate({
        **{k: getattr(case, k) for k in CaseOut.model_fields if hasattr(case, k) and k not in ("status", "events")},
        "status": case.status.value,
        "status_label": case.status.label,
        "still_missing": [d for d in case.slip_documents if not case.documents.get(d)],
        "events": [
            {"at": e.at, "status": e.status.value, "by_user_id": e.by_user_id, "window": e.window,
             "note": e.note} for e in case.events
        ],
    })


@case_router.get("/services", response_model=list[ServiceOut],
                 summary="办事指南",
                 description="全部服务事项：所需材料、办理条件、步骤和办理时限（公开）。")
def list_services(db: DB) -> list:
    """The service catalogue: documents, conditions, steps and time limits of every service."""
    return service.service_types(db)


@case_router.put("/services/{code}", response_model=ServiceOut,
                 summary="修改服务事项",
                 description=("管理员按现行政策修改服务事项的名称、说明、材料、步骤和时限；自助终端的办事指南即时"
                              "更新。"),
                 responses=error_responses((404, "没有这个服务事项")))
def edit_service(db: DB, principal: Admin, code: Annotated[str, Path(max_length=40)], body: ServiceEdit):
    """Admins keep the catalogue true to current policy; the kiosk's 办事指南 shows the change at once."""
    return service.edit_service_type(db, code=code, **body.model_dump())


@case_router.get("/working-calendar/{year}", response_model=HolidayScheduleOut,
                 summary="某年的工作日安排",
                 description=("一年中工作日放假的节假日和周末调休上班的日子，即窗口办理时限计算所依据的日历；尚未"
                              "录入官方安排的年份只按周末计算。"))
def working_calendar(db: DB, principal: Overseer, year: Annotated[int, Path(ge=2000, le=2100)]) -> HolidayScheduleOut:
    """The year's holidays on weekdays and weekend days worked, as the counter's time limits count them."""
    return HolidayScheduleOut(**calendar.schedule_of(db, year))


@case_router.put("/working-calendar/{year}", response_model=HolidayScheduleOut,
                 summary="录入某年的节假日安排",
                 description=("国务院公布下一年的节假日安排后，管理员录入一次；因缺少安排而暂定的到期日随即重新计"
                              "算，每个办件的记录中注明变化。"))
def enter_working_calendar(db: DB, principal: Admin, year: Annotated[int, Path(ge=2000, le=2100)],
                           body: HolidayScheduleIn) -> HolidayScheduleOut:
    """Admins enter a year's official schedule when it is published; cases whose due date was provisional
    for want of it are counted again at once (each case's history notes the change)."""
    _row, settled = calendar.enter_schedule(db, year=year, holidays=body.holidays, workdays=body.workdays,
                                            source=body.source, user=principal.user)
    return HolidayScheduleOut(**calendar.schedule_of(db, year), settled_cases=[c.reference for c in settled])


@case_router.post("/cases", response_model=CaseOut, status_code=201,
                  summary="受理办件",
                  description=("任一窗口都可受理任一服务事项（一窗通办）：登记已交材料，缺少的材料列入一次性告知单"
                               "。"),
                  responses=error_responses((403, "该居民不在您负责的范围内"), (404, "居民或服务事项不存在")))
def open_case(body: CaseOpenIn, db: DB, principal: Counter) -> CaseOut:
    """Any window opens any service; missing documents go on one tell-once slip."""
    access.ensure_can_see_resident(db, principal.user, body.resident_id)
    resident = get_resident(db, body.resident_id)
    case = service.open_case(
        db, resident=resident, service_code=body.service_code, handed_in=body.handed_in, user=principal.user,
        window=body.window if body.window is not None else principal.user.window, today=clock.today(),
        answers=body.answers,
    )
    return case_out(case)


@case_router.get("/cases/figures", response_model=FiguresOut,
                 summary="窗口办件统计",
                 description=("一段时间内各窗口、各服务事项的受理、办结、按时办结、不予受理和补材料的件数；默认本"
                              "月。"),
                 responses=error_responses((422, "填写有误，如起始日期晚于截止日期")))
def figures(
    db: DB, principal: Overseer, since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> FiguresOut:
    today = clock.today()
    until = until or today
    since = since or until.replace(day=1)
    if since > until:
        raise InvalidInput("起始日期不能晚于截止日期", field="since")
    return FiguresOut.model_validate(counter_figures(db, since=since, until=until, today=today), from_attributes=True)


@case_router.get("/cases/status/{reference}", response_model=PublicStatusOut,
                 summary="按编号查询办件进度",
                 description="供自助终端：凭回执上的办件编号和8位查询码查看办件进度，不含任何个人信息（公开）。",
                 responses=error_responses((404, "没有找到该办件（编号或查询码不对）")))
def case_status(reference: Annotated[str, Path(max_length=30)], db: DB,
                code: Annotated[str, Query(pattern=f"^{QUERY_CODE_PATTERN}$",
                                          description="查询码: the 8 digits on the receipt or slip")],
                ) -> PublicStatusOut:
    """For the kiosk: the status of a case by its reference number and query code, without personal data."""
    shown = service.public_status(db, reference, code)
    if shown is None:
        raise NotFound("没有找到该办件，请核对回执上的办件编号和查询码")
    return PublicStatusOut(**shown)


@case_router.get("/cases/{case_id}", response_model=CaseOut,
                 summary="查看办件",
                 description="按编号取一个办件：状态、已交和仍缺的材料、到期日和办理记录。",
                 responses=error_responses((404, "没有这个办件")))
def get_case(case_id: PathId, db: DB, principal: Counter) -> CaseOut:
    return case_out(service.get_case(db, case_id))


@case_router.post("/cases/{case_id}/documents", response_model=CaseOut,
                  summary="补交材料",
                  description="登记居民补交的材料；材料齐全后办件转为已受理，办理时限从此开始计算。",
                  responses=error_responses((404, "没有这个办件"), (409, "该办件不在待补材料状态")))
def receive_documents(case_id: PathId, body: DocumentsIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.receive_documents(db, case=case, documents=body.documents, user=principal.user, today=clock.today()))


@case_router.post("/cases/{case_id}/review", response_model=CaseOut,
                  summary="开始审核",
                  description="已受理的办件进入审核，可附备注。",
                  responses=error_responses((404, "没有这个办件"), (409, "只有已受理的办件可以进入审核")))
def start_review(case_id: PathId, body: NoteIn, db: DB, principal: Counter) -> CaseOut:
    return case_out(service.start_review(db, case=service.get_case(db, case_id), user=principal.user, note=body.note))


@case_router.post("/cases/{case_id}/complete", response_model=CaseOut,
                  summary="办结",
                  description="已受理或审核中的办件办结，可附备注；记录是否按时办结。",
                  responses=error_responses((404, "没有这个办件"), (409, "只有已受理或审核中的办件可以办结")))
def complete(case_id: PathId, body: NoteIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.complete(db, case=case, user=principal.user, today=clock.today(), note=body.note))


@case_router.post("/cases/{case_id}/refuse", response_model=CaseOut,
                  summary="不予受理",
                  description="结束办件并说明不予受理的原因（原因会告知居民）。",
                  responses=error_responses((404, "没有这个办件"), (409, "该办件已结束")))
def refuse(case_id: PathId, body: RefuseIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.refuse(db, case=case, user=principal.user, today=clock.today(), reason=body.reason))


router.include_router(pension_router)
router.include_router(case_router)

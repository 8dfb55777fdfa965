"""JSON routes of the cases domain: the pension calculators, the service catalogue and counter cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError

from estation.accounts.models import Role
from estation.cases import calendar, contribution, pension, repository, service
from estation.cases.catalogue import PENSION_TRANSFER
from estation.cases.figures import counter_figures
from estation.cases.models import QUERY_CODE_PATTERN, Case
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
from estation.errors import InvalidInput, NotFound
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


@pension_router.post("/transfer-assessment", response_model=TransferAssessmentOut)
def transfer_assessment(body: TransferAssessmentIn) -> TransferAssessmentOut:
    """Apply the national transfer rules (国办发〔2009〕66号 arts. 4-6) to one person's history and move."""
    assessment = pension.assess_transfer(body.to_request(), province_names=provinces())
    return TransferAssessmentOut.of(assessment)


def _invalid(field: str, message: str, value: object) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}]
    )


@pension_router.post("/continued-contribution", response_model=ContributionQuoteOut)
def continued_contribution(body: ContributionQuoteIn, db: DB) -> ContributionQuoteOut:
    """What a flexible worker pays to continue: base within the year's bounds x rate, times months owed."""
    year = body.year if body.year is not None else (repository.latest_contribution_year(db) or clock.today().year)
    config = repository.contribution_config(db, year)
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
        "status_label": service.STATUS_LABELS[case.status],
        "still_missing": [d for d in case.slip_documents if not case.documents.get(d)],
        "events": [
            {"at": e.at, "status": e.status.value, "by_user_id": e.by_user_id, "note": e.note} for e in case.events
        ],
    })


@case_router.get("/services", response_model=list[ServiceOut])
def list_services(db: DB) -> list:
    """The service catalogue: documents, conditions, steps and time limits of every service."""
    return service.service_types(db)


@case_router.put("/services/{code}", response_model=ServiceOut)
def edit_service(db: DB, principal: Admin, code: Annotated[str, Path(max_length=40)], body: ServiceEdit):  # noqa: ANN201
    """Admins keep the catalogue true to current policy; the kiosk's 办事指南 shows the change at once."""
    return service.edit_service_type(db, code=code, **body.model_dump())


@case_router.get("/working-calendar/{year}", response_model=HolidayScheduleOut)
def working_calendar(db: DB, principal: Overseer, year: Annotated[int, Path(ge=2000, le=2100)]) -> HolidayScheduleOut:
    """The year's holidays on weekdays and weekend days worked, as the counter's time limits count them."""
    return HolidayScheduleOut(**calendar.schedule_of(db, year))


@case_router.put("/working-calendar/{year}", response_model=HolidayScheduleOut)
def enter_working_calendar(db: DB, principal: Admin, year: Annotated[int, Path(ge=2000, le=2100)],
                           body: HolidayScheduleIn) -> HolidayScheduleOut:
    """Admins enter a year's official schedule when it is published; cases whose due date was provisional
    for want of it are counted again at once (each case's history notes the change)."""
    _row, settled = calendar.enter_schedule(db, year=year, holidays=body.holidays, workdays=body.workdays,
                                            source=body.source, user=principal.user)
    return HolidayScheduleOut(**calendar.schedule_of(db, year), settled_cases=[c.reference for c in settled])


@case_router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(body: CaseOpenIn, db: DB, principal: Counter) -> CaseOut:
    """Any window opens any service; missing documents go on one tell-once slip."""
    access.ensure_can_see_resident(db, principal.user, body.resident_id)
    resident = get_resident(db, body.resident_id)
    today = clock.today()
    details: dict = {}
    if body.service_code == PENSION_TRANSFER:
        if body.pension is None:
            raise InvalidInput("养老保险关系转移接续需填写转入省等信息", field="pension")
        a = service.assess_resident_transfer(
            resident, new_province=body.pension.new_province, application_date=today,
            approved_official_transfer=body.pension.approved_official_transfer,
            personal_account_balance=body.pension.personal_account_balance, province_names=provinces(),
        )
        details["assessment"] = service.assessment_details(a)
    case = service.open_case(
        db, resident=resident, service_code=body.service_code, handed_in=body.handed_in, user=principal.user,
        window=body.window if body.window is not None else principal.user.window, today=today, details=details,
    )
    return case_out(case)


@case_router.get("/cases/figures", response_model=FiguresOut)
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


@case_router.get("/cases/status/{reference}", response_model=PublicStatusOut)
def case_status(reference: Annotated[str, Path(max_length=30)], db: DB,
                code: Annotated[str, Query(pattern=f"^{QUERY_CODE_PATTERN}$",
                                          description="查询码: the 8 digits on the receipt or slip")],
                ) -> PublicStatusOut:
    """For the kiosk: the status of a case by its reference number and query code, without personal data."""
    shown = service.public_status(db, reference, code)
    if shown is None:
        raise NotFound("没有找到该办件，请核对回执上的办件编号和查询码")
    return PublicStatusOut(**shown)


@case_router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: PathId, db: DB, principal: Counter) -> CaseOut:
    return case_out(service.get_case(db, case_id))


@case_router.post("/cases/{case_id}/documents", response_model=CaseOut)
def receive_documents(case_id: PathId, body: DocumentsIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.receive_documents(db, case=case, documents=body.documents, user=principal.user, today=clock.today()))


@case_router.post("/cases/{case_id}/review", response_model=CaseOut)
def start_review(case_id: PathId, body: NoteIn, db: DB, principal: Counter) -> CaseOut:
    return case_out(service.start_review(db, case=service.get_case(db, case_id), user=principal.user, note=body.note))


@case_router.post("/cases/{case_id}/complete", response_model=CaseOut)
def complete(case_id: PathId, body: NoteIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.complete(db, case=case, user=principal.user, today=clock.today(), note=body.note))


@case_router.post("/cases/{case_id}/refuse", response_model=CaseOut)
def refuse(case_id: PathId, body: RefuseIn, db: DB, principal: Counter) -> CaseOut:
    case = service.get_case(db, case_id)
    return case_out(service.refuse(db, case=case, user=principal.user, today=clock.today(), reason=body.reason))


router.include_router(pension_router)
router.include_router(case_router)

"""The service hall's counter UI: find a resident, see everything, open and move cases, print slips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from estation.accounts import kiosk as kiosk_accounts
from estation.accounts.models import Role
from estation.cases import lookup, pension, service
from estation.cases.catalogue import PENSION_TRANSFER
from estation.cases.contribution import BaseOutOfRange, quote
from estation.cases.figures import counter_figures
from estation.cases.repository import contribution_config, latest_contribution_year
from estation.web.templating import beijing_time
from estation import clock
from estation.deps import DB, Principal
from estation.errors import EstationError, InvalidInput
from estation.geo import provinces
from estation.imports import columns
from estation.labour.access import ensure_can_see_resident
from estation.labour.service import age_on, get_resident
from estation.web.pages import render
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked, require_web_roles
from estation.schemas import PathId

router = APIRouter(prefix="/counter", include_in_schema=False, route_class=FormRoute)

Clerk = Annotated[Principal, Depends(require_web_roles(Role.counter_staff, Role.admin, login_url="/login"))]
Note = Annotated[str, Form(max_length=500)]
VIEW_REASONS = ("窗口办理业务", "居民来电咨询", "核对材料信息", "回访已办事项")


def _to_case(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/counter/cases/{case_id}", status_code=303)


def _home(request: Request, db, principal: Principal, q: str = ""):  # noqa: ANN001, ANN202
    today = clock.today()
    matches = lookup.find_residents(db, user=principal.user, query=q) if q.strip() else []
    figures = counter_figures(db, since=today.replace(day=1), until=today, today=today)
    return render(request, "counter/index.html", {
        "q": q, "matches": matches, "searched": bool(q.strip()), "figures": figures, "reasons": VIEW_REASONS,
        "open_cases": service.open_cases(db, window=principal.user.window), "today": today,
        "labels": service.STATUS_LABELS, "service_names": figures.service_names,
    })


@router.get("")
def counter_home(request: Request, db: DB, principal: Clerk):  # noqa: ANN201
    return _home(request, db, principal)


@router.post("", dependencies=[CsrfChecked])
def find_resident(request: Request, db: DB, principal: Clerk, q: Annotated[str, Form(max_length=40)] = ""):  # noqa: ANN201
    """Posted, never a query string: an id number or phone in an address would stay in the browser's
    history and in every log the address passes through."""
    return _home(request, db, principal, q)


@router.get("/residents/{resident_id}")
def resident_view(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk, resident_id: PathId,
    reason: Annotated[str, Query(max_length=100)] = "",
):
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    if len(reason.strip()) < 2:
        return render(request, "counter/reason.html", {"resident_id": resident_id, "reasons": VIEW_REASONS})
    overview = lookup.resident_overview(db, user=principal.user, resident=resident, reason=reason.strip())
    services = service.service_types(db)
    return render(request, "counter/resident.html", {
        "o": overview, "r": resident, "reason": reason, "services": services, "col": columns,
        "age": age_on(resident.birth_date, clock.today()),
        "service_names": {s.code: s.name for s in services},
        "labels": service.STATUS_LABELS, "provinces": provinces(), "today": clock.today(),
    })


@router.get("/cases/new")
def new_case(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk, resident_id: int, service_code: Annotated[str, Query(max_length=40)],
):
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    svc = service.get_service_type(db, service_code)
    return render(request, "counter/case_new.html", {
        "r": resident, "svc": svc, "provinces": provinces(), "is_pension": svc.code == PENSION_TRANSFER,
    })


@router.post("/cases/assess", dependencies=[CsrfChecked])
def assess_before_opening(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk,
    resident_id: Annotated[int, Form()], new_province: Annotated[str, Form(max_length=2)],
    personal_account_balance: Annotated[str, Form(max_length=20)] = "0",
    approved_official_transfer: Annotated[bool, Form()] = False,
):
    """A pension transfer checklist depends on the assessment, so it is shown before accepting."""
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    context = {"r": resident, "svc": service.get_service_type(db, PENSION_TRANSFER), "provinces": provinces(),
               "is_pension": True}
    try:
        a = _assess(resident, new_province, personal_account_balance, approved_official_transfer)
    except InvalidInput as exc:
        return render(request, "counter/case_new.html", {**context, "error": exc.message}, status_code=422)
    return render(request, "counter/case_new.html", {
        **context, "assessment": a, "new_province": new_province,
        "balance": personal_account_balance, "official": approved_official_transfer,
    })


def _money(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise InvalidInput("请填写金额数字", field=field) from None
    if not value.is_finite() or value < 0 or value > Decimal(100_000_000):
        raise InvalidInput("金额不合理", field=field)
    return value


def _assess(resident, new_province: str, balance: str, official: bool) -> pension.TransferAssessment:  # noqa: ANN001
    if new_province not in provinces():
        raise InvalidInput("请选择转入省", field="new_province")
    return service.assess_resident_transfer(
        resident, new_province=new_province, application_date=clock.today(),
        approved_official_transfer=official, personal_account_balance=_money(balance, "personal_account_balance"),
        province_names=provinces(),
    )


@router.post("/cases", dependencies=[CsrfChecked, SubmittedOnce])
def open_case(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk,
    resident_id: Annotated[int, Form()], service_code: Annotated[str, Form(max_length=40)],
    handed_in: Annotated[list[str], Form()] = [],  # noqa: B006
    new_province: Annotated[str, Form(max_length=2)] = "",
    personal_account_balance: Annotated[str, Form(max_length=20)] = "0",
    approved_official_transfer: Annotated[bool, Form()] = False,
):
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    svc = service.get_service_type(db, service_code)
    details: dict = {}
    try:
        if service_code == PENSION_TRANSFER:
            a = _assess(resident, new_province, personal_account_balance, approved_official_transfer)
            details["assessment"] = service.assessment_details(a)
        case = service.open_case(
            db, resident=resident, service_code=service_code, handed_in=handed_in, user=principal.user,
            window=principal.user.window, today=clock.today(), details=details,
        )
    except InvalidInput as exc:
        return render(request, "counter/case_new.html", {
            "r": resident, "svc": svc, "provinces": provinces(), "is_pension": svc.code == PENSION_TRANSFER,
            "error": exc.message,
        }, status_code=422)
    return _to_case(case.id)


@router.get("/cases/{case_id}")
def case_view(request: Request, db: DB, principal: Clerk, case_id: PathId):  # noqa: ANN201
    case = service.get_case(db, case_id)
    return render(request, "counter/case.html", _case_context(db, case))


def _case_context(db, case) -> dict:  # noqa: ANN001
    return {
        "case": case, "svc": service.get_service_type(db, case.service_code), "r": get_resident(db, case.resident_id),
        "labels": service.STATUS_LABELS, "overdue": service.is_overdue(case, clock.today()),
        "still_missing": [d for d in case.slip_documents if not case.documents.get(d)],
        "provinces": provinces(), "local_time": beijing_time,
    }


@router.get("/cases/{case_id}/slip")
def case_slip(request: Request, db: DB, principal: Clerk, case_id: PathId):  # noqa: ANN201
    """The printable tell-once slip: everything still needed, on one page."""
    return render(request, "counter/slip.html", _case_context(db, service.get_case(db, case_id)))


@router.get("/cases/{case_id}/receipt")
def case_receipt(request: Request, db: DB, principal: Clerk, case_id: PathId):  # noqa: ANN201
    return render(request, "counter/receipt.html", _case_context(db, service.get_case(db, case_id)))


def _act(request: Request, db, case_id: int, action) -> Response:  # noqa: ANN001
    """Run one step on a case; a refused step shows the case again with the reason, changing nothing
    (the services check before they change anything)."""
    case = service.get_case(db, case_id)
    try:
        action(case)
    except EstationError as exc:
        return render(request, "counter/case.html", {**_case_context(db, case), "error": exc.message},
                      status_code=exc.status_code)
    return _to_case(case_id)


@router.post("/cases/{case_id}/documents", dependencies=[CsrfChecked, SubmittedOnce])
def receive(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk, case_id: PathId,
    documents: Annotated[list[str], Form()] = [],  # noqa: B006
):
    def step(case) -> None:  # noqa: ANN001
        if not documents:
            raise InvalidInput("请勾选本次补交的材料", field="documents")
        service.receive_documents(db, case=case, documents=documents, user=principal.user, today=clock.today())

    return _act(request, db, case_id, step)


@router.post("/cases/{case_id}/review", dependencies=[CsrfChecked, SubmittedOnce])
def review(request: Request, db: DB, principal: Clerk, case_id: PathId, note: Note = ""):  # noqa: ANN201
    return _act(request, db, case_id, lambda case: service.start_review(db, case=case, user=principal.user, note=note))


@router.post("/cases/{case_id}/complete", dependencies=[CsrfChecked, SubmittedOnce])
def complete(request: Request, db: DB, principal: Clerk, case_id: PathId, note: Note = ""):  # noqa: ANN201
    return _act(request, db, case_id, lambda case: service.complete(
        db, case=case, user=principal.user, today=clock.today(), note=note))


@router.post("/cases/{case_id}/refuse", dependencies=[CsrfChecked, SubmittedOnce])
def refuse(request: Request, db: DB, principal: Clerk, case_id: PathId, reason: Note = ""):  # noqa: ANN201
    return _act(request, db, case_id, lambda case: service.refuse(
        db, case=case, user=principal.user, today=clock.today(), reason=reason))


@router.get("/figures")
def figures(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk,
    since: Annotated[date | None, Query()] = None, until: Annotated[date | None, Query()] = None,
):
    today = clock.today()
    until = until or today
    since = since or until.replace(day=1)
    if since > until:
        raise InvalidInput("起始日期不能晚于截止日期", field="since")
    return render(request, "counter/figures.html", {"f": counter_figures(db, since=since, until=until, today=today)})


@router.get("/contribution")
def contribution_calculator(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk,
    base: Annotated[str, Query(max_length=12)] = "", months: Annotated[int, Query(ge=1, le=600)] = 12,
):
    """The continued-contribution calculator for the clerk and the resident at the window."""
    year = latest_contribution_year(db) or clock.today().year
    config = contribution_config(db, year)
    result, error = None, None
    if config is not None:
        try:
            result = quote(config, months=months, base=_money(base, "base") if base.strip() else None)
        except (BaseOutOfRange, InvalidInput) as exc:
            error = str(exc) if isinstance(exc, BaseOutOfRange) else exc.message
    return render(request, "counter/contribution.html", {
        "config": config, "result": result, "error": error, "base": base, "months": months,
    })


@router.get("/residents/{resident_id}/pin")
def pin_page(request: Request, db: DB, principal: Clerk, resident_id: PathId, done: str = ""):  # noqa: ANN201
    ensure_can_see_resident(db, principal.user, resident_id)
    return render(request, "counter/pin.html", {"r": get_resident(db, resident_id), "done": bool(done)})


@router.post("/residents/{resident_id}/pin", dependencies=[CsrfChecked, SubmittedOnce])
def set_pin(  # noqa: ANN201
    request: Request, db: DB, principal: Clerk, resident_id: PathId,
    pin: Annotated[str, Form(max_length=20)] = "", pin_again: Annotated[str, Form(max_length=20)] = "",
    id_card_checked: Annotated[bool, Form()] = False,
):
    """Set or reset the resident's kiosk PIN, after checking the id card; the access log says who did it."""
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    try:
        if pin.strip() != pin_again.strip():
            raise InvalidInput("两次输入的密码不一致", field="pin_again")
        kiosk_accounts.set_pin_at_counter(db, resident=resident, pin=pin, id_card_checked=id_card_checked,
                                          staff=principal.user)
    except EstationError as exc:
        return render(request, "counter/pin.html", {"r": resident, "error": exc.message, "field": exc.field},
                      status_code=exc.status_code)
    return RedirectResponse(f"/counter/residents/{resident_id}/pin?done=1", status_code=303)

"""The service hall's counter UI: find a resident, see everything, open and move cases, print slips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from estation.accounts import kiosk as kiosk_accounts
from estation.cases import lookup, registry, service
from estation.cases.contribution import BaseOutOfRange, quote
from estation.web.templating import beijing_time
from estation import clock
from estation.deps import DB, Principal, parts
from estation.errors import EstationError, InvalidInput
from estation.geo import provinces
from estation.labour.access import ensure_can_see_resident
from estation.labour.service import age_on, change_history, communities, get_resident
from estation.ratings import service as ratings
from estation.web.counter import follow_ups, notices, profile, rating, suggestions
from estation.web.counter.profile import Clerk, Keeper, PostedForm, desk
from estation.web.pages import render
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked
from estation.schemas import PathId

router = APIRouter(prefix="/counter", include_in_schema=False, route_class=FormRoute)

Note = Annotated[str, Form(max_length=500)]
VIEW_REASONS = {"窗口": ("窗口办理业务", "居民来电咨询", "核对材料信息", "回访已办事项"),
                "社区": ("社区办理业务", "居民来电咨询", "核对材料信息", "入户走访")}


def _to_case(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/counter/cases/{case_id}", status_code=303)


def _home(request: Request, db, principal: Principal, q: str = ""):
    """Finding a resident (only those the user may see); the window's open cases and figures for the window."""
    today = clock.today()
    matches = lookup.find_residents(db, user=principal.user, query=q) if q.strip() else []
    ctx = {"q": q, "matches": matches, "searched": bool(q.strip()), "reasons": VIEW_REASONS[desk(principal.user)],
           "today": today}
    if principal.role in lookup.JOINED_VIEW:
        figures = parts(request).figures.get(db, since=today.replace(day=1), until=today, today=today)
        ctx |= {"figures": figures, "open_cases": service.open_cases(db, window=principal.user.window),
                "service_names": figures.service_names}
    else:
        ctx["community"] = communities(db)[principal.user.community_code or ""]
    return render(request, "counter/index.html", ctx)


@router.get("")
def counter_home(request: Request, db: DB, principal: Keeper):
    return _home(request, db, principal)


@router.post("", dependencies=[CsrfChecked])
def find_resident(request: Request, db: DB, principal: Keeper, q: Annotated[str, Form(max_length=40)] = ""):
    """Posted, never a query string: an id number or phone in an address would stay in the browser's
    history and in every log the address passes through."""
    return _home(request, db, principal, q)


@router.get("/residents/{resident_id}")
def resident_view(
    request: Request, db: DB, principal: Keeper, resident_id: PathId,
    reason: Annotated[str, Query(max_length=100)] = "",
):
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    if len(reason.strip()) < 2:
        return render(request, "counter/reason.html", {"resident_id": resident_id,
                                                       "reasons": VIEW_REASONS[desk(principal.user)]})
    overview = lookup.resident_overview(db, user=principal.user, resident=resident, reason=reason.strip())
    services = service.service_types(db)
    return render(request, "counter/resident.html", {
        "o": overview, "r": resident, "reason": reason, "services": services,
        "age": age_on(resident.birth_date, clock.today()),
        "service_names": {s.code: s.name for s in services},
        "provinces": provinces(), "today": clock.today(), "changes": change_history(resident),
    })



def _new_case(request: Request, db, resident, svc, *, answers: dict[str, str] | None = None,
              error: str | None = None, status_code: int = 200) -> Response:
    """Opening a case: the case type's intake form while it is unanswered, then what its rules work out and
    the checklist (the one document list of the service and this resident's situation)."""
    case_type = registry.REGISTRY.get(svc.code)
    ctx: dict = {"r": resident, "svc": svc, "provinces": provinces(), "intake": case_type.intake, "error": error,
                 "answers": case_type.assumed_answers()}
    if answers is not None or not case_type.intake:
        try:
            situation = registry.situation(svc.code, resident, today=clock.today(), answers=answers or {})
        except InvalidInput as exc:
            return render(request, "counter/case_new.html", {**ctx, "error": exc.message}, status_code=422)
        details = case_type.assess(situation) if case_type.assess else {}
        ctx |= {"answers": situation.answers, "answered": True,
                "checklist": registry.document_list(svc, situation),
                "assessed": case_type.describe(details) if case_type.describe else None}
    return render(request, "counter/case_new.html", ctx, status_code=status_code)


@router.get("/cases/new")
def new_case(
    request: Request, db: DB, principal: Clerk, resident_id: int, service_code: Annotated[str, Query(max_length=40)],
):
    ensure_can_see_resident(db, principal.user, resident_id)
    return _new_case(request, db, get_resident(db, resident_id), service.get_service_type(db, service_code))


@router.post("/cases/assess", dependencies=[CsrfChecked])
def assess_before_opening(
    request: Request, db: DB, principal: Clerk, form: PostedForm,
    resident_id: Annotated[int, Form()], service_code: Annotated[str, Form(max_length=40)],
):
    """The intake answers decide the checklist, so it is shown (with what the rules work out) before accepting."""
    ensure_can_see_resident(db, principal.user, resident_id)
    return _new_case(request, db, get_resident(db, resident_id), service.get_service_type(db, service_code),
                     answers=form)


def _money(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise InvalidInput("请填写金额数字", field=field) from None
    if not value.is_finite() or value < 0 or value > Decimal(100_000_000):
        raise InvalidInput("金额不合理", field=field)
    return value


@router.post("/cases", dependencies=[CsrfChecked, SubmittedOnce])
def open_case(
    request: Request, db: DB, principal: Clerk, form: PostedForm,
    resident_id: Annotated[int, Form()], service_code: Annotated[str, Form(max_length=40)],
    handed_in: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies a default per request
):
    ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_resident(db, resident_id)
    svc = service.get_service_type(db, service_code)
    try:
        case = service.open_case(
            db, resident=resident, service_code=service_code, handed_in=handed_in, user=principal.user,
            window=principal.user.window, today=clock.today(), answers=form,
        )
    except InvalidInput as exc:
        return _new_case(request, db, resident, svc, answers=form, error=exc.message, status_code=422)
    return _to_case(case.id)


@router.get("/cases/{case_id}")
def case_view(request: Request, db: DB, principal: Clerk, case_id: PathId):
    case = service.get_case(db, case_id)
    return render(request, "counter/case.html", _case_context(db, case))


def _case_context(db, case) -> dict:
    describe = registry.REGISTRY.get(case.service_code).describe
    return {
        "case": case, "svc": service.get_service_type(db, case.service_code), "r": get_resident(db, case.resident_id),
        "assessed": describe(case.details) if describe else None,
        "overdue": service.is_overdue(case, clock.today()), "receipt": service.receipt_of(case),
        "still_missing": [d for d in case.slip_documents if not case.documents.get(d)],
        "provinces": provinces(), "local_time": beijing_time, "rating": ratings.case_rating(db, case.id),
        "rateable": case.status in ratings.RATEABLE,
    }


@router.get("/cases/{case_id}/slip")
def case_slip(request: Request, db: DB, principal: Clerk, case_id: PathId):
    """The printable tell-once slip: everything still needed, on one page."""
    return render(request, "counter/slip.html", _case_context(db, service.get_case(db, case_id)))


@router.get("/cases/{case_id}/receipt")
def case_receipt(request: Request, db: DB, principal: Clerk, case_id: PathId):
    return render(request, "counter/receipt.html", _case_context(db, service.get_case(db, case_id)))


def _act(request: Request, db, case_id: int, action) -> Response:
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
def receive(
    request: Request, db: DB, principal: Clerk, case_id: PathId,
    documents: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies a default per request
):
    def step(case) -> None:
        if not documents:
            raise InvalidInput("请勾选本次补交的材料", field="documents")
        service.receive_documents(db, case=case, documents=documents, user=principal.user, today=clock.today())

    return _act(request, db, case_id, step)


@router.post("/cases/{case_id}/review", dependencies=[CsrfChecked, SubmittedOnce])
def review(request: Request, db: DB, principal: Clerk, case_id: PathId, note: Note = ""):
    return _act(request, db, case_id, lambda case: service.start_review(db, case=case, user=principal.user, note=note))


@router.post("/cases/{case_id}/complete", dependencies=[CsrfChecked, SubmittedOnce])
def complete(request: Request, db: DB, principal: Clerk, case_id: PathId, note: Note = ""):
    return _act(request, db, case_id, lambda case: service.complete(
        db, case=case, user=principal.user, today=clock.today(), note=note))


@router.post("/cases/{case_id}/refuse", dependencies=[CsrfChecked, SubmittedOnce])
def refuse(request: Request, db: DB, principal: Clerk, case_id: PathId, reason: Note = ""):
    return _act(request, db, case_id, lambda case: service.refuse(
        db, case=case, user=principal.user, today=clock.today(), reason=reason))


@router.get("/figures")
def figures(
    request: Request, db: DB, principal: Clerk,
    since: Annotated[date | None, Query()] = None, until: Annotated[date | None, Query()] = None,
):
    today = clock.today()
    until = until or today
    since = since or until.replace(day=1)
    if since > until:
        raise InvalidInput("起始日期不能晚于截止日期", field="since")
    return render(request, "counter/figures.html", {"f": parts(request).figures.get(db, since=since, until=until, today=today)})


@router.get("/contribution")
def contribution_calculator(
    request: Request, db: DB, principal: Clerk,
    base: Annotated[str, Query(max_length=12)] = "", months: Annotated[int, Query(ge=1, le=600)] = 12,
):
    """The continued-contribution calculator for the clerk and the resident at the window."""
    _, config = service.contribution_year(db)
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
def pin_page(request: Request, db: DB, principal: Clerk, resident_id: PathId, done: str = ""):
    ensure_can_see_resident(db, principal.user, resident_id)
    return render(request, "counter/pin.html", {"r": get_resident(db, resident_id), "done": bool(done)})


@router.post("/residents/{resident_id}/pin", dependencies=[CsrfChecked, SubmittedOnce])
def set_pin(
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


router.include_router(profile.router)
router.include_router(follow_ups.router)
router.include_router(rating.router)
router.include_router(suggestions.router)
router.include_router(notices.router)

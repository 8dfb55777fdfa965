"""Pages of the ledger UI. Routes parse forms and call the ledger services; rules live in the services."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from estation.accounts.models import Role
from estation.config import Settings
from estation.deps import DB, Principal, get_settings_dep, parts
from estation.errors import EstationError, InvalidInput
from estation import clock, sheets
from estation.ledger import duties, export, hardship, rules, service, work
from estation.ledger.models import LedgerCategory, LedgerStatus
from estation.ledger.schemas import (
    FollowUpAnswer,
    ItemCreate,
    MeetingCreate,
    PlacementCreate,
    ReferralCreate,
    ReminderMarkIn,
    VisitCreate,
)
from estation.volunteers import service as volunteers
from estation.web.ledger import views
from estation.web.pages import render
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.security import CsrfChecked, require_web_roles
from estation.schemas import PathId

router = APIRouter(prefix="/ledger", include_in_schema=False, route_class=FormRoute)

Staff = Annotated[Principal, Depends(require_web_roles(Role.cadre, Role.leader, Role.admin, login_url="/login"))]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FIELD_LABELS = {"note": "情况记录", "on": "日期", "due_on": "办结期限", "problem": "问题描述", "category": "问题类别",
                "resident_id": "家庭成员", "kind": "方式", "outcome_ok": "回访结果", "item_id": "事项",
                "held_on": "座谈日期", "topic": "座谈主题", "attendees": "参会人数", "started_on": "上岗日期",
                "vacancy_id": "岗位", "reason": "原因", "to": "状态", "still_employed": "是否在岗",
                "outcome": "核实结果", "code": "政策提醒"}

def _parse(schema, **fields):
    """Build a schema from form fields; a bad field becomes a Chinese message naming it."""
    try:
        return schema(**{k: v for k, v in fields.items() if v not in (None, "")})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][-1]) if first["loc"] else ""
        raise InvalidInput(f"“{FIELD_LABELS.get(name, name)}”填写有误，请检查后重新提交。", field=name) from None


def _back(household_id: int, *, anchor: str = "", msg: str = "") -> RedirectResponse:
    query = f"?msg={quote(msg)}" if msg else ""
    return RedirectResponse(f"/ledger/households/{household_id}{query}{anchor}", status_code=303)


def _household_page(request: Request, db: DB, principal: Principal, settings: Settings, household_id: int, *,
                    error: str = "", status_code: int = 200) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    ledger = service.household_ledger(db, user=principal.user, household=household, today=today,
                                      policy_rules=rules.rules_in_force(db, settings.ledger_rules_file))
    ctx = views.household_context(db, user=principal.user, ledger=ledger, today=today)
    ctx.update(categories=list(LedgerCategory), error=error, msg=request.query_params.get("msg", "")[:60] if not error else "",
               volunteer_visits=volunteers.household_visits(db, household_id=household.id))
    return render(request, "ledger/household.html", ctx, status_code=status_code)


@router.get("")
def my_households(request: Request, db: DB, principal: Staff, settings: AppSettings) -> Response:
    today = clock.today()
    households = service.household_summaries(db, user=principal.user, today=today)
    show_all = principal.role == Role.cadre or request.query_params.get("all") == "1"
    if not show_all:
        # A leader's community has hundreds of households: start with those the ledger is about.
        households = [h for h in households if h.hardship or h.open_items or h.cadre_names]
    due = work.follow_ups(db, user=principal.user, due_by=today)
    gaps = duties.no_contact(db, user=principal.user, today=today, days=settings.ledger_no_contact_days)
    return render(request, "ledger/households.html", {
        "households": households, "follow_ups": due, "no_contact": {g.household_id for g in gaps},
        "no_contact_days": settings.ledger_no_contact_days, "today": today,
        "communities": service.community_names(db),
        "held": service.held_communities(db, principal.user, today), "show_all": show_all,
    })


@router.get("/households/{household_id}")
def household(request: Request, db: DB, principal: Staff, settings: AppSettings, household_id: PathId) -> Response:
    return _household_page(request, db, principal, settings, household_id)


def _form_action(request: Request, db: DB, principal: Principal, settings: Settings, household_id: int,
                 do) -> Response:
    """Run a state change; a refused one re-renders the household page with the reason."""
    service.visible_household(db, principal.user, household_id)
    try:
        result = do()
    except EstationError as exc:
        if exc.status_code in (403, 404):
            raise
        db.rollback()
        return _household_page(request, db, principal, settings, household_id, error=exc.message,
                               status_code=exc.status_code)
    return result


@router.post("/households/{household_id}/visits", dependencies=[CsrfChecked, SubmittedOnce])
def record_visit(
    request: Request, db: DB, principal: Staff, settings: AppSettings, household_id: PathId,
    kind: Annotated[str, Form(max_length=20)] = "home_visit",
    item_id: Annotated[str, Form(max_length=12)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    sensitive: Annotated[str, Form(max_length=5)] = "",
    outcome_ok: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def do() -> Response:
        data = _parse(VisitCreate, kind=kind, item_id=item_id, on=on, note=note, sensitive=bool(sensitive),
                      outcome_ok=outcome_ok)
        household = service.visible_household(db, principal.user, household_id)
        service.record_visit(db, user=principal.user, household=household, data=data, today=clock.today())
        return _back(household_id, msg="已记录" + data.kind.label)
    return _form_action(request, db, principal, settings, household_id, do)


@router.post("/households/{household_id}/items", dependencies=[CsrfChecked, SubmittedOnce])
def create_item(
    request: Request, db: DB, principal: Staff, settings: AppSettings, household_id: PathId,
    category: Annotated[str, Form(max_length=20)],
    problem: Annotated[str, Form(max_length=2000)],
    due_on: Annotated[str, Form(max_length=10)],
    resident_id: Annotated[str, Form(max_length=12)] = "",
    sensitive: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def do() -> Response:
        data = _parse(ItemCreate, category=category, problem=problem, due_on=due_on, resident_id=resident_id,
                      sensitive=bool(sensitive))
        household = service.visible_household(db, principal.user, household_id)
        item = service.create_item(db, user=principal.user, household=household, data=data,
                                   today=clock.today())
        return _back(household_id, anchor=f"#item-{item.id}", msg="已登记问题")
    return _form_action(request, db, principal, settings, household_id, do)


@router.post("/items/{item_id}/status", dependencies=[CsrfChecked, SubmittedOnce])
def move_status(
    request: Request, db: DB, principal: Staff, settings: AppSettings, item_id: PathId,
    to: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    item = service.visible_item(db, principal.user, item_id)

    def do() -> Response:
        target = LedgerStatus(to) if to in LedgerStatus._value2member_map_ else None
        if target is None:
            raise InvalidInput("状态填写有误", field="to")
        if target == LedgerStatus.open:
            service.reopen(db, user=principal.user, item=item, reason=reason or "重新打开", today=clock.today())
        else:
            service.move_status(db, user=principal.user, item=item, to=target, reason=reason,
                                today=clock.today())
        return _back(item.household_id, anchor=f"#item-{item.id}", msg="状态已改为" + target.label)
    return _form_action(request, db, principal, settings, item.household_id, do)


@router.post("/households/{household_id}/reminders", dependencies=[CsrfChecked, SubmittedOnce])
def mark_reminder(
    request: Request, db: DB, principal: Staff, settings: AppSettings, household_id: PathId,
    resident_id: Annotated[str, Form(max_length=12)],
    code: Annotated[str, Form(max_length=40)],
    outcome: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    def do() -> Response:
        data = _parse(ReminderMarkIn, resident_id=resident_id, code=code, outcome=outcome, note=note)
        household = service.visible_household(db, principal.user, household_id)
        hardship.mark_reminder(db, user=principal.user, household=household, data=data, today=clock.today(),
                               policy_rules=rules.rules_in_force(db, settings.ledger_rules_file))
        return _back(household_id, anchor="#reminders", msg="政策提醒已标记为" + data.outcome.label)
    return _form_action(request, db, principal, settings, household_id, do)


@router.get("/households/{household_id}/work")
def find_work(request: Request, db: DB, principal: Staff, household_id: PathId) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    result = work.find_work(db, household=household, matching=parts(request).matching, today=clock.today())
    return render(request, "ledger/work.html", {"household": household, "result": result,
                                                 "members": household.members})


@router.post("/households/{household_id}/referrals", dependencies=[CsrfChecked, SubmittedOnce])
def refer(
    request: Request, db: DB, principal: Staff, settings: AppSettings, household_id: PathId,
    resident_id: Annotated[str, Form(max_length=12)],
    vacancy_id: Annotated[str, Form(max_length=12)],
) -> Response:
    def do() -> Response:
        data = _parse(ReferralCreate, resident_id=resident_id, vacancy_id=vacancy_id)
        household = service.visible_household(db, principal.user, household_id)
        action = work.refer(db, user=principal.user, household=household, data=data, today=clock.today())
        return _back(household_id, anchor=f"#item-{action.item_id}", msg="已记录岗位推荐")
    return _form_action(request, db, principal, settings, household_id, do)


@router.post("/referrals/{action_id}/placement", dependencies=[CsrfChecked, SubmittedOnce])
def place(
    request: Request, db: DB, principal: Staff, settings: AppSettings, action_id: PathId,
    started_on: Annotated[str, Form(max_length=10)],
) -> Response:
    referral = work.visible_referral(db, principal.user, action_id)

    def do() -> Response:
        data = _parse(PlacementCreate, started_on=started_on)
        work.place(db, user=principal.user, referral=referral, data=data, today=clock.today())
        return _back(referral.household_id, anchor=f"#item-{referral.item_id}", msg="已登记上岗，1个月、3个月和6个月后提醒跟踪")
    return _form_action(request, db, principal, settings, referral.household_id, do)


@router.post("/follow-ups/{follow_up_id}", dependencies=[CsrfChecked, SubmittedOnce])
def answer_follow_up(
    request: Request, db: DB, principal: Staff, settings: AppSettings, follow_up_id: PathId,
    still_employed: Annotated[str, Form(max_length=5)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    follow_up = work.visible_follow_up(db, principal.user, follow_up_id)

    def do() -> Response:
        data = _parse(FollowUpAnswer, still_employed=still_employed, note=note)
        work.answer(db, user=principal.user, follow_up=follow_up, data=data, today=clock.today())
        return _back(follow_up.household_id, msg="已记录上岗跟踪")
    return _form_action(request, db, principal, settings, follow_up.household_id, do)


@router.get("/dashboard")
def dashboard(request: Request, db: DB, principal: Staff, settings: AppSettings) -> Response:
    today = clock.today()
    # No scheduler runs in a street office deployment: the first look at the dashboard each day escalates
    # what ran late (idempotent; also available as POST /api/v1/ledger/escalations for a timer).
    service.escalate_overdue(db, today=today)
    ctx = views.dashboard_context(db, user=principal.user, today=today,
                                  no_contact_days=settings.ledger_no_contact_days)
    ctx.update(error=request.query_params.get("error", "")[:80], today=today)
    return render(request, "ledger/dashboard.html", ctx)


@router.post("/meetings", dependencies=[CsrfChecked, SubmittedOnce])
def record_meeting(
    request: Request, db: DB, principal: Staff,
    community_code: Annotated[str, Form(max_length=12)],
    held_on: Annotated[str, Form(max_length=10)],
    topic: Annotated[str, Form(max_length=200)],
    attendees: Annotated[str, Form(max_length=5)] = "0",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    data = _parse(MeetingCreate, community_code=community_code, held_on=held_on, topic=topic, attendees=attendees,
                  notes=notes)
    service.record_meeting(db, user=principal.user, data=data, today=clock.today())
    return RedirectResponse("/ledger/dashboard?msg=" + quote("已登记座谈会"), status_code=303)


def _xlsx(content: bytes, filename: str) -> Response:
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"})


@router.get("/households/{household_id}/export.xlsx")
def export_household(db: DB, principal: Staff, household_id: PathId) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    rows = export.ledger_rows(db, user=principal.user, households=[household], today=today, reason="导出家庭台账")
    return _xlsx(export.workbook(rows, title="甸柳街道结对帮扶家庭台账", subtitle=f"{household.address}　导出日期：{today}"),
                 sheets.file_name("台账", household.address, str(today)))


@router.get("/communities/{community_code}/export.xlsx")
def export_community(db: DB, principal: Staff, community_code: str) -> Response:
    today = clock.today()
    households = service.community_households(db, user=principal.user, community_code=community_code, today=today)
    name = service.community_names(db).get(community_code, community_code)
    rows = export.ledger_rows(db, user=principal.user, households=households, today=today, reason="导出社区台账")
    return _xlsx(export.workbook(rows, title=f"甸柳街道{name}联户帮扶工作台账", subtitle=f"导出日期：{today}"),
                 sheets.file_name("台账", name, str(today)))


@router.get("/households/{household_id}/print")
def print_household(request: Request, db: DB, principal: Staff, household_id: PathId) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    rows = export.ledger_rows(db, user=principal.user, households=[household], today=today, reason="打印家庭台账")
    return render(request, "ledger/print.html", {"title": "甸柳街道结对帮扶家庭台账", "subtitle": household.address,
                                                  "rows": rows, "headers": export.HEADERS, "today": today})


@router.get("/communities/{community_code}/print")
def print_community(request: Request, db: DB, principal: Staff, community_code: str) -> Response:
    today = clock.today()
    households = service.community_households(db, user=principal.user, community_code=community_code, today=today)
    name = service.community_names(db).get(community_code, community_code)
    rows = export.ledger_rows(db, user=principal.user, households=households, today=today, reason="打印社区台账")
    return render(request, "ledger/print.html", {"title": f"甸柳街道{name}联户帮扶工作台账", "subtitle": "",
                                                  "rows": rows, "headers": export.HEADERS, "today": today})


"""JSON routes of the ledger. Every route checks the role first, then the household's visibility."""

from __future__ import annotations

from typing import Annotated

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from estation.accounts.models import Role
from estation.config import Settings
from estation.deps import DB, Principal, get_settings_dep, require_roles
from estation.errors import NotFound
from estation import clock, sheets
from estation.ledger import duties, export, repository, rules, service, work
from estation.ledger.models import CommunityAssignment, HouseholdPairing
from estation.ledger.schemas import (
    ActionCreate,
    ActionOut,
    AssignmentCreate,
    AssignmentOut,
    Duties,
    FollowUpAnswer,
    FollowUpOut,
    HouseholdLedger,
    HouseholdSummary,
    ItemCreate,
    ItemOut,
    MatchResult,
    MeetingCreate,
    MeetingOut,
    PairingCreate,
    PairingOut,
    PlacementCreate,
    Reassign,
    ReferralCreate,
    ReminderOut,
    Reopen,
    StatusMove,
    VisitCreate,
)
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Staff = Annotated[Principal, Depends(require_roles(Role.cadre, Role.leader, Role.admin))]
Overseer = Annotated[Principal, Depends(require_roles(Role.leader, Role.admin))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]


def policy_rules(settings: Settings) -> list[rules.PolicyRule]:
    return rules.load_rules(settings.ledger_rules_file)


def _item(db: DB, principal: Principal, item_id: int, today) -> ItemOut:  # noqa: ANN001
    return service.item_out(service.visible_item(db, principal.user, item_id), principal.user, today)


@router.get("/households", response_model=list[HouseholdSummary])
def my_households(db: DB, principal: Staff, community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                  ) -> list[HouseholdSummary]:
    return service.household_summaries(db, user=principal.user, today=clock.today(),
                                       community_code=community_code)


@router.get("/households/{household_id}", response_model=HouseholdLedger)
def household_ledger(db: DB, principal: Staff, settings: AppSettings, household_id: PathId) -> HouseholdLedger:
    household = service.visible_household(db, principal.user, household_id)
    return service.household_ledger(db, user=principal.user, household=household, today=clock.today(),
                                    policy_rules=policy_rules(settings))


@router.get("/households/{household_id}/reminders", response_model=list[ReminderOut])
def reminders(db: DB, principal: Staff, settings: AppSettings, household_id: PathId) -> list:
    household = service.visible_household(db, principal.user, household_id)
    return [r.__dict__ for r in rules.reminders(household, policy_rules(settings), clock.today())]


@router.post("/households/{household_id}/items", response_model=ItemOut, status_code=201)
def create_item(db: DB, principal: Staff, household_id: PathId, data: ItemCreate) -> ItemOut:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    item = service.create_item(db, user=principal.user, household=household, data=data, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/households/{household_id}/visits", response_model=ActionOut, status_code=201)
def record_visit(db: DB, principal: Staff, household_id: PathId, data: VisitCreate) -> ActionOut:
    household = service.visible_household(db, principal.user, household_id)
    action = service.record_visit(db, user=principal.user, household=household, data=data,
                                  today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/households/{household_id}/work", response_model=MatchResult)
def find_work(request: Request, db: DB, principal: Staff, household_id: PathId) -> MatchResult:
    household = service.visible_household(db, principal.user, household_id)
    return work.find_work(db, household=household, state=request.app.state)


@router.post("/households/{household_id}/referrals", response_model=ActionOut, status_code=201)
def refer(db: DB, principal: Staff, household_id: PathId, data: ReferralCreate) -> ActionOut:
    household = service.visible_household(db, principal.user, household_id)
    action = work.refer(db, user=principal.user, household=household, data=data, today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/households/{household_id}/pairings", response_model=list[PairingOut])
def household_pairings(db: DB, principal: Staff, household_id: PathId) -> list:
    service.visible_household(db, principal.user, household_id)
    return repository.pairings_of_household(db, household_id)


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(db: DB, principal: Staff, item_id: PathId) -> ItemOut:
    return _item(db, principal, item_id, clock.today())


@router.post("/items/{item_id}/actions", response_model=ItemOut, status_code=201)
def add_action(db: DB, principal: Staff, item_id: PathId, data: ActionCreate) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.add_action(db, user=principal.user, item=item, data=data, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/items/{item_id}/status", response_model=ItemOut)
def move_status(db: DB, principal: Staff, item_id: PathId, data: StatusMove) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.move_status(db, user=principal.user, item=item, to=data.to, reason=data.reason, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/items/{item_id}/reopen", response_model=ItemOut)
def reopen(db: DB, principal: Staff, item_id: PathId, data: Reopen) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.reopen(db, user=principal.user, item=item, reason=data.reason, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/referrals/{action_id}/placement", response_model=ActionOut, status_code=201)
def place(db: DB, principal: Staff, action_id: PathId, data: PlacementCreate) -> ActionOut:
    referral = work.visible_referral(db, principal.user, action_id)
    action = work.place(db, user=principal.user, referral=referral, data=data, today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/follow-ups", response_model=list[FollowUpOut])
def follow_ups(db: DB, principal: Staff, open_only: bool = True) -> list[FollowUpOut]:
    return work.follow_ups(db, user=principal.user, open_only=open_only)


@router.post("/follow-ups/{follow_up_id}", response_model=FollowUpOut)
def answer_follow_up(db: DB, principal: Staff, follow_up_id: PathId, data: FollowUpAnswer) -> FollowUpOut:
    follow_up = work.visible_follow_up(db, principal.user, follow_up_id)
    work.answer(db, user=principal.user, follow_up=follow_up, data=data, today=clock.today())
    return FollowUpOut.model_validate(follow_up)


@router.get("/pairings", response_model=list[PairingOut])
def pairings(db: DB, principal: Staff, current_only: bool = False) -> list:
    visible = repository.household_ids_stmt(principal.user)
    stmt = select(HouseholdPairing).where(HouseholdPairing.household_id.in_(visible))
    if principal.role == Role.cadre:
        stmt = stmt.where(HouseholdPairing.cadre_id == principal.user.id)
    if current_only:
        stmt = stmt.where(repository.active_on(HouseholdPairing, clock.today()))
    return list(db.scalars(stmt.order_by(HouseholdPairing.household_id, HouseholdPairing.start_date)))


@router.post("/pairings", response_model=PairingOut, status_code=201)
def create_pairing(db: DB, principal: Admin, data: PairingCreate) -> HouseholdPairing:
    return service.pair(db, data=data)


@router.post("/pairings/{pairing_id}/reassign", response_model=PairingOut, status_code=201)
def reassign(db: DB, principal: Admin, pairing_id: PathId, data: Reassign) -> HouseholdPairing:
    pairing = db.get(HouseholdPairing, pairing_id)
    if pairing is None:
        raise NotFound("结对关系不存在")
    return service.reassign(db, pairing=pairing, cadre_id=data.cadre_id, on=data.on, reason=data.reason)


@router.get("/assignments", response_model=list[AssignmentOut])
def assignments(db: DB, principal: Overseer) -> list:
    stmt = select(CommunityAssignment).order_by(CommunityAssignment.community_code, CommunityAssignment.start_date)
    if principal.role == Role.leader:
        stmt = stmt.where(CommunityAssignment.leader_id == principal.user.id)
    return list(db.scalars(stmt))


@router.post("/assignments", response_model=AssignmentOut, status_code=201)
def create_assignment(db: DB, principal: Admin, data: AssignmentCreate) -> CommunityAssignment:
    return service.assign_leader(db, data=data)


@router.get("/meetings", response_model=list[MeetingOut])
def meetings(db: DB, principal: Overseer) -> list:
    codes = None
    if principal.role == Role.leader:
        codes = repository.held_communities(db, principal.user.id, clock.today())
    return repository.meetings(db, community_codes=codes)


@router.post("/meetings", response_model=MeetingOut, status_code=201)
def record_meeting(db: DB, principal: Overseer, data: MeetingCreate) -> MeetingOut:
    meeting = service.record_meeting(db, user=principal.user, data=data, today=clock.today())
    return MeetingOut.model_validate(meeting)


@router.get("/duties", response_model=Duties)
def get_duties(db: DB, principal: Staff, settings: AppSettings,
               year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
               quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
               no_contact_days: Annotated[int | None, Query(ge=1, le=365)] = None) -> Duties:
    today = clock.today()
    this_year, this_quarter = duties.quarter_of(today)
    return duties.duties(db, user=principal.user, year=year or this_year, quarter=quarter or this_quarter,
                         today=today, no_contact_days=no_contact_days or settings.ledger_no_contact_days)


@router.get("/dashboard")
def dashboard(db: DB, principal: Staff) -> dict:
    stats = duties.dashboard(db, user=principal.user, today=clock.today())
    return {
        "by_status": stats.by_status,
        "by_category": stats.by_category,
        "overdue_by_community": stats.overdue_by_community,
        "escalated_to_me": [i.id for i in stats.escalated_to_me],
        "compliance": [{"quarter": q, "compliant": c, "total": t} for q, c, t in stats.compliance],
        "visits": [{"quarter": q, "visited": v, "required": r} for q, v, r in stats.visits_by_quarter],
    }


@router.post("/escalations")
def escalate(db: DB, principal: Admin) -> dict:
    items = service.escalate_overdue(db, today=clock.today())
    return {"escalated": [{"item_id": i.id, "leader_id": i.escalated_to_id} for i in items]}



def _xlsx(content: bytes, filename: str) -> Response:
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"})


@router.get("/households/{household_id}/export.xlsx", response_class=Response)
def export_household(db: DB, principal: Staff, household_id: PathId) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    rows = export.ledger_rows(db, user=principal.user, households=[household], today=today, reason="导出家庭台账")
    content = export.workbook(rows, title="甸柳街道结对帮扶家庭台账", subtitle=f"{household.address}　导出日期：{today}")
    return _xlsx(content, sheets.file_name("台账", household.address, str(today)))


@router.get("/communities/{community_code}/export.xlsx", response_class=Response)
def export_community(db: DB, principal: Overseer, community_code: str) -> Response:
    today = clock.today()
    households = service.community_households(db, user=principal.user, community_code=community_code, today=today)
    name = service.community_names(db).get(community_code, community_code)
    rows = export.ledger_rows(db, user=principal.user, households=households, today=today, reason="导出社区台账")
    content = export.workbook(rows, title=f"甸柳街道{name}联户帮扶工作台账", subtitle=f"导出日期：{today}")
    return _xlsx(content, sheets.file_name("台账", name, str(today)))

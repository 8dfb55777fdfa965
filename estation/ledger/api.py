"""JSON routes of the ledger. Every route checks the role first, then the household's visibility."""

from __future__ import annotations

from typing import Annotated

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from estation.accounts.models import Role
from estation.config import Settings
from estation.deps import DB, Principal, get_settings_dep, parts, require_roles
from estation.errors import NotFound, error_responses
from estation import clock, sheets
from estation.ledger import duties, export, hardship, rules, service, work
from estation.ledger.models import CommunityAssignment, HouseholdPairing
from estation.ledger.schemas import (
    ActionCreate,
    ActionOut,
    AssignmentCreate,
    CoverageOut,
    AssignmentOut,
    Duties,
    FollowUpAnswer,
    FollowUpOut,
    HardshipOut,
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
    ReminderMarkIn,
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


def policy_rules(db: DB, settings: Settings) -> list[rules.PolicyRule]:
    return rules.rules_in_force(db, settings.ledger_rules_file)


def _item(db: DB, principal: Principal, item_id: int, today) -> ItemOut:
    return service.item_out(service.visible_item(db, principal.user, item_id), principal.user, today)


@router.get("/households", response_model=list[HouseholdSummary],
            summary="我的结对家庭",
            description=("包户干部看自己结对的家庭，联居领导看所联系社区的家庭，管理员看全部；每户附未办结和逾期事"
                         "项数、最近联系日期。可按社区筛选。"))
def my_households(db: DB, principal: Staff, community_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                  ) -> list[HouseholdSummary]:
    return service.household_summaries(db, user=principal.user, today=clock.today(),
                                       community_code=community_code)


@router.get("/households/{household_id}", response_model=HouseholdLedger,
            summary="家庭台账",
            description="一户结对家庭的完整台账：成员、问题事项及其办理记录、走访、结对干部和政策提醒。",
            responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def household_ledger(db: DB, principal: Staff, settings: AppSettings, household_id: PathId) -> HouseholdLedger:
    household = service.visible_household(db, principal.user, household_id)
    return service.household_ledger(db, user=principal.user, household=household, today=clock.today(),
                                    policy_rules=policy_rules(db, settings))


@router.get("/households/{household_id}/reminders", response_model=list[ReminderOut],
            summary="政策提醒",
            description="按政策提醒规则，列出这户家庭当前应办的事（如证件到期、补贴复核）。",
            responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def reminders(db: DB, principal: Staff, settings: AppSettings, household_id: PathId) -> list[ReminderOut]:
    household = service.visible_household(db, principal.user, household_id)
    return service.reminders_out(db, household, policy_rules(db, settings), clock.today())


@router.post("/households/{household_id}/reminders", response_model=list[ReminderOut], status_code=201,
             summary="标记政策提醒",
             description=("包户干部核实一条政策提醒后标记：已享受（done），或不适用（not_applicable，须写明原因）。"
                          "以最近一次标记为准；返回这户的全部政策提醒及其标记。"),
             responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def mark_reminder(db: DB, principal: Staff, settings: AppSettings, household_id: PathId,
                  data: ReminderMarkIn) -> list[ReminderOut]:
    household = service.visible_household(db, principal.user, household_id)
    found = policy_rules(db, settings)
    hardship.mark_reminder(db, user=principal.user, household=household, data=data, policy_rules=found,
                           today=clock.today())
    return service.reminders_out(db, household, found, clock.today())


@router.get("/hardship", response_model=HardshipOut,
            summary="零就业家庭和公益性岗位",
            description=("当前的零就业家庭（有劳动年龄、有劳动能力的成员已失业登记，且无人就业），每户附结对干部、"
                         "台账中的就业事项和求职成员；以及在岗的公益性岗位安置及其期限。随上岗和就业状态变化即时更新。"
                         "包户干部看结对家庭，联居领导看所联系社区，管理员看全部。"))
def hardship_households(db: DB, principal: Staff) -> HardshipOut:
    return hardship.hardship(db, user=principal.user, today=clock.today())


@router.get("/reminder-coverage", response_model=list[CoverageOut],
            summary="政策落实情况（按社区）",
            description=("每个所联系社区、每项政策：收到提醒的符合条件家庭数、已享受户数、经核实不适用户数和待核实户数。"
                         "仅限联居领导（所联系社区）和管理员（全部社区）。"),
            responses=error_responses((403, "仅限联居领导和管理员查看")))
def reminder_coverage(db: DB, principal: Overseer, settings: AppSettings) -> list[CoverageOut]:
    return hardship.reminder_coverage(db, user=principal.user, policy_rules=policy_rules(db, settings),
                                      today=clock.today())


@router.post("/households/{household_id}/items", response_model=ItemOut, status_code=201,
             summary="登记问题",
             description="为结对家庭登记一个问题事项（类别、问题、是否涉及隐私、期限）。",
             responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def create_item(db: DB, principal: Staff, household_id: PathId, data: ItemCreate) -> ItemOut:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    item = service.create_item(db, user=principal.user, household=household, data=data, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/households/{household_id}/visits", response_model=ActionOut, status_code=201,
             summary="登记走访",
             description="登记一次入户走访或联系；完成“回访确认”也通过登记走访。",
             responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def record_visit(db: DB, principal: Staff, household_id: PathId, data: VisitCreate) -> ActionOut:
    household = service.visible_household(db, principal.user, household_id)
    action = service.record_visit(db, user=principal.user, household=household, data=data,
                                  today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/households/{household_id}/work", response_model=MatchResult,
            summary="为家庭成员找工作",
            description="按每位有劳动能力的成员的身体限制、技能和意愿推荐岗位，并说明每项限制排除了多少岗位。"
                        "匹配服务暂不可用时 available 为 false，nearby 列出离这户最近的在招岗位，可直接登记推荐。",
            responses=error_responses((404, "家庭不存在，或不在您负责的范围内"),
                                      (503, "智能匹配暂不可用，或数据库暂时不可用")))
def find_work(request: Request, db: DB, principal: Staff, household_id: PathId) -> MatchResult:
    household = service.visible_household(db, principal.user, household_id)
    return work.find_work(db, household=household, matching=parts(request).matching, today=clock.today())


@router.post("/households/{household_id}/referrals", response_model=ActionOut, status_code=201,
             summary="登记岗位推荐",
             description="记录为家庭成员推荐了某个岗位，之后可登记上岗和跟踪回访。",
             responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def refer(db: DB, principal: Staff, household_id: PathId, data: ReferralCreate) -> ActionOut:
    household = service.visible_household(db, principal.user, household_id)
    action = work.refer(db, user=principal.user, household=household, data=data, today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/households/{household_id}/pairings", response_model=list[PairingOut],
            summary="家庭的结对记录",
            description="这户家庭历来的结对干部及起止日期。",
            responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def household_pairings(db: DB, principal: Staff, household_id: PathId) -> list:
    return service.household_pairings(db, user=principal.user, household_id=household_id)


@router.get("/items/{item_id}", response_model=ItemOut,
            summary="查看问题事项",
            description="按编号取一个问题事项及其办理记录和状态变化。",
            responses=error_responses((404, "台账事项不存在，或不在您负责的范围内")))
def get_item(db: DB, principal: Staff, item_id: PathId) -> ItemOut:
    return _item(db, principal, item_id, clock.today())


@router.post("/items/{item_id}/actions", response_model=ItemOut, status_code=201,
             summary="登记办理情况",
             description="为问题事项记录一次办理（联系、协调、转办等）。",
             responses=error_responses((404, "台账事项不存在，或不在您负责的范围内"),
                                       (409, "该事项已销号，请先重新打开")))
def add_action(db: DB, principal: Staff, item_id: PathId, data: ActionCreate) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.add_action(db, user=principal.user, item=item, data=data, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/items/{item_id}/status", response_model=ItemOut,
             summary="推进问题事项",
             description="改变问题事项的状态：按“登记—办理中—已解决—回访确认—销号”的顺序，不能跳过。",
             responses=error_responses((404, "台账事项不存在，或不在您负责的范围内"),
                                       (409, "状态不能这样改（如未经回访确认就销号）")))
def move_status(db: DB, principal: Staff, item_id: PathId, data: StatusMove) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.move_status(db, user=principal.user, item=item, to=data.to, reason=data.reason, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/items/{item_id}/reopen", response_model=ItemOut,
             summary="重新打开问题事项",
             description="已解决或已销号的问题再次出现时重新打开，须说明原因。",
             responses=error_responses((404, "台账事项不存在，或不在您负责的范围内"),
                                       (409, "该事项尚未解决，无需重新打开")))
def reopen(db: DB, principal: Staff, item_id: PathId, data: Reopen) -> ItemOut:
    item = service.visible_item(db, principal.user, item_id)
    today = clock.today()
    service.reopen(db, user=principal.user, item=item, reason=data.reason, today=today)
    return service.item_out(item, principal.user, today)


@router.post("/referrals/{action_id}/placement", response_model=ActionOut, status_code=201,
             summary="登记上岗",
             description="推荐的岗位成功上岗后登记上岗日期；居民的就业状态改为就业，系统在上岗后1个月、3个月和6个月安排跟踪回访。",
             responses=error_responses((404, "岗位推荐记录不存在"), (409, "这次推荐已登记过上岗")))
def place(db: DB, principal: Staff, action_id: PathId, data: PlacementCreate) -> ActionOut:
    referral = work.visible_referral(db, principal.user, action_id)
    action = work.place(db, user=principal.user, referral=referral, data=data, today=clock.today())
    return service.action_out(action, principal.user)


@router.get("/follow-ups", response_model=list[FollowUpOut],
            summary="上岗跟踪回访",
            description="需要回访的上岗记录（默认只列未完成的）。")
def follow_ups(db: DB, principal: Staff, open_only: bool = True) -> list[FollowUpOut]:
    return work.follow_ups(db, user=principal.user, open_only=open_only)


@router.post("/follow-ups/{follow_up_id}", response_model=FollowUpOut,
             summary="登记跟踪回访",
             description="登记一次上岗跟踪：是否仍在岗、日期和情况（到期前一周起可登记）；已不在岗时，居民的就业状态恢复为上岗前的状态。",
             responses=error_responses((404, "跟踪记录不存在"), (409, "该跟踪已登记")))
def answer_follow_up(db: DB, principal: Staff, follow_up_id: PathId, data: FollowUpAnswer) -> FollowUpOut:
    follow_up = work.visible_follow_up(db, principal.user, follow_up_id)
    work.answer(db, user=principal.user, follow_up=follow_up, data=data, today=clock.today())
    return work.follow_up_out(follow_up)


@router.get("/pairings", response_model=list[PairingOut],
            summary="结对关系",
            description="您能看到的家庭的结对关系；包户干部只看自己的。current_only=true 只看现行的。")
def pairings(db: DB, principal: Staff, current_only: bool = False) -> list:
    return service.visible_pairings(db, user=principal.user, current_only=current_only, today=clock.today())


@router.post("/pairings", response_model=PairingOut, status_code=201,
             summary="建立结对",
             description="管理员为困难家庭指定包户干部，自某日起结对。",
             responses=error_responses((409, "该干部已与这户结对"), (422, "填写有误，如家庭不存在")))
def create_pairing(db: DB, principal: Admin, data: PairingCreate) -> HouseholdPairing:
    return service.pair(db, data=data, by=principal.user)


@router.post("/pairings/{pairing_id}/reassign", response_model=PairingOut, status_code=201,
             summary="更换结对干部",
             description="自某日起由另一位干部接替，须说明原因；原结对关系在前一日结束。",
             responses=error_responses((404, "结对关系不存在"), (409, "该结对关系已结束")))
def reassign(db: DB, principal: Admin, pairing_id: PathId, data: Reassign) -> HouseholdPairing:
    pairing = db.get(HouseholdPairing, pairing_id)
    if pairing is None:
        raise NotFound("结对关系不存在")
    return service.reassign(db, pairing=pairing, cadre_id=data.cadre_id, on=data.on, reason=data.reason,
                            by=principal.user)


@router.get("/assignments", response_model=list[AssignmentOut],
            summary="联居领导联系社区",
            description="联居领导与社区的联系关系；联居领导只看自己的。")
def assignments(db: DB, principal: Overseer) -> list:
    stmt = select(CommunityAssignment).order_by(CommunityAssignment.community_code, CommunityAssignment.start_date)
    if principal.role == Role.leader:
        stmt = stmt.where(CommunityAssignment.leader_id == principal.user.id)
    return list(db.scalars(stmt))


@router.post("/assignments", response_model=AssignmentOut, status_code=201,
             summary="指定联居领导",
             description="管理员指定联居领导自某日起联系一个社区。",
             responses=error_responses((409, "该领导已联系这个社区"),
                                       (422, "填写有误，如开始日期早于现任领导的开始日期")))
def create_assignment(db: DB, principal: Admin, data: AssignmentCreate) -> CommunityAssignment:
    return service.assign_leader(db, data=data, by=principal.user)


@router.get("/meetings", response_model=list[MeetingOut],
            summary="联户会议",
            description="联户会议的记录；联居领导只看所联系社区的。")
def meetings(db: DB, principal: Overseer) -> list:
    return service.meetings_for(db, user=principal.user, today=clock.today())


@router.post("/meetings", response_model=MeetingOut, status_code=201,
             summary="登记联户会议",
             description="登记一次联户会议：日期、社区、议题、参会人员和纪要。",
             responses=error_responses((403, "只能登记您联系的社区的会议")))
def record_meeting(db: DB, principal: Overseer, data: MeetingCreate) -> MeetingOut:
    meeting = service.record_meeting(db, user=principal.user, data=data, today=clock.today())
    return MeetingOut.model_validate(meeting)


@router.get("/duties", response_model=Duties,
            summary="履职情况",
            description="某季度的履职情况：每户是否按要求走访、多久未联系、逾期事项，以及到期（一周内到期）的上岗跟踪；默认本季度。")
def get_duties(db: DB, principal: Staff, settings: AppSettings,
               year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
               quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
               no_contact_days: Annotated[int | None, Query(ge=1, le=365)] = None) -> Duties:
    today = clock.today()
    this_year, this_quarter = duties.quarter_of(today)
    return duties.duties(db, user=principal.user, year=year or this_year, quarter=quarter or this_quarter,
                         today=today, no_contact_days=no_contact_days or settings.ledger_no_contact_days)


@router.get("/dashboard",
            summary="台账总览",
            description="按状态、类别统计问题事项，各社区逾期事项，升级给您的事项，以及各季度的合规和走访情况。")
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


@router.post("/escalations",
             summary="升级逾期事项",
             description="把逾期未办结的问题事项升级给所在社区的联居领导（通常由定时任务调用）。")
def escalate(db: DB, principal: Admin) -> dict:
    items = service.escalate_overdue(db, today=clock.today())
    return {"escalated": [{"item_id": i.id, "leader_id": i.escalated_to_id} for i in items]}



def _xlsx(content: bytes, filename: str) -> Response:
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"})


@router.get("/households/{household_id}/export.xlsx", response_class=Response,
            summary="导出家庭台账",
            description="把一户家庭的台账导出为 Excel 文件（记入访问日志）。",
            responses=error_responses((404, "家庭不存在，或不在您负责的范围内")))
def export_household(db: DB, principal: Staff, household_id: PathId) -> Response:
    household = service.visible_household(db, principal.user, household_id)
    today = clock.today()
    rows = export.ledger_rows(db, user=principal.user, households=[household], today=today, reason="导出家庭台账")
    content = export.workbook(rows, title="甸柳街道结对帮扶家庭台账", subtitle=f"{household.address}　导出日期：{today}")
    return _xlsx(content, sheets.file_name("台账", household.address, str(today)))


@router.get("/communities/{community_code}/export.xlsx", response_class=Response,
            summary="导出社区台账",
            description="把一个社区全部结对家庭的台账导出为 Excel 文件（记入访问日志）。",
            responses=error_responses((403, "社区台账仅限联系该社区的领导和管理员查看")))
def export_community(db: DB, principal: Overseer, community_code: str) -> Response:
    today = clock.today()
    households = service.community_households(db, user=principal.user, community_code=community_code, today=today)
    name = service.community_names(db).get(community_code, community_code)
    rows = export.ledger_rows(db, user=principal.user, households=households, today=today, reason="导出社区台账")
    content = export.workbook(rows, title=f"甸柳街道{name}联户帮扶工作台账", subtitle=f"导出日期：{today}")
    return _xlsx(content, sheets.file_name("台账", name, str(today)))

"""The ledger's rules: who may see a household, the status machine, escalation and masking.

Status machine (one step at a time, nothing skipped)::

    open -> in_progress -> resolved -> confirmed -> closed (销号)

``confirmed`` is reached only by a return visit (回访) that finds the problem still solved; a return
visit that finds it back reopens the item. Reopening (from resolved, confirmed or closed) keeps every
action and writes a status change, so the paper trail is never rewritten.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.errors import Conflict, Forbidden, InvalidInput, NotFound
from estation.kit import get_or_404
from estation.labour import access
from estation.labour.models import Community, Household, Resident
from estation.labour.service import age_on
from estation.labour.service import communities
from estation.ledger import repository, rules
from estation.ledger.models import (
    ActionKind,
    CommunityAssignment,
    CommunityMeeting,
    HouseholdPairing,
    LedgerAction,
    LedgerItem,
    LedgerStatus,
    LedgerStatusChange,
    ReminderMark,
)
from estation.ledger.schemas import (
    MANUAL_KINDS,
    MASKED_NOTE,
    ActionCreate,
    ActionOut,
    AssignmentCreate,
    HouseholdLedger,
    HouseholdSummary,
    ItemCreate,
    ItemOut,
    MeetingCreate,
    MemberOut,
    PairingCreate,
    ReminderOut,
    StatusChangeOut,
    VisitCreate,
)
from estation.privacy import mask_id_number, mask_phone

LEDGER_ROLES = frozenset({Role.cadre, Role.leader, Role.admin})
"""Counter staff see every resident for casework, but the ledger is the pairing officials' own record."""
SENSITIVE_READERS = frozenset({Role.cadre, Role.admin})
"""Paired cadres work with the household's private facts; leaders oversee counts and deadlines."""

# Moves a person may make by hand. confirmed comes only from a return visit; reopening has its own path.
MANUAL_MOVES = {
    LedgerStatus.open: {LedgerStatus.in_progress},
    LedgerStatus.in_progress: {LedgerStatus.resolved},
    LedgerStatus.confirmed: {LedgerStatus.closed},
}
REOPENABLE = (LedgerStatus.resolved, LedgerStatus.confirmed, LedgerStatus.closed)



# ---- who may see what -------------------------------------------------------------------------------

def ensure_ledger_role(user: User) -> None:
    if user.role not in LEDGER_ROLES:
        raise Forbidden("台账仅限包户干部、联居领导和管理员使用")


def visible_household(session: Session, user: User, household_id: int) -> Household:
    ensure_ledger_role(user)
    household = get_or_404(session, Household, household_id, "家庭不存在")
    access.ensure_can_see_household(session, user, household_id)
    return household


def visible_item(session: Session, user: User, item_id: int) -> LedgerItem:
    ensure_ledger_role(user)
    item = get_or_404(session, LedgerItem, item_id, "台账事项不存在")
    access.ensure_can_see_household(session, user, item.household_id)
    return item


def can_read_sensitive(user: User, author_id: int | None) -> bool:
    return user.role in SENSITIVE_READERS or (author_id is not None and author_id == user.id)


# ---- items, actions and the status machine ----------------------------------------------------------

def _member(session: Session, household: Household | int, resident_id: int | None, field: str) -> None:
    if resident_id is None:
        return
    household_id = household if isinstance(household, int) else household.id
    resident = session.get(Resident, resident_id)
    if resident is None or resident.household_id != household_id:
        raise InvalidInput("该居民不是这户的成员", field=field)


def _not_future(day: date, today: date, field: str) -> date:
    if day > today:
        raise InvalidInput("日期不能晚于今天", field=field)
    return day


def _change(session: Session, item: LedgerItem, to: LedgerStatus, *, user: User, on: date, reason: str,
            action: LedgerAction | None = None) -> None:
    session.add(LedgerStatusChange(item=item, from_status=item.status, to_status=to, on=on, by_user_id=user.id,
                                   reason=reason, action_id=action.id if action else None))
    item.status = to


def create_item(session: Session, *, user: User, household: Household, data: ItemCreate, today: date) -> LedgerItem:
    _member(session, household, data.resident_id, "resident_id")
    raised_on = _not_future(data.raised_on or today, today, "raised_on")
    if data.due_on < raised_on:
        raise InvalidInput("办结期限不能早于提出日期", field="due_on")
    item = LedgerItem(household_id=household.id, resident_id=data.resident_id, category=data.category,
                      problem=data.problem.strip(), raised_on=raised_on, raised_by_id=user.id, due_on=data.due_on,
                      status=LedgerStatus.open, sensitive=data.sensitive, reopened_count=0)
    session.add(item)
    session.flush()
    session.add(LedgerStatusChange(item_id=item.id, from_status=None, to_status=LedgerStatus.open, on=raised_on,
                                   by_user_id=user.id, reason="登记问题"))
    session.flush()
    return item


def add_action(session: Session, *, user: User, item: LedgerItem, data: ActionCreate, today: date,
               vacancy_id: int | None = None, allow_kinds: tuple[ActionKind, ...] = MANUAL_KINDS) -> LedgerAction:
    """Record an action on an item and make the status move it implies."""
    if data.kind not in allow_kinds:
        raise InvalidInput("该类记录请通过专门的入口登记", field="kind")
    # A placement follow-up still asks after a closed item: the job may have been lost since.
    if item.status == LedgerStatus.closed and data.kind != ActionKind.follow_up:
        raise Conflict("该事项已销号，请先重新打开再记录", field="kind")
    _member(session, item.household_id, data.resident_id, "resident_id")
    on = _not_future(data.on or today, today, "on")
    if on < item.raised_on:
        raise InvalidInput("记录日期不能早于问题提出日期", field="on")
    return_check = data.kind == ActionKind.return_visit and item.status == LedgerStatus.resolved
    if return_check and data.outcome_ok is None:
        raise InvalidInput("回访时请选择问题是否已真正解决", field="outcome_ok")
    item.actions  # noqa: B018 - load the collection before adding, so the new action is in it exactly once
    action = LedgerAction(household_id=item.household_id, item=item, resident_id=data.resident_id,
                          kind=data.kind, on=on, by_user_id=user.id, note=data.note.strip(),
                          sensitive=data.sensitive, vacancy_id=vacancy_id,
                          outcome_ok=data.outcome_ok if data.kind in (ActionKind.return_visit, ActionKind.follow_up) else None)
    session.add(action)
    session.flush()
    if return_check and data.outcome_ok:
        _change(session, item, LedgerStatus.confirmed, user=user, on=on, reason="回访确认问题已解决", action=action)
    elif return_check:
        _reopen(session, item, user=user, on=on, reason="回访发现问题未解决：" + (data.note.strip()[:200] or "重新办理"),
                action=action)
    elif item.status == LedgerStatus.open and data.kind != ActionKind.follow_up:
        # Working on a problem is what "in progress" means; the cadre should not need a second tap.
        _change(session, item, LedgerStatus.in_progress, user=user, on=on, reason="开始办理", action=action)
    session.flush()
    return action


def move_status(session: Session, *, user: User, item: LedgerItem, to: LedgerStatus, reason: str,
                today: date) -> LedgerItem:
    if to == LedgerStatus.confirmed:
        raise Conflict("“回访确认”只能通过登记一次回访来完成", field="to")
    if to == LedgerStatus.open and item.status in REOPENABLE:
        return reopen(session, user=user, item=item, reason=reason or "重新打开", today=today)
    if to not in MANUAL_MOVES.get(item.status, set()):
        if to == LedgerStatus.closed:
            raise Conflict("销号前必须先解决问题并经回访确认，不能跳过", field="to")
        raise Conflict("不能从“{}”直接改为“{}”".format(item.status.value, to.value), field="to")
    _change(session, item, to, user=user, on=today, reason=reason.strip())
    session.flush()
    return item


def _reopen(session: Session, item: LedgerItem, *, user: User, on: date, reason: str,
            action: LedgerAction | None = None) -> None:
    item.reopened_count = (item.reopened_count or 0) + 1
    item.escalated_on = None  # a reopened item gets a fresh chance before it escalates again
    item.escalated_to_id = None
    _change(session, item, LedgerStatus.open, user=user, on=on, reason=reason, action=action)


def reopen(session: Session, *, user: User, item: LedgerItem, reason: str, today: date) -> LedgerItem:
    if item.status not in REOPENABLE:
        raise Conflict("该事项尚未解决，无需重新打开", field="reason")
    _reopen(session, item, user=user, on=today, reason=reason.strip())
    session.flush()
    return item


def record_visit(session: Session, *, user: User, household: Household, data: VisitCreate,
                 today: date) -> LedgerAction:
    """A contact with the household; on a problem when item_id is given, else a routine visit."""
    if data.kind not in (ActionKind.home_visit, ActionKind.call, ActionKind.return_visit):
        raise InvalidInput("走访只能是入户走访、电话联系或回访", field="kind")
    if data.item_id is not None:
        item = session.get(LedgerItem, data.item_id)
        if item is None or item.household_id != household.id:
            raise InvalidInput("该事项不属于这户", field="item_id")
        return add_action(session, user=user, item=item, today=today, data=ActionCreate(
            kind=data.kind, on=data.on, note=data.note, sensitive=data.sensitive, outcome_ok=data.outcome_ok))
    action = LedgerAction(household_id=household.id, kind=data.kind, by_user_id=user.id, note=data.note.strip(),
                          on=_not_future(data.on or today, today, "on"), sensitive=data.sensitive)
    session.add(action)
    session.flush()
    return action


def escalate_overdue(session: Session, *, today: date) -> list[LedgerItem]:
    """Mark unresolved items past their due date as escalated to the leader holding the community.

    Idempotent: an item escalates once (again only after a reopening). An item in a community nobody
    holds stays unescalated, so it is picked up as soon as a leader is assigned.
    """
    done = []
    for item in repository.overdue_unescalated(session, today):
        household = session.get(Household, item.household_id)
        holder = repository.leader_of(session, household.community_code, today)
        if holder is None:
            continue
        item.escalated_on = today
        item.escalated_to_id = holder.leader_id
        done.append(item)
    session.flush()
    return done


# ---- views with masking ---------------------------------------------------------------------------

def action_out(action: LedgerAction, user: User) -> ActionOut:
    hidden = action.sensitive and not can_read_sensitive(user, action.by_user_id)
    out = ActionOut.model_validate(action)
    return out.model_copy(update={"note": MASKED_NOTE, "masked": True}) if hidden else out


def item_out(item: LedgerItem, user: User, today: date) -> ItemOut:
    hidden = item.sensitive and not can_read_sensitive(user, item.raised_by_id)
    return ItemOut(
        id=item.id, household_id=item.household_id, resident_id=item.resident_id, category=item.category,
        problem=MASKED_NOTE if hidden else item.problem, masked=hidden, raised_on=item.raised_on,
        raised_by_id=item.raised_by_id, due_on=item.due_on, status=item.status, sensitive=item.sensitive,
        overdue=is_overdue(item, today), reopened_count=item.reopened_count or 0, escalated_on=item.escalated_on,
        escalated_to_id=item.escalated_to_id, actions=[action_out(a, user) for a in item.actions],
        status_changes=[StatusChangeOut.model_validate(c) for c in item.status_changes],
    )


def is_overdue(item: LedgerItem, today: date) -> bool:
    return item.status in repository.UNRESOLVED and item.due_on < today


def member_out(resident: Resident, today: date) -> MemberOut:
    return MemberOut(
        id=resident.id, name=resident.name, relation=resident.relation, age=age_on(resident.birth_date, today),
        sex=resident.sex, id_number_masked=mask_id_number(resident.id_number), phone_masked=mask_phone(resident.phone),
        work_capacity=resident.work_capacity, disability_grade=resident.disability_grade,
        employment_status=resident.employment_status,
    )


def household_summaries(session: Session, *, user: User, today: date,
                        community_code: str | None = None) -> list[HouseholdSummary]:
    ensure_ledger_role(user)
    households = repository.visible_households(session, user, community_code=community_code)
    ids = [h.id for h in households]
    contacts = repository.last_contacts(session, ids)
    counts = repository.item_counts(session, ids, today)
    pairings = repository.active_pairings(session, day=today, household_ids=ids)
    names = repository.users(session, {p.cadre_id for p in pairings})
    cadres: dict[int, list[str]] = {}
    for p in pairings:
        cadres.setdefault(p.household_id, []).append(names[p.cadre_id].display_name)
    return [
        HouseholdSummary(id=h.id, community_code=h.community_code, address=h.address, head_name=head_name(h),
                         hardship=h.hardship,
                         hardship_reason=h.hardship_reason, open_items=counts.get(h.id, (0, 0))[0],
                         overdue_items=counts.get(h.id, (0, 0))[1], last_contact_on=contacts.get(h.id),
                         cadre_names=cadres.get(h.id, []))
        for h in households
    ]


def head_name(household: Household) -> str:
    members = household.members
    head = next((m for m in members if m.relation.value == "head"), members[0] if members else None)
    return head.name if head else ""


def household_ledger(session: Session, *, user: User, household: Household, today: date,
                     policy_rules: list[rules.PolicyRule], reason: str = "查看结对家庭台账") -> HouseholdLedger:
    """The whole ledger of one household; every member's record read is logged."""
    summary = next(s for s in household_summaries(session, user=user, today=today) if s.id == household.id)
    for member in household.members:
        log_access(session, user=user, resident_id=member.id, action="read", what="台账家庭成员", reason=reason)
    return HouseholdLedger(
        **summary.model_dump(),
        members=[member_out(m, today) for m in household.members],
        items=[item_out(i, user, today) for i in repository.items_of(session, household.id)],
        general_actions=[action_out(a, user) for a in repository.general_actions(session, household.id)],
        reminders=reminders_out(session, household, policy_rules, today),
        pairings=repository.pairings_of_household(session, household.id),
    )


def latest_marks(session: Session, household_ids: list[int]) -> dict[tuple[int, str], ReminderMark]:
    """The answer in force for each (member, rule) of the households: the latest mark."""
    if not household_ids:
        return {}
    marks = session.scalars(select(ReminderMark).where(ReminderMark.household_id.in_(household_ids))
                            .order_by(ReminderMark.id))
    return {(m.resident_id, m.rule_code): m for m in marks}


def reminders_out(session: Session, household: Household, policy_rules: list[rules.PolicyRule],
                  today: date) -> list[ReminderOut]:
    """The household's policy reminders, each with the cadre's answer (received / not applicable) if given."""
    marks = latest_marks(session, [household.id])
    out = []
    for r in rules.reminders(household, policy_rules, today):
        mark = marks.get((r.resident_id, r.code))
        out.append(ReminderOut(**r.__dict__, outcome=mark.outcome if mark else None,
                               marked_on=mark.on if mark else None, mark_note=mark.note if mark else ""))
    return out


# ---- pairings, assignments, meetings ---------------------------------------------------------------

def _user_with_role(session: Session, user_id: int, role: Role, field: str) -> User:
    found = session.get(User, user_id)
    if found is None or found.role != role or not found.active:
        raise InvalidInput("所选人员不是在岗的{}".format("包户干部" if role == Role.cadre else "联居领导"), field=field)
    return found


def _logged(session: Session, by: User, *, action: str, what: str, reason: str) -> None:
    """A pairing or a leader's community made or changed, from the admin screen or the API alike, goes
    into the access log: who gave whom access to which household's (or community's) records."""
    log_access(session, user=by, resident_id=None, action=action, what=what[:120], reason=reason[:200])


def pair(session: Session, *, data: PairingCreate, by: User) -> HouseholdPairing:
    cadre = _user_with_role(session, data.cadre_id, Role.cadre, "cadre_id")
    # The household locked: of two pairings sent at once, the second sees the first.
    household = session.get(Household, data.household_id, with_for_update=True)
    if household is None:
        raise InvalidInput("家庭不存在", field="household_id")
    for p in repository.pairings_of_household(session, data.household_id):
        if p.cadre_id == data.cadre_id and (p.end_date is None or p.end_date >= data.start_date):
            raise Conflict("该干部已与这户结对", field="cadre_id")
    pairing = HouseholdPairing(cadre_id=data.cadre_id, household_id=data.household_id, start_date=data.start_date)
    session.add(pairing)
    session.flush()
    _logged(session, by, action="pair", what=f"结对：{household.address}",
            reason=f"{cadre.display_name}自{data.start_date:%Y-%m-%d}起包户")
    return pairing


def reassign(session: Session, *, pairing: HouseholdPairing, cadre_id: int, on: date, reason: str,
             by: User) -> HouseholdPairing:
    """End the pairing the day before ``on`` and pair the new cadre from ``on``; both rows are kept."""
    successor = _user_with_role(session, cadre_id, Role.cadre, "cadre_id")
    if pairing.end_date is not None and pairing.end_date < on:
        raise Conflict("该结对关系已结束", field="on")
    if on <= pairing.start_date:
        raise InvalidInput("调整日期须晚于原结对开始日期", field="on")
    if cadre_id == pairing.cadre_id:
        raise InvalidInput("新干部与原干部相同", field="cadre_id")
    pairing.end_date = on - timedelta(days=1)
    pairing.end_reason = reason.strip()
    new = HouseholdPairing(cadre_id=cadre_id, household_id=pairing.household_id, start_date=on)
    session.add(new)
    session.flush()
    before = display_names(session, {pairing.cadre_id}).get(pairing.cadre_id, "")
    household = session.get(Household, pairing.household_id)
    _logged(session, by, action="reassign", what=f"结对：{household.address if household else ''}",
            reason=f"{before}→{successor.display_name}，{reason.strip()}")
    return new


def assign_leader(session: Session, *, data: AssignmentCreate, by: User) -> CommunityAssignment:
    leader = _user_with_role(session, data.leader_id, Role.leader, "leader_id")
    if session.get(Community, data.community_code, with_for_update=True) is None:  # locked: one change at a time
        raise InvalidInput("社区代码不存在", field="community_code")
    current = repository.leader_of(session, data.community_code, data.start_date)
    if current is not None:
        if current.leader_id == data.leader_id:
            raise Conflict("该领导已联系这个社区", field="leader_id")
        if current.start_date >= data.start_date:
            raise InvalidInput("开始日期须晚于现任联居领导的开始日期", field="start_date")
        current.end_date = data.start_date - timedelta(days=1)
    assignment = CommunityAssignment(leader_id=data.leader_id, community_code=data.community_code,
                                     start_date=data.start_date)
    session.add(assignment)
    session.flush()
    _logged(session, by, action="assign_leader", what=f"联居领导：{communities(session)[data.community_code].short_name}",
            reason=f"{leader.display_name}自{data.start_date:%Y-%m-%d}起联系")
    return assignment


def record_meeting(session: Session, *, user: User, data: MeetingCreate, today: date) -> CommunityMeeting:
    ensure_ledger_role(user)
    _not_future(data.held_on, today, "held_on")
    holder = repository.leader_of(session, data.community_code, data.held_on)
    if user.role == Role.leader:
        if holder is None or holder.leader_id != user.id:
            raise Forbidden("只能登记本人联系社区的座谈会")
        leader_id = user.id
    elif user.role == Role.admin:
        if holder is None:
            raise InvalidInput("该日期这个社区没有联居领导", field="held_on")
        leader_id = holder.leader_id
    else:
        raise Forbidden("座谈会由联居领导登记")
    meeting = CommunityMeeting(community_code=data.community_code, leader_id=leader_id, held_on=data.held_on,
                               topic=data.topic.strip(), attendees=data.attendees, notes=data.notes.strip())
    session.add(meeting)
    session.flush()
    return meeting


def display_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    return {uid: u.display_name for uid, u in repository.users(session, set(ids)).items()}


def community_names(session: Session) -> dict[str, str]:
    return {code: c.short_name for code, c in communities(session).items()}


def held_communities(session: Session, user: User, today: date) -> list[str]:
    """The communities whose whole ledger the user may open: held ones for a leader, all for the admin."""
    if user.role == Role.admin:
        return list(communities(session))
    if user.role == Role.leader:
        return repository.held_communities(session, user.id, today)
    return []


def community_households(session: Session, *, user: User, community_code: str, today: date) -> list[Household]:
    if community_code not in held_communities(session, user, today):
        raise Forbidden("社区台账仅限联系该社区的领导和管理员查看")
    return repository.visible_households(session, user, community_code=community_code)


def household_pairings(session: Session, *, user: User, household_id: int) -> list[HouseholdPairing]:
    """The cadres paired with a household the user may see, past and present."""
    visible_household(session, user, household_id)
    return list(repository.pairings_of_household(session, household_id))


def visible_pairings(session: Session, *, user: User, current_only: bool, today: date) -> list[HouseholdPairing]:
    """The pairings of the households the user may see; a cadre's own only."""
    stmt = select(HouseholdPairing).where(HouseholdPairing.household_id.in_(repository.household_ids_stmt(user)))
    if user.role == Role.cadre:
        stmt = stmt.where(HouseholdPairing.cadre_id == user.id)
    if current_only:
        stmt = stmt.where(repository.active_on(HouseholdPairing, today))
    return list(session.scalars(stmt.order_by(HouseholdPairing.household_id, HouseholdPairing.start_date)))


def meetings_for(session: Session, *, user: User, today: date) -> list[CommunityMeeting]:
    """The community meetings a leader's held communities had (all of them for an admin)."""
    codes = repository.held_communities(session, user.id, today) if user.role == Role.leader else None
    return list(repository.meetings(session, community_codes=codes))


def get_pairing(session: Session, pairing_id: int) -> HouseholdPairing:
    """The pairing, locked to be changed (two reassignments sent at once take turns)."""
    pairing = session.get(HouseholdPairing, pairing_id, with_for_update=True, populate_existing=True)
    if pairing is None:
        raise NotFound("结对关系不存在")
    return pairing


def pairing_board(session: Session, *, user: User, today: date, community_code: str | None,
                  hardship_only: bool) -> list[tuple[HouseholdSummary, list[HouseholdPairing]]]:
    """The households (of a community) with their current pairings: who is paired with whom today."""
    summaries = household_summaries(session, user=user, today=today, community_code=community_code)
    if hardship_only:
        summaries = [h for h in summaries if h.hardship]
    current: dict[int, list[HouseholdPairing]] = {}
    for p in repository.active_pairings(session, day=today, household_ids=[h.id for h in summaries]):
        current.setdefault(p.household_id, []).append(p)
    return [(h, current.get(h.id, [])) for h in summaries]


def leader_board(session: Session, *, today: date) -> list[tuple[str, CommunityAssignment | None]]:
    """Every community's code with the leader assignment that holds it today (None: nobody)."""
    return [(code, repository.leader_of(session, code, today)) for code in communities(session)]

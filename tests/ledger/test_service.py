"""The status machine, reopening, escalation, masking and pairings, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.accounts.models import Role
from estation.db import utcnow
from estation.errors import Conflict, Forbidden, InvalidInput
from estation.labour import access
from estation.ledger import service
from estation.ledger.models import ActionKind, LedgerStatus
from estation.ledger.schemas import MASKED_NOTE, ActionCreate, AssignmentCreate, VisitCreate
from tests.factories import create_household, create_resident, create_user
from tests.ledger.helpers import cadre_with_household, hold, new_item

DAY = date(2025, 3, 10)


def act(session, user, item, kind, on=DAY, **kw):
    return service.add_action(session, user=user, item=item, today=on, data=ActionCreate(kind=kind, on=on, **kw))


def move(session, user, item, to, on=DAY):
    return service.move_status(session, user=user, item=item, to=to, reason="", today=on)


def test_full_path_open_to_closed_needs_a_return_visit(session) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    assert item.status == LedgerStatus.open
    act(session, cadre, item, ActionKind.home_visit, note="上门了解情况")
    assert item.status == LedgerStatus.in_progress  # working on it moves it on by itself
    move(session, cadre, item, LedgerStatus.resolved)
    act(session, cadre, item, ActionKind.return_visit, on=DAY + timedelta(days=7), outcome_ok=True)
    assert item.status == LedgerStatus.confirmed
    move(session, cadre, item, LedgerStatus.closed, on=DAY + timedelta(days=7))
    assert item.status == LedgerStatus.closed
    assert [c.to_status for c in item.status_changes] == [
        LedgerStatus.open, LedgerStatus.in_progress, LedgerStatus.resolved, LedgerStatus.confirmed, LedgerStatus.closed]
    confirm = item.status_changes[3]
    assert confirm.action_id == item.actions[-1].id and item.actions[-1].kind == ActionKind.return_visit


@pytest.mark.parametrize("reach", [LedgerStatus.open, LedgerStatus.in_progress, LedgerStatus.resolved])
def test_closing_without_confirmation_is_refused(session, reach: LedgerStatus) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    if reach != LedgerStatus.open:
        move(session, cadre, item, LedgerStatus.in_progress)
    if reach == LedgerStatus.resolved:
        move(session, cadre, item, LedgerStatus.resolved)
    with pytest.raises(Conflict) as err:
        move(session, cadre, item, LedgerStatus.closed)
    assert err.value.field == "to"
    assert item.status == reach


def test_confirmed_cannot_be_set_by_hand(session) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    move(session, cadre, item, LedgerStatus.in_progress)
    move(session, cadre, item, LedgerStatus.resolved)
    with pytest.raises(Conflict):
        move(session, cadre, item, LedgerStatus.confirmed)
    with pytest.raises(Conflict):  # nor skipping from open to resolved
        move(session, cadre, new_item(session, cadre, household), LedgerStatus.resolved)


def test_return_visit_on_a_resolved_item_must_say_whether_it_held(session) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    move(session, cadre, item, LedgerStatus.in_progress)
    move(session, cadre, item, LedgerStatus.resolved)
    with pytest.raises(InvalidInput) as err:
        act(session, cadre, item, ActionKind.return_visit)
    assert err.value.field == "outcome_ok"
    assert item.status == LedgerStatus.resolved


def test_failed_return_visit_reopens_and_keeps_everything(session) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    act(session, cadre, item, ActionKind.call, note="电话询问")
    move(session, cadre, item, LedgerStatus.resolved)
    act(session, cadre, item, ActionKind.return_visit, outcome_ok=False, note="又失业了")
    assert item.status == LedgerStatus.open
    assert item.reopened_count == 1
    assert [a.kind for a in item.actions] == [ActionKind.call, ActionKind.return_visit]
    assert "又失业了" in item.status_changes[-1].reason


def test_reopening_a_closed_item_keeps_its_history(session) -> None:
    cadre, household = cadre_with_household(session)
    item = new_item(session, cadre, household)
    act(session, cadre, item, ActionKind.home_visit)
    move(session, cadre, item, LedgerStatus.resolved)
    act(session, cadre, item, ActionKind.return_visit, outcome_ok=True)
    move(session, cadre, item, LedgerStatus.closed)
    with pytest.raises(Conflict):  # a closed item takes no new actions until reopened
        act(session, cadre, item, ActionKind.call)
    service.reopen(session, user=cadre, item=item, reason="居民反映问题复发", today=DAY)
    assert item.status == LedgerStatus.open and item.reopened_count == 1
    assert len(item.actions) == 2
    assert [c.to_status for c in item.status_changes][-2:] == [LedgerStatus.closed, LedgerStatus.open]
    act(session, cadre, item, ActionKind.call)
    assert item.status == LedgerStatus.in_progress


def test_unresolved_item_cannot_be_reopened(session) -> None:
    cadre, household = cadre_with_household(session)
    with pytest.raises(Conflict):
        service.reopen(session, user=cadre, item=new_item(session, cadre, household), reason="再看看", today=DAY)


def test_actions_refuse_other_households_members_and_future_dates(session) -> None:
    cadre, household = cadre_with_household(session)
    stranger = create_resident(session)
    item = new_item(session, cadre, household)
    with pytest.raises(InvalidInput) as err:
        act(session, cadre, item, ActionKind.call, resident_id=stranger.id)
    assert err.value.field == "resident_id"
    with pytest.raises(InvalidInput) as err:
        service.add_action(session, user=cadre, item=item, today=DAY,
                           data=ActionCreate(kind=ActionKind.call, on=DAY + timedelta(days=1)))
    assert err.value.field == "on"
    with pytest.raises(InvalidInput) as err:  # job referrals need a vacancy: their own route
        act(session, cadre, item, ActionKind.job_referral)
    assert err.value.field == "kind"
    assert item.actions == []


def test_overdue_items_escalate_once_to_the_leader_of_the_day(session) -> None:
    cadre, household = cadre_with_household(session)
    old_leader, new_leader = create_user(session, role=Role.leader), create_user(session, role=Role.leader)
    assignment = hold(session, old_leader)
    late = new_item(session, cadre, household, due_on=date(2025, 4, 30))
    on_time = new_item(session, cadre, household, due_on=date(2025, 6, 30))
    done = new_item(session, cadre, household, due_on=date(2025, 4, 30))
    move(session, cadre, done, LedgerStatus.in_progress)
    move(session, cadre, done, LedgerStatus.resolved)
    service.assign_leader(session, data=AssignmentCreate(leader_id=new_leader.id,
                                                         community_code=household.community_code,
                                                         start_date=date(2025, 5, 1)),
                          by=create_user(session, role=Role.admin))
    assert assignment.end_date == date(2025, 4, 30)
    escalated = service.escalate_overdue(session, today=date(2025, 5, 2))
    assert late in escalated and on_time not in escalated and done not in escalated
    assert late.escalated_to_id == new_leader.id and late.escalated_on == date(2025, 5, 2)
    assert late not in service.escalate_overdue(session, today=date(2025, 5, 3))  # idempotent
    assert late.escalated_on == date(2025, 5, 2)


def test_items_in_a_community_without_a_leader_wait_for_one(session) -> None:
    cadre, household = cadre_with_household(session, community_code="370102009002")
    item = new_item(session, cadre, household, due_on=date(2025, 4, 1))
    assert item not in service.escalate_overdue(session, today=date(2025, 5, 1))
    leader = create_user(session, role=Role.leader)
    hold(session, leader, "370102009002", start=date(2025, 5, 1))
    assert item in service.escalate_overdue(session, today=date(2025, 5, 1))


def test_sensitive_notes_are_masked_for_leaders_not_for_the_cadre(session) -> None:
    cadre, household = cadre_with_household(session)
    leader = create_user(session, role=Role.leader)
    hold(session, leader)
    item = new_item(session, cadre, household, sensitive=True, problem="患抑郁症，需心理援助")
    act(session, cadre, item, ActionKind.home_visit, note="情绪低落，已联系医院", sensitive=True)
    act(session, cadre, item, ActionKind.call, note="约好下周复诊")
    seen_by_leader = service.item_out(item, leader, DAY)
    assert seen_by_leader.problem == MASKED_NOTE and seen_by_leader.masked
    assert [a.note for a in seen_by_leader.actions] == [MASKED_NOTE, "约好下周复诊"]
    seen_by_cadre = service.item_out(item, cadre, DAY)
    assert seen_by_cadre.problem == "患抑郁症，需心理援助"
    assert seen_by_cadre.actions[0].note == "情绪低落，已联系医院"
    own = service.record_visit(session, user=leader, household=household, today=DAY,
                               data=VisitCreate(note="领导本人记录", sensitive=True))
    assert service.action_out(own, leader).note == "领导本人记录"  # the author always reads their own note


def test_reassignment_keeps_history_and_moves_visibility(session) -> None:
    cadre, household = cadre_with_household(session)
    successor = create_user(session, role=Role.cadre)
    pairing = service.repository.active_pairings(session, day=DAY, household_ids=[household.id])[0]
    today = utcnow().date()
    admin = create_user(session, role=Role.admin)
    new = service.reassign(session, pairing=pairing, cadre_id=successor.id, on=today, reason="工作调动", by=admin)
    assert pairing.end_date == today - timedelta(days=1) and pairing.end_reason == "工作调动"
    assert new.start_date == today and new.end_date is None
    assert len(service.repository.pairings_of_household(session, household.id)) == 2
    access.ensure_can_see_household(session, successor, household.id)
    with pytest.raises(Forbidden):
        access.ensure_can_see_household(session, cadre, household.id)
    with pytest.raises(InvalidInput):  # only a cadre can be paired
        service.reassign(session, pairing=new, cadre_id=create_user(session, role=Role.leader).id,
                         on=today + timedelta(days=1), reason="调整", by=admin)


def test_routine_visit_is_a_contact_without_a_problem(session) -> None:
    cadre, household = cadre_with_household(session)
    visit = service.record_visit(session, user=cadre, household=household, today=DAY,
                                 data=VisitCreate(kind=ActionKind.home_visit, on=DAY, note="例行走访"))
    assert visit.item_id is None and visit.household_id == household.id
    other = create_household(session)
    foreign = new_item(session, cadre, other)
    with pytest.raises(InvalidInput) as err:
        service.record_visit(session, user=cadre, household=household, today=DAY,
                             data=VisitCreate(item_id=foreign.id))
    assert err.value.field == "item_id"


def test_leaders_record_meetings_only_for_communities_they_hold(session) -> None:
    from estation.ledger.schemas import MeetingCreate

    leader = create_user(session, role=Role.leader)
    hold(session, leader, "370102009001")
    meeting = service.record_meeting(session, user=leader, today=DAY, data=MeetingCreate(
        community_code="370102009001", held_on=DAY, topic="居民就业座谈", attendees=12))
    assert meeting.leader_id == leader.id
    with pytest.raises(Forbidden):
        service.record_meeting(session, user=leader, today=DAY, data=MeetingCreate(
            community_code="370102009002", held_on=DAY, topic="居民就业座谈"))
    with pytest.raises(InvalidInput):
        service.record_meeting(session, user=leader, today=DAY, data=MeetingCreate(
            community_code="370102009001", held_on=DAY + timedelta(days=1), topic="未来的会"))


def test_other_roles_cannot_use_the_ledger(session) -> None:
    _, household = cadre_with_household(session)
    for role in (Role.counter_staff, Role.community_staff, Role.employer, Role.resident):
        with pytest.raises(Forbidden):
            service.visible_household(session, create_user(session, role=role), household.id)

"""Leaders' quarterly duties across quarter boundaries, and cadres' households without contact."""

from __future__ import annotations

from datetime import date, timedelta

from estation.accounts.models import Role
from estation.ledger import duties, service
from estation.ledger.models import ActionKind
from estation.ledger.schemas import MeetingCreate, VisitCreate
from tests.factories import create_household, create_user
from tests.ledger.helpers import hold, pair


def visit(session, user, household, on, kind=ActionKind.home_visit):
    return service.record_visit(session, user=user, household=household, today=on,
                                data=VisitCreate(kind=kind, on=on, note="走访"))


def meeting(session, leader, on, code="370102009001"):
    return service.record_meeting(session, user=leader, today=on, data=MeetingCreate(
        community_code=code, held_on=on, topic="季度座谈会", attendees=15))


def only(rows):
    assert len(rows) == 1
    return rows[0]


def test_quarter_arithmetic() -> None:
    assert duties.quarter_of(date(2025, 3, 31)) == (2025, 1)
    assert duties.quarter_of(date(2025, 4, 1)) == (2025, 2)
    assert duties.quarter_bounds(2025, 1) == (date(2025, 1, 1), date(2025, 3, 31))
    assert duties.quarter_bounds(2024, 4) == (date(2024, 10, 1), date(2024, 12, 31))
    assert duties.previous_quarters(2025, 2, 4) == [(2024, 3), (2024, 4), (2025, 1), (2025, 2)]


def test_visits_on_31_march_and_1_april_count_in_different_quarters(session) -> None:
    leader = create_user(session, role=Role.leader)
    hold(session, leader)
    a, b = create_household(session), create_household(session)
    visit(session, leader, a, date(2025, 3, 31))
    meeting(session, leader, date(2025, 3, 31))
    visit(session, leader, b, date(2025, 4, 1))
    q1 = only(duties.leader_duties(session, user=leader, year=2025, quarter=1))
    q2 = only(duties.leader_duties(session, user=leader, year=2025, quarter=2))
    assert (q1.households_visited, q1.meeting_held) == (1, True)
    assert (q2.households_visited, q2.meeting_held) == (1, False)
    assert not q1.compliant and not q2.compliant


def test_ten_distinct_households_and_a_meeting_make_a_compliant_quarter(session) -> None:
    leader = create_user(session, role=Role.leader)
    hold(session, leader)
    households = [create_household(session) for _ in range(10)]
    for i, h in enumerate(households[:9]):
        visit(session, leader, h, date(2025, 4, 1) + timedelta(days=i))
    visit(session, leader, households[0], date(2025, 5, 20))  # the same household twice counts once
    visit(session, leader, households[1], date(2025, 5, 21), kind=ActionKind.call)  # a call is not a visit
    meeting(session, leader, date(2025, 5, 15))
    row = only(duties.leader_duties(session, user=leader, year=2025, quarter=2))
    assert row.households_visited == 9 and not row.compliant
    visit(session, leader, households[9], date(2025, 6, 30), kind=ActionKind.return_visit)
    row = only(duties.leader_duties(session, user=leader, year=2025, quarter=2))
    assert row.households_visited == 10 and row.visits_required == 10 and row.compliant


def test_visits_outside_the_held_community_do_not_count(session) -> None:
    leader = create_user(session, role=Role.leader)
    hold(session, leader, "370102009001")
    visit(session, leader, create_household(session, community_code="370102009002"), date(2025, 5, 2))
    assert only(duties.leader_duties(session, user=leader, year=2025, quarter=2)).households_visited == 0


def test_admin_sees_every_leader_and_a_cadre_no_leader_rows(session) -> None:
    first, second = create_user(session, role=Role.leader), create_user(session, role=Role.leader)
    hold(session, first, "370102009001")
    hold(session, second, "370102009002")
    admin = create_user(session, role=Role.admin)
    rows = duties.leader_duties(session, user=admin, year=2025, quarter=2)
    assert {r.leader_id for r in rows} >= {first.id, second.id}
    assert only(duties.leader_duties(session, user=first, year=2025, quarter=2)).leader_id == first.id
    assert duties.leader_duties(session, user=create_user(session, role=Role.cadre), year=2025, quarter=2) == []


def test_households_without_contact_for_n_days(session) -> None:
    cadre = create_user(session, role=Role.cadre)
    recent, stale, never = (create_household(session, hardship=True) for _ in range(3))
    for h in (recent, stale, never):
        pair(session, cadre, h)
    today = date.today()
    visit(session, cadre, recent, today - timedelta(days=10))
    visit(session, cadre, stale, today - timedelta(days=40))
    rows = duties.no_contact(session, user=cadre, today=today, days=30)
    assert [r.household_id for r in rows] == [never.id, stale.id]
    assert rows[0].last_contact_on is None and rows[1].days_without_contact == 40
    assert {r.household_id for r in duties.no_contact(session, user=cadre, today=today, days=7)} == {
        recent.id, stale.id, never.id}
    assert duties.no_contact(session, user=cadre, today=today, days=60)[0].household_id == never.id

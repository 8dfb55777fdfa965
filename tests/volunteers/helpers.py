"""Members, needs and people for the volunteer tests: plain functions that flush."""

from __future__ import annotations

from datetime import date

from estation.accounts.models import Role
from estation.volunteers import service
from estation.volunteers.models import Activity, DayPart
from estation.volunteers.schemas import NeedCreate, VolunteerCreate
from tests.factories import create_household, create_resident, create_user, new_id_number, seed_places

THIRD = "370102009003"  # 甸柳新村第二社区
FIRST = "370102009001"  # 甸柳新村第三社区
SATURDAY = date(2026, 12, 12)
TODAY = date(2026, 12, 7)


def staff(session, community_code: str = THIRD):
    seed_places(session)
    return create_user(session, role=Role.community_staff, community_code=community_code)


def member(session, *, user=None, community_code: str = THIRD, name: str = "李景仁", interests: str = "书法、下象棋",
           skills: str = "", activities=(Activity.neighbour_watch,), slots=("sat:morning",), consent: bool = True,
           party: bool = False, max_km: float = 2.0, birth: date = date(1950, 3, 1), phone: str = "13905310001",
           today: date = TODAY):
    seed_places(session)
    user = user or create_user(session, role=Role.admin)
    return service.register(session, user=user, today=today, data=VolunteerCreate(
        community_code=community_code, name=name, id_number=new_id_number(birth=birth, sex="male"), phone=phone,
        interests=interests, skills=skills, activities=list(activities), free_slots=list(slots),
        party_member=party, consent_to_contact=consent, max_km=max_km))


def elderly_household(session, community_code: str = THIRD):
    household = create_household(session, community_code=community_code)
    create_resident(session, household=household, name="张桂兰", id_number=new_id_number(birth=date(1938, 5, 2)))
    session.refresh(household)
    return household


def visit_need(session, user, household, *, first_on: date = SATURDAY, part: DayPart = DayPart.morning,
               requirements: str = "陪老人聊天，帮忙买菜，量血压", today: date = TODAY):
    return service.post_need(session, user=user, today=today, data=NeedCreate(
        activity=Activity.neighbour_watch, title="每周探访独居老人", requirements=requirements,
        household_id=household.id, first_on=first_on, part_of_day=part, weekly=True, hours=1.5))

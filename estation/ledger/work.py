"""Finding work for a household: matching (from estation.matching), job referrals, placements, follow-ups.

A placement and its follow-ups are estation.jobs.placements' (one record however the job was found);
the ledger adds its actions to the employment problem they belong to."""

from __future__ import annotations

import logging
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload

from estation.accounts.models import User
from estation.errors import Conflict, InvalidInput, NotFound
from estation.geo import distance_km
from estation.jobs.models import Vacancy, VacancyStatus
from estation.labour.models import Household, Resident
from estation.ledger import repository, service
from estation.jobs import placements
from estation.jobs.models import PlacementFollowUp
from estation.ledger.models import ActionKind, LedgerAction, LedgerCategory, LedgerItem
from estation.ledger.schemas import (
    ActionCreate,
    FollowUpAnswer,
    FollowUpOut,
    ItemCreate,
    MatchResult,
    MemberWork,
    OpenVacancy,
    PlacementCreate,
    ReferralCreate,
    SkippedMember,
    WorkMatch,
)

if TYPE_CHECKING:
    from estation.matching.runtime import MatchingRuntime

log = logging.getLogger(__name__)

UNAVAILABLE = "岗位匹配服务暂不可用，暂时无法为这户挑选岗位。下面列出离这户最近的在招岗位，可以和本人商量后直接登记推荐。"
FAILED = "岗位匹配服务暂时出了问题，请稍后再试；也可先到“为民服务大厅”请窗口工作人员帮助查询岗位。"


NEARBY_LIMIT = 30
"""How many open vacancies the referral form offers when matching is unavailable."""


def nearby_open_vacancies(session: Session, *, household: Household, today: date,
                          limit: int = NEARBY_LIMIT) -> list[OpenVacancy]:
    """The open vacancies nearest the household (home-based ones count as at the door), nearest first:
    what a cadre can still refer to by hand while matching is down (no model needed)."""
    if not household.members:
        return []
    lat, lon = household.members[0].lat, household.members[0].lon
    squeeze = math.cos(math.radians(lat))  # a degree of longitude is shorter than one of latitude here
    nearness = case((Vacancy.home_based, 0.0),
                    else_=(Vacancy.lat - lat) * (Vacancy.lat - lat)
                    + (Vacancy.lon - lon) * (Vacancy.lon - lon) * squeeze * squeeze)
    rows = session.scalars(
        select(Vacancy).options(joinedload(Vacancy.employer))
        .where(Vacancy.status == VacancyStatus.open, Vacancy.valid_until >= today)
        .order_by(nearness, Vacancy.id).limit(limit))
    return [OpenVacancy(vacancy_id=v.id, title=v.title, employer_name=v.employer.name, home_based=v.home_based,
                        distance_km=0.0 if v.home_based else distance_km(lat, lon, v.lat, v.lon)) for v in rows]


def find_work(session: Session, *, household: Household, matching: MatchingRuntime, today: date) -> MatchResult:
    """The matching domain's recommendations for every member who can and may work, with what shaped
    each list; an unavailable or failing matcher says so plainly and never takes the household page
    down with it."""
    from estation.matching.runtime import MatchingUnavailable
    from estation.matching.service import match_household

    try:
        result = match_household(session, household_id=household.id, matching=matching)
    except MatchingUnavailable:
        return MatchResult(available=False, message=UNAVAILABLE,
                           nearby=nearby_open_vacancies(session, household=household, today=today))
    except Exception:
        log.exception("household matching failed for household %s", household.id)
        return MatchResult(available=False, message=FAILED)
    members = []
    for m in result.members:
        rows = [WorkMatch(kind=j.kind, vacancy_id=j.id if j.kind == "vacancy" else None,
                          startup_id=j.id if j.kind == "startup" else None, title=j.title, employer_name=j.employer_name,
                          explanation=j.explanation, score=j.score, home_based=j.home_based, distance_km=j.distance_km)
                for j in [*m.jobs.items, *m.startups.items]]
        members.append(MemberWork(resident_id=m.resident_id, name=m.name, age=m.age, considerations=m.considerations,
                                  matches=rows, limits=m.jobs.limits, emptied_by=m.jobs.emptied_by, pool=m.jobs.pool))
    skipped = [SkippedMember(resident_id=s.resident_id, name=s.masked_name, reason=s.reason) for s in result.skipped]
    return MatchResult(available=True, message="", members=members, skipped=skipped)


def _open_vacancy(session: Session, vacancy_id: int, today: date) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status != VacancyStatus.open or vacancy.valid_until < today:
        raise InvalidInput("该岗位不存在或已停止招聘", field="vacancy_id")
    return vacancy


def _employment_item(session: Session, *, user: User, household: Household, resident: Resident,
                     item_id: int | None, today: date) -> LedgerItem:
    if item_id is not None:
        item = session.get(LedgerItem, item_id)
        if item is None or item.household_id != household.id:
            raise InvalidInput("该事项不属于这户", field="item_id")
        return item
    for item in reversed(repository.items_of(session, household.id)):
        if item.category == LedgerCategory.employment and item.status in repository.UNRESOLVED and \
                item.resident_id in (None, resident.id) and item.raised_on <= today:
            return item
    # A referral always belongs to a problem row, so the paper ledger shows it; open one if none exists.
    return service.create_item(session, user=user, household=household, today=today, data=ItemCreate(
        category=LedgerCategory.employment, problem=f"{resident.name}需要就业帮扶，推荐合适岗位",
        resident_id=resident.id, due_on=today + timedelta(days=30)))


def refer(session: Session, *, user: User, household: Household, data: ReferralCreate, today: date) -> LedgerAction:
    resident = session.get(Resident, data.resident_id)
    if resident is None or resident.household_id != household.id:
        raise InvalidInput("该居民不是这户的成员", field="resident_id")
    vacancy = _open_vacancy(session, data.vacancy_id, today)
    item = _employment_item(session, user=user, household=household, resident=resident, item_id=data.item_id,
                            today=today)
    note = f"推荐岗位：{vacancy.title}（{vacancy.employer.name}）"  # the action keeps vacancy_id; no id on paper
    if data.note.strip():
        note += "。" + data.note.strip()
    return service.add_action(session, user=user, item=item, today=today, vacancy_id=vacancy.id,
                              allow_kinds=(ActionKind.job_referral,),
                              data=ActionCreate(kind=ActionKind.job_referral, resident_id=resident.id, note=note))


def visible_referral(session: Session, user: User, action_id: int) -> LedgerAction:
    action = session.get(LedgerAction, action_id)
    if action is None or action.kind != ActionKind.job_referral:
        raise NotFound("岗位推荐记录不存在")
    service.visible_household(session, user, action.household_id)
    return action


def place(session: Session, *, user: User, referral: LedgerAction, data: PlacementCreate,
          today: date) -> LedgerAction:
    """The referred person started the job: the placement (with its follow-ups at 1, 3 and 6 months) and
    the ledger action that records it."""
    if data.started_on < referral.on:
        raise InvalidInput("上岗日期不能早于推荐日期", field="started_on")
    item = session.get(LedgerItem, referral.item_id)
    for a in item.actions:
        if a.kind == ActionKind.placement and a.vacancy_id == referral.vacancy_id and a.resident_id == referral.resident_id:
            raise Conflict("这次推荐已登记过上岗", field="started_on")
    vacancy = session.get(Vacancy, referral.vacancy_id)
    if vacancy is None:
        raise InvalidInput("推荐的岗位已不存在", field="started_on")
    resident = session.get(Resident, referral.resident_id) if referral.resident_id else None
    placement = placements.start_placement(session, resident=resident, vacancy=vacancy, started_on=data.started_on,
                                           user=user, today=today)
    note = f"已到岗：{vacancy.title}（{vacancy.employer.name}）"
    if data.note.strip():
        note += "。" + data.note.strip()
    action = service.add_action(session, user=user, item=item, today=today, vacancy_id=referral.vacancy_id,
                                allow_kinds=(ActionKind.placement,),
                                data=ActionCreate(kind=ActionKind.placement, on=data.started_on,
                                                  resident_id=referral.resident_id, note=note))
    for follow_up in placement.follow_ups:
        follow_up.placement_action_id = action.id
    session.flush()
    return action


def visible_follow_up(session: Session, user: User, follow_up_id: int) -> PlacementFollowUp:
    follow_up = placements.visible_follow_up(session, follow_up_id)
    service.visible_household(session, user, follow_up.household_id)
    return follow_up


def answer(session: Session, *, user: User, follow_up: PlacementFollowUp, data: FollowUpAnswer,
           today: date) -> PlacementFollowUp:
    """Record whether the person is still in the job (estation.jobs.placements); when the placement came
    from a ledger referral, the answer joins the employment problem, and a lost job reopens it."""
    placements.answer_follow_up(session, follow_up=follow_up, still_employed=data.still_employed, note=data.note,
                                on=data.on, user=user, today=today)
    if follow_up.placement_action_id is None:
        return follow_up
    placement = session.get(LedgerAction, follow_up.placement_action_id)
    item = session.get(LedgerItem, placement.item_id)
    on = follow_up.answered_on
    if not data.still_employed and item.status in service.REOPENABLE:
        service.reopen(session, user=user, item=item, today=on,
                       reason=f"上岗{follow_up.months_after}个月跟踪：已不在岗")
    verdict = "仍在岗" if data.still_employed else "已不在岗"
    note = f"上岗{follow_up.months_after}个月跟踪：{verdict}" + ("。" + data.note.strip() if data.note.strip() else "")
    action = service.add_action(session, user=user, item=item, today=today, vacancy_id=follow_up.vacancy_id,
                                allow_kinds=(ActionKind.follow_up,),
                                data=ActionCreate(kind=ActionKind.follow_up, on=on, resident_id=follow_up.resident_id,
                                                  note=note, outcome_ok=data.still_employed))
    follow_up.answer_action_id = action.id
    session.flush()
    return follow_up


def follow_ups(session: Session, *, user: User, household_id: int | None = None, open_only: bool = True,
               due_by: date | None = None) -> list[FollowUpOut]:
    """The follow-ups of the households the user may see (a cadre: their paired ones); ``due_by``: only
    those answerable by that day, which are the cadre's duties."""
    service.ensure_ledger_role(user)
    ids = list(session.scalars(repository.household_ids_stmt(user)))
    if household_id is not None:
        ids = [i for i in ids if i == household_id]
    return [follow_up_out(f) for f in placements.follow_ups_of(session, ids, open_only=open_only, due_by=due_by)]


def follow_up_out(follow_up: PlacementFollowUp) -> FollowUpOut:
    placement = follow_up.placement
    vacancy = placement.vacancy
    resident = placement.resident
    return FollowUpOut(id=follow_up.id, household_id=follow_up.household_id, resident_id=follow_up.resident_id,
                       vacancy_id=follow_up.vacancy_id, placement_id=placement.id, months_after=follow_up.months_after,
                       resident_name=resident.name, job=f"{vacancy.title}（{vacancy.employer.name}）",
                       due_on=follow_up.due_on, answered_on=follow_up.answered_on,
                       still_employed=follow_up.still_employed)

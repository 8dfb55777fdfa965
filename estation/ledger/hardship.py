"""Hardship households to zero: the 零就业家庭 list, 公益性岗位 placements, and policy reminders answered.

Nothing here is stored twice. A household is on the 零就业家庭 list when
``labour.households.employment_on(household, today).zero_employment`` says so, read from its members'
status spells, so a hire takes it off and a lost job puts it back the moment they are recorded. A policy
reminder is answered by a ``ReminderMark`` (received / not applicable); the leader's per-community counts
are read from the reminders in force and those answers.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from estation.accounts.models import User
from estation.errors import Forbidden, InvalidInput
from estation.jobs.models import Placement, Vacancy
from estation.labour import access
from estation.labour.households import able_job_seeker, employment_on
from estation.labour.models import EmploymentRecord, EmploymentStatus, Household, Resident
from estation.ledger import repository, rules, service
from estation.ledger.models import LedgerCategory, LedgerItem, LedgerStatus, ReminderMark, ReminderOutcome
from estation.ledger.schemas import (
    CoverageOut,
    HardshipOut,
    LedgerItemRef,
    ReminderMarkIn,
    WelfarePostOut,
    ZeroHouseholdOut,
)

TERM_WARNING_DAYS = 30
"""A 公益性岗位 whose term ends within this many days is flagged for the cadre to plan what comes next."""


# ---- 零就业家庭 ---------------------------------------------------------------------------------------

def _seeking_on(day: date):
    """Households with a member registered unemployed on ``day``: the only ones that can be 零就业家庭."""
    spell = select(EmploymentRecord.id).join(Resident, Resident.id == EmploymentRecord.resident_id).where(
        Resident.household_id == Household.id, EmploymentRecord.status == EmploymentStatus.registered_unemployed,
        EmploymentRecord.start_date <= day, or_(EmploymentRecord.end_date.is_(None), EmploymentRecord.end_date > day))
    return exists(spell)


def zero_employment_households(session: Session, *, user: User, today: date) -> list[ZeroHouseholdOut]:
    """The 零就业家庭 the user may see today, each with its cadres, its open employment item and job seekers.
    One set of queries for all households (no query per household)."""
    service.ensure_ledger_role(user)
    stmt = (select(Household).where(_seeking_on(today))
            .options(selectinload(Household.members).selectinload(Resident.status_history))
            .order_by(Household.community_code, Household.id))
    households = [h for h in session.scalars(access.scope_households(stmt, user))
                  if employment_on(h, today).zero_employment]
    ids = [h.id for h in households]
    pairings = repository.active_pairings(session, day=today, household_ids=ids) if ids else []
    names = service.display_names(session, {p.cadre_id for p in pairings})
    cadres: dict[int, list[str]] = {}
    for p in pairings:
        cadres.setdefault(p.household_id, []).append(names.get(p.cadre_id, ""))
    items = _employment_items(session, ids, today)
    community = service.community_names(session)
    return [ZeroHouseholdOut(
        id=h.id, community_code=h.community_code, community_name=community.get(h.community_code, ""),
        address=h.address, head_name=service.head_name(h),
        job_seekers=[m.name for m in h.members if able_job_seeker(m, today)],
        cadre_names=cadres.get(h.id, []), item=items.get(h.id)) for h in households]


def _employment_items(session: Session, household_ids: list[int], today: date) -> dict[int, LedgerItemRef]:
    """Each household's latest open 就业 item of the ledger."""
    if not household_ids:
        return {}
    found = session.scalars(select(LedgerItem).where(
        LedgerItem.household_id.in_(household_ids), LedgerItem.category == LedgerCategory.employment,
        LedgerItem.status != LedgerStatus.closed).order_by(LedgerItem.raised_on, LedgerItem.id))
    return {i.household_id: LedgerItemRef(id=i.id, status=i.status, due_on=i.due_on,
                                          overdue=service.is_overdue(i, today)) for i in found}


def public_welfare_posts(session: Session, *, user: User, today: date) -> list[WelfarePostOut]:
    """公益性岗位 placements still running (托底安置 of 就业困难人员), the term ending soonest first."""
    service.ensure_ledger_role(user)
    stmt = (select(Placement).join(Resident, Resident.id == Placement.resident_id)
            .where(Placement.public_welfare.is_(True), Placement.ended_on.is_(None))
            .options(selectinload(Placement.resident), selectinload(Placement.vacancy).selectinload(Vacancy.employer))
            .order_by(Placement.term_until.is_(None), Placement.term_until, Placement.id))
    community = service.community_names(session)
    posts = []
    for p in session.scalars(access.scope_residents(stmt, user)):
        left = (p.term_until - today).days if p.term_until else None
        posts.append(WelfarePostOut(
            placement_id=p.id, household_id=p.resident.household_id, resident_name=p.resident.name,
            community_name=community.get(p.resident.community_code, ""),
            job=f"{p.vacancy.title}（{p.vacancy.employer.name}）", started_on=p.started_on, term_until=p.term_until,
            days_left=left, ending_soon=left is not None and left <= TERM_WARNING_DAYS))
    return posts


def hardship(session: Session, *, user: User, today: date) -> HardshipOut:
    return HardshipOut(zero_employment_households=zero_employment_households(session, user=user, today=today),
                       public_welfare_posts=public_welfare_posts(session, user=user, today=today))


# ---- policy reminders answered -------------------------------------------------------------------------

def mark_reminder(session: Session, *, user: User, household: Household, data: ReminderMarkIn,
                  policy_rules: list[rules.PolicyRule], today: date) -> ReminderMark:
    """Answer one of the household's reminders in force: the member receives the policy, or it does not apply."""
    service.ensure_ledger_role(user)
    due = {(r.resident_id, r.code) for r in rules.reminders(household, policy_rules, today)}
    if (data.resident_id, data.code) not in due:
        raise InvalidInput("这条政策提醒对该成员已不适用，请刷新页面后再试", field="code")
    if data.outcome == ReminderOutcome.not_applicable and not data.note.strip():
        raise InvalidInput("标记“不适用”时请写明原因", field="note")
    mark = ReminderMark(household_id=household.id, resident_id=data.resident_id, rule_code=data.code,
                        outcome=data.outcome, on=today, by_user_id=user.id, note=data.note.strip())
    session.add(mark)
    session.flush()
    return mark


def reminder_coverage(session: Session, *, user: User, policy_rules: list[rules.PolicyRule],
                      today: date) -> list[CoverageOut]:
    """Per community the user holds and per policy: households reminded of it, how many received it, how
    many the cadres found it does not apply to, and how many are still to check."""
    codes = service.held_communities(session, user, today)
    if not codes:
        raise Forbidden("政策落实情况仅限联居领导和管理员查看")
    households = list(session.scalars(select(Household).where(Household.community_code.in_(codes))
                                      .options(selectinload(Household.members))))
    marks = service.latest_marks(session, [h.id for h in households])
    policies = list(dict.fromkeys(rule.policy for rule in policy_rules))
    tally = {(c, p): [0, 0, 0] for c in codes for p in policies}  # received, not applicable, to check
    for household in households:
        answers: dict[str, list[ReminderOutcome | None]] = {}
        for r in rules.reminders(household, policy_rules, today):
            mark = marks.get((r.resident_id, r.code))
            answers.setdefault(r.policy, []).append(mark.outcome if mark else None)
        for policy, found in answers.items():
            counts = tally[(household.community_code, policy)]
            if ReminderOutcome.done in found:
                counts[0] += 1
            elif all(a == ReminderOutcome.not_applicable for a in found):
                counts[1] += 1
            else:
                counts[2] += 1
    names = service.community_names(session)
    return [CoverageOut(community_code=c, community_name=names.get(c, ""), policy=p, eligible=done + pending,
                        received=done, not_applicable=na, to_check=pending)
            for (c, p), (done, na, pending) in tally.items()]

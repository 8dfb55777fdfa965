"""Duties: each leader's quarterly meeting and 10 household visits; each cadre's contact gaps and the
placement follow-ups due in their households.

Quarters are calendar quarters of the local date: a visit on 31 March counts for Q1, on 1 April for Q2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.labour.models import Household
from estation.labour.service import communities
from estation.ledger import repository, work
from estation.ledger.models import LedgerStatus
from estation.ledger.schemas import Duties, LeaderDuty, NoContact
from estation.ledger.service import ensure_ledger_role

VISITS_REQUIRED = 10
"""每季度入户走访10户辖区居民 (the article's rule for every leader)."""


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1-4")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def previous_quarters(year: int, quarter: int, n: int) -> list[tuple[int, int]]:
    """The n quarters ending with (year, quarter), oldest first."""
    out = []
    for _ in range(n):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out[::-1]


def leader_duties(session: Session, *, user: User, year: int, quarter: int) -> list[LeaderDuty]:
    """One row per (leader, community held at any time in the quarter): meetings and visits."""
    ensure_ledger_role(user)
    start, end = quarter_bounds(year, quarter)
    leader_id = user.id if user.role == Role.leader else None
    if user.role == Role.cadre:
        return []
    assignments = repository.assignments_overlapping(session, start, end, leader_id=leader_id)
    names = repository.users(session, {a.leader_id for a in assignments})
    places = communities(session)
    rows = []
    for a in assignments:
        # Only the part of the quarter the leader held the community counts towards their duty.
        a_start, a_end = max(start, a.start_date), min(end, a.end_date or end)
        meetings = repository.meeting_count(session, leader_id=a.leader_id, community_code=a.community_code,
                                            start=a_start, end=a_end)
        visited = repository.visited_households(session, user_id=a.leader_id, community_code=a.community_code,
                                                start=a_start, end=a_end)
        rows.append(LeaderDuty(
            leader_id=a.leader_id, leader_name=names[a.leader_id].display_name, community_code=a.community_code,
            community_name=places[a.community_code].short_name if a.community_code in places else a.community_code,
            year=year, quarter=quarter, meetings=meetings, meeting_held=meetings > 0, households_visited=visited,
            visits_required=VISITS_REQUIRED, compliant=meetings > 0 and visited >= VISITS_REQUIRED,
        ))
    return rows


def no_contact(session: Session, *, user: User, today: date, days: int) -> list[NoContact]:
    """Paired households with no visit, call or return visit in the last ``days`` days (or never)."""
    ensure_ledger_role(user)
    scope_ids = list(session.scalars(repository.household_ids_stmt(user)))
    pairings = repository.active_pairings(session, day=today, household_ids=scope_ids,
                                          cadre_id=user.id if user.role == Role.cadre else None)
    ids = sorted({p.household_id for p in pairings})
    contacts = repository.last_contacts(session, ids)
    names = repository.users(session, {p.cadre_id for p in pairings})
    cutoff = today - timedelta(days=days)
    rows = []
    for p in pairings:
        last = contacts.get(p.household_id)
        if last is not None and last > cutoff:
            continue
        household = session.get(Household, p.household_id)
        rows.append(NoContact(cadre_id=p.cadre_id, cadre_name=names[p.cadre_id].display_name,
                              household_id=p.household_id, address=household.address, last_contact_on=last,
                              days_without_contact=(today - last).days if last else None))
    return sorted(rows, key=lambda r: (r.last_contact_on is not None, r.last_contact_on or today))


def duties(session: Session, *, user: User, year: int, quarter: int, today: date, no_contact_days: int) -> Duties:
    return Duties(year=year, quarter=quarter, leaders=leader_duties(session, user=user, year=year, quarter=quarter),
                  no_contact_days=no_contact_days,
                  no_contact=no_contact(session, user=user, today=today, days=no_contact_days),
                  follow_ups=work.follow_ups(session, user=user, due_by=today))


@dataclass
class DashboardStats:
    by_status: dict[str, int]
    by_category: dict[str, int]
    overdue_by_community: dict[str, int]
    escalated_to_me: list
    compliance: list[tuple[str, int, int]]
    """(quarter label, compliant leader-communities, all leader-communities), oldest first."""
    visits_by_quarter: list[tuple[str, int, int]]
    """(quarter label, households visited by leaders, required visits)."""


def dashboard(session: Session, *, user: User, today: date, quarters: int = 4) -> DashboardStats:
    ensure_ledger_role(user)
    ids = list(session.scalars(repository.household_ids_stmt(user)))
    items = repository.items_in(session, ids)
    households = {h.id: h for h in repository.visible_households(session, user)}
    places = communities(session)
    by_status = {s.value: 0 for s in LedgerStatus}
    by_category: dict[str, int] = {}
    overdue: dict[str, int] = {}
    escalated = []
    for item in items:
        by_status[item.status.value] += 1
        by_category[item.category.value] = by_category.get(item.category.value, 0) + 1
        if item.status in repository.UNRESOLVED and item.due_on < today:
            code = households[item.household_id].community_code
            label = places[code].short_name if code in places else code
            overdue[label] = overdue.get(label, 0) + 1
        if item.escalated_to_id == user.id and item.status in repository.UNRESOLVED:
            escalated.append(item)
    compliance, visits = [], []
    year, quarter = quarter_of(today)
    for y, q in previous_quarters(year, quarter, quarters):
        rows = leader_duties(session, user=user, year=y, quarter=q)
        label = f"{y}年第{q}季度"
        compliance.append((label, sum(r.compliant for r in rows), len(rows)))
        visits.append((label, sum(min(r.households_visited, r.visits_required) for r in rows),
                       sum(r.visits_required for r in rows)))
    return DashboardStats(by_status, by_category, overdue, escalated, compliance, visits)

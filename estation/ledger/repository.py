"""The ledger's SELECTs; the household visibility rules come from estation.labour.access."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from estation.accounts.models import User
from estation.labour.access import scope_households
from estation.labour.models import Household
from estation.ledger.models import (
    ActionKind,
    CommunityAssignment,
    CommunityMeeting,
    HouseholdPairing,
    LedgerAction,
    LedgerItem,
    LedgerStatus,
)

CONTACT_KINDS = (ActionKind.home_visit, ActionKind.call, ActionKind.return_visit, ActionKind.follow_up)
"""Actions that count as contact with the household (for the no-contact duty)."""
VISIT_KINDS = (ActionKind.home_visit, ActionKind.return_visit)
"""Actions that count as a leader's household visit (入户走访)."""
UNRESOLVED = (LedgerStatus.open, LedgerStatus.in_progress)


def active_on(model, day: date):
    return and_(model.start_date <= day, or_(model.end_date.is_(None), model.end_date >= day))


def overlapping(model, start: date, end: date):
    return and_(model.start_date <= end, or_(model.end_date.is_(None), model.end_date >= start))


def visible_households(session: Session, user: User, *, community_code: str | None = None) -> list[Household]:
    stmt = select(Household).options(selectinload(Household.members)).order_by(Household.community_code, Household.id)
    if community_code:
        stmt = stmt.where(Household.community_code == community_code)
    return list(session.scalars(scope_households(stmt, user)))


def household_ids_stmt(user: User) -> Select:
    return scope_households(select(Household.id), user)


def items_of(session: Session, household_id: int) -> list[LedgerItem]:
    stmt = (
        select(LedgerItem)
        .where(LedgerItem.household_id == household_id)
        .options(selectinload(LedgerItem.actions), selectinload(LedgerItem.status_changes))
        .order_by(LedgerItem.raised_on, LedgerItem.id)
    )
    return list(session.scalars(stmt))


def items_in(session: Session, household_ids: list[int]) -> list[LedgerItem]:
    if not household_ids:
        return []
    stmt = (
        select(LedgerItem)
        .where(LedgerItem.household_id.in_(household_ids))
        .options(selectinload(LedgerItem.actions))
        .order_by(LedgerItem.household_id, LedgerItem.raised_on, LedgerItem.id)
    )
    return list(session.scalars(stmt))


def general_actions(session: Session, household_id: int) -> list[LedgerAction]:
    stmt = (
        select(LedgerAction)
        .where(LedgerAction.household_id == household_id, LedgerAction.item_id.is_(None))
        .order_by(LedgerAction.on, LedgerAction.id)
    )
    return list(session.scalars(stmt))


def last_contacts(session: Session, household_ids: list[int]) -> dict[int, date]:
    if not household_ids:
        return {}
    stmt = (
        select(LedgerAction.household_id, func.max(LedgerAction.on))
        .where(LedgerAction.household_id.in_(household_ids), LedgerAction.kind.in_(CONTACT_KINDS))
        .group_by(LedgerAction.household_id)
    )
    return {hid: day for hid, day in session.execute(stmt)}


def item_counts(session: Session, household_ids: list[int], today: date) -> dict[int, tuple[int, int]]:
    """household id -> (unfinished items, overdue items)."""
    if not household_ids:
        return {}
    unfinished = LedgerItem.status.in_(UNRESOLVED)
    stmt = (
        select(
            LedgerItem.household_id,
            func.count(LedgerItem.id).filter(LedgerItem.status != LedgerStatus.closed),
            func.count(LedgerItem.id).filter(unfinished, LedgerItem.due_on < today),
        )
        .where(LedgerItem.household_id.in_(household_ids))
        .group_by(LedgerItem.household_id)
    )
    return {hid: (n, late) for hid, n, late in session.execute(stmt)}


def pairings_of_household(session: Session, household_id: int) -> list[HouseholdPairing]:
    stmt = select(HouseholdPairing).where(HouseholdPairing.household_id == household_id)
    return list(session.scalars(stmt.order_by(HouseholdPairing.start_date, HouseholdPairing.id)))


def active_pairings(session: Session, *, day: date, household_ids: list[int] | None = None,
                    cadre_id: int | None = None) -> list[HouseholdPairing]:
    stmt = select(HouseholdPairing).where(active_on(HouseholdPairing, day))
    if household_ids is not None:
        stmt = stmt.where(HouseholdPairing.household_id.in_(household_ids))
    if cadre_id is not None:
        stmt = stmt.where(HouseholdPairing.cadre_id == cadre_id)
    return list(session.scalars(stmt.order_by(HouseholdPairing.id)))


def leader_of(session: Session, community_code: str, day: date) -> CommunityAssignment | None:
    stmt = (
        select(CommunityAssignment)
        .where(CommunityAssignment.community_code == community_code, active_on(CommunityAssignment, day))
        .order_by(CommunityAssignment.start_date.desc(), CommunityAssignment.id.desc())
    )
    return session.scalars(stmt).first()


def assignments_overlapping(session: Session, start: date, end: date, *, leader_id: int | None = None
                            ) -> list[CommunityAssignment]:
    stmt = select(CommunityAssignment).where(overlapping(CommunityAssignment, start, end))
    if leader_id is not None:
        stmt = stmt.where(CommunityAssignment.leader_id == leader_id)
    return list(session.scalars(stmt.order_by(CommunityAssignment.community_code, CommunityAssignment.id)))


def held_communities(session: Session, leader_id: int, day: date) -> list[str]:
    stmt = select(CommunityAssignment.community_code).where(
        CommunityAssignment.leader_id == leader_id, active_on(CommunityAssignment, day)
    )
    return list(session.scalars(stmt))


def meeting_count(session: Session, *, leader_id: int, community_code: str, start: date, end: date) -> int:
    stmt = select(func.count(CommunityMeeting.id)).where(
        CommunityMeeting.leader_id == leader_id,
        CommunityMeeting.community_code == community_code,
        CommunityMeeting.held_on.between(start, end),
    )
    return session.scalar(stmt) or 0


def visited_households(session: Session, *, user_id: int, community_code: str, start: date, end: date) -> int:
    """Distinct households of the community the user visited in [start, end], both days included."""
    stmt = (
        select(func.count(func.distinct(LedgerAction.household_id)))
        .join(Household, Household.id == LedgerAction.household_id)
        .where(
            LedgerAction.by_user_id == user_id,
            LedgerAction.kind.in_(VISIT_KINDS),
            LedgerAction.on.between(start, end),
            Household.community_code == community_code,
        )
    )
    return session.scalar(stmt) or 0


def meetings(session: Session, *, community_codes: list[str] | None) -> list[CommunityMeeting]:
    stmt = select(CommunityMeeting).order_by(CommunityMeeting.held_on.desc(), CommunityMeeting.id.desc())
    if community_codes is not None:
        stmt = stmt.where(CommunityMeeting.community_code.in_(community_codes))
    return list(session.scalars(stmt))


def overdue_unescalated(session: Session, today: date) -> list[LedgerItem]:
    stmt = select(LedgerItem).where(
        LedgerItem.status.in_(UNRESOLVED), LedgerItem.due_on < today, LedgerItem.escalated_on.is_(None)
    )
    return list(session.scalars(stmt.order_by(LedgerItem.id)))


def users(session: Session, ids: set[int]) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}

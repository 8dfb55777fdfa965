"""Who may see which resident: enforced on the server for every route that reads a resident."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import Role, User
from estation.errors import Forbidden
from estation.labour.models import Household, Resident
from estation.ledger.models import CommunityAssignment, HouseholdPairing

ALL_RESIDENTS = frozenset({Role.counter_staff, Role.admin})
"""Any window handles any case, so counter staff see every resident of the subdistrict."""
RECORD_KEEPERS = frozenset({Role.counter_staff, Role.community_staff, Role.admin})
"""Who registers households and residents and keeps their records (API and counter pages alike): community
staff within their own community, as every read is narrowed by ``scope_residents``."""


def _active(model, today):
    return (model.start_date <= today) & or_(model.end_date.is_(None), model.end_date >= today)


def _narrow(stmt: Select, user: User, *, community, household, own) -> Select:
    """The one visibility rule, for a SELECT whose rows have a community column and a household column;
    ``own`` is the condition for the signed-in resident's own rows."""
    today = clock.today()
    if user.role in ALL_RESIDENTS:
        return stmt
    if user.role == Role.community_staff:
        return stmt.where(community == user.community_code)
    if user.role == Role.leader:
        held = select(CommunityAssignment.community_code).where(
            CommunityAssignment.leader_id == user.id, _active(CommunityAssignment, today)
        )
        return stmt.where(community.in_(held))
    if user.role == Role.cadre:
        paired = select(HouseholdPairing.household_id).where(
            HouseholdPairing.cadre_id == user.id, _active(HouseholdPairing, today)
        )
        return stmt.where(household.in_(paired))
    if user.role == Role.resident:
        return stmt.where(own)
    return stmt.where(False)


def scope_residents(stmt: Select, user: User) -> Select:
    """Narrow a SELECT over Resident to the rows ``user`` may see."""
    return _narrow(stmt, user, community=Resident.community_code, household=Resident.household_id,
                   own=Resident.id == user.resident_id)


def scope_households(stmt: Select, user: User) -> Select:
    """Narrow a SELECT over Household to the rows ``user`` may see."""
    mine = select(Resident.household_id).where(Resident.id == user.resident_id)
    return _narrow(stmt, user, community=Household.community_code, household=Household.id, own=Household.id.in_(mine))


def ensure_can_see_resident(session: Session, user: User, resident_id: int) -> None:
    if session.scalar(scope_residents(select(Resident.id).where(Resident.id == resident_id), user)) is None:
        raise Forbidden("您无权查看该居民的信息")


def ensure_can_see_household(session: Session, user: User, household_id: int) -> None:
    if session.scalar(scope_households(select(Household.id).where(Household.id == household_id), user)) is None:
        raise Forbidden("您无权查看该家庭的信息")


def may_register_in(user: User, community_code: str) -> bool:
    """Whether ``user`` may register a household in the community: counter staff anywhere, community staff
    in their own community."""
    return user.role in ALL_RESIDENTS or (user.role in RECORD_KEEPERS and community_code == user.community_code)


def ensure_can_register_in(user: User, community_code: str) -> None:
    if not may_register_in(user, community_code):
        raise Forbidden("社区工作人员只能为本社区建档")

"""Small builders for ledger tests: pairings, community assignments and items in a known state."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.labour.models import Household
from estation.ledger import service
from estation.ledger.models import CommunityAssignment, HouseholdPairing, LedgerCategory
from estation.ledger.schemas import ItemCreate
from tests.factories import create_household, create_user, seed_places

START = date(2024, 1, 1)


def pair(session: Session, cadre: User, household: Household, start: date = START) -> HouseholdPairing:
    p = HouseholdPairing(cadre_id=cadre.id, household_id=household.id, start_date=start)
    session.add(p)
    session.flush()
    return p


def hold(session: Session, leader: User, community_code: str = "370102009001", start: date = START
         ) -> CommunityAssignment:
    seed_places(session)
    a = CommunityAssignment(leader_id=leader.id, community_code=community_code, start_date=start)
    session.add(a)
    session.flush()
    return a


def cadre_with_household(session: Session, **household_fields) -> tuple[User, Household]:
    cadre = create_user(session, role=Role.cadre)
    household = create_household(session, hardship=True, **household_fields)
    pair(session, cadre, household)
    return cadre, household


def new_item(session: Session, user: User, household: Household, *, raised_on: date = date(2025, 3, 1),
             due_on: date = date(2025, 4, 30), sensitive: bool = False, problem: str = "户主失业，需要找工作",
             category: LedgerCategory = LedgerCategory.employment):
    return service.create_item(session, user=user, household=household, today=raised_on, data=ItemCreate(
        category=category, problem=problem, raised_on=raised_on, due_on=due_on, sensitive=sensitive))

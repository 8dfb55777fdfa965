"""The volunteers' SELECTs and the one INSERT that must hold under a double submit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from estation.db import insert_or_merge
from estation.volunteers.models import (
    NeedStatus,
    Volunteer,
    VolunteerAssignment,
    VolunteerNeed,
    VolunteerService,
    VolunteerStatus,
)


def insert_volunteer(session: Session, values: dict) -> int | None:
    """The new member's id, or None when one with the same id number (or resident) is there already: one
    statement, so two copies of a form sent at once make one member."""
    insert = insert_or_merge(session, Volunteer)
    return session.execute(
        insert.values(**values).on_conflict_do_nothing().returning(Volunteer.id)
    ).scalar_one_or_none()


def volunteers(session: Session, *, community_code: str | None = None, ids: Iterable[int] | None = None,
               status: VolunteerStatus = VolunteerStatus.member) -> list[Volunteer]:
    """Members (or, with ``status``, the applications in that state), by community."""
    stmt = select(Volunteer).where(Volunteer.status == status).order_by(Volunteer.community_code, Volunteer.id)
    if community_code is not None:
        stmt = stmt.where(Volunteer.community_code == community_code)
    if ids is not None:
        stmt = stmt.where(Volunteer.id.in_(list(ids)))
    return list(session.scalars(stmt))


def contactable(session: Session, *, excluding: Iterable[int] = ()) -> list[Volunteer]:
    stmt = select(Volunteer).where(Volunteer.status == VolunteerStatus.member,
                                   Volunteer.consent_to_contact.is_(True)).order_by(Volunteer.id)
    skip = list(excluding)
    if skip:
        stmt = stmt.where(Volunteer.id.not_in(skip))
    return list(session.scalars(stmt))


def residents_of(session: Session, volunteer_ids: list[int]) -> list[int]:
    """The resident records of those members who are residents."""
    if not volunteer_ids:
        return []
    return list(session.scalars(select(Volunteer.resident_id).where(
        Volunteer.id.in_(volunteer_ids), Volunteer.resident_id.is_not(None)).order_by(Volunteer.resident_id)))


def open_by_phone(session: Session, *, community_code: str, phone_hash: str) -> Volunteer | None:
    """A member or waiting application of the community with that phone."""
    return session.scalar(select(Volunteer).where(
        Volunteer.community_code == community_code, Volunteer.phone_hash == phone_hash,
        Volunteer.status != VolunteerStatus.declined).limit(1))


def by_resident(session: Session, resident_id: int) -> Volunteer | None:
    return session.scalar(select(Volunteer).where(Volunteer.resident_id == resident_id))


def by_id_number_hash(session: Session, digest: str) -> Volunteer | None:
    return session.scalar(select(Volunteer).where(Volunteer.id_number_hash == digest))


def served(session: Session, volunteer_ids: Iterable[int] | None = None) -> dict[int, tuple[float, date | None]]:
    """Hours served (services attended) and the last day served, per member."""
    stmt = (select(VolunteerAssignment.volunteer_id, func.sum(VolunteerService.hours), func.max(VolunteerService.on))
            .join(VolunteerService, VolunteerService.assignment_id == VolunteerAssignment.id)
            .where(VolunteerService.attended.is_(True))
            .group_by(VolunteerAssignment.volunteer_id))
    if volunteer_ids is not None:
        stmt = stmt.where(VolunteerAssignment.volunteer_id.in_(list(volunteer_ids)))
    return {vid: (float(hours or 0), last) for vid, hours, last in session.execute(stmt)}


def hours_by_activity(session: Session, community_code: str | None) -> dict[str, float]:
    stmt = (select(VolunteerNeed.activity, func.sum(VolunteerService.hours))
            .join(VolunteerAssignment, VolunteerAssignment.need_id == VolunteerNeed.id)
            .join(VolunteerService, VolunteerService.assignment_id == VolunteerAssignment.id)
            .join(Volunteer, Volunteer.id == VolunteerAssignment.volunteer_id)
            .where(VolunteerService.attended.is_(True))
            .group_by(VolunteerNeed.activity))
    if community_code is not None:
        stmt = stmt.where(Volunteer.community_code == community_code)
    return {activity.value: float(hours or 0) for activity, hours in session.execute(stmt)}


def needs(session: Session, stmt: Select | None = None) -> list[VolunteerNeed]:
    stmt = stmt if stmt is not None else select(VolunteerNeed)
    stmt = stmt.options(selectinload(VolunteerNeed.assignments)).order_by(
        VolunteerNeed.status, VolunteerNeed.first_on.desc(), VolunteerNeed.id.desc())
    return list(session.scalars(stmt))


def open_needs_stmt() -> Select:
    return select(VolunteerNeed).where(VolunteerNeed.status == NeedStatus.open)


def assignments_of(session: Session, *, need_id: int | None = None, household_id: int | None = None
                   ) -> list[VolunteerAssignment]:
    stmt = (select(VolunteerAssignment)
            .options(selectinload(VolunteerAssignment.services), selectinload(VolunteerAssignment.volunteer),
                     selectinload(VolunteerAssignment.need))
            .order_by(VolunteerAssignment.id))
    if need_id is not None:
        stmt = stmt.where(VolunteerAssignment.need_id == need_id)
    if household_id is not None:
        stmt = stmt.join(VolunteerNeed, VolunteerNeed.id == VolunteerAssignment.need_id).where(
            VolunteerNeed.household_id == household_id)
    return list(session.scalars(stmt))


def insert_service(session: Session, values: dict) -> int | None:
    """The service day's id, or None when that day of the assignment is recorded already."""
    insert = insert_or_merge(session, VolunteerService)
    return session.execute(
        insert.values(**values).on_conflict_do_nothing().returning(VolunteerService.id)
    ).scalar_one_or_none()


def insert_assignment(session: Session, values: dict) -> int | None:
    insert = insert_or_merge(session, VolunteerAssignment)
    return session.execute(
        insert.values(**values).on_conflict_do_nothing().returning(VolunteerAssignment.id)
    ).scalar_one_or_none()

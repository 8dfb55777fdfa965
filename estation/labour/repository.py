"""The SELECTs over residents, households and insurance periods."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from estation.labour.models import Household, InsurancePeriod, Resident, Scheme
from estation.privacy import lookup_hash


def resident_by_id_number(session: Session, id_number: str) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.id_number_hash == lookup_hash(id_number)))


def residents_by_phone(session: Session, phone: str) -> list[Resident]:
    return list(session.scalars(select(Resident).where(Resident.phone_hash == lookup_hash(phone))))


def overlapping_period(
    session: Session, *, resident_id: int, scheme: Scheme, start: date, end: date, exclude_id: int | None = None
) -> InsurancePeriod | None:
    stmt = select(InsurancePeriod).where(
        InsurancePeriod.resident_id == resident_id,
        InsurancePeriod.scheme == scheme,
        InsurancePeriod.start_month <= end,
        InsurancePeriod.end_month >= start,
    )
    if exclude_id is not None:
        stmt = stmt.where(InsurancePeriod.id != exclude_id)
    return session.scalar(stmt.limit(1))


def residents_stmt(
    *,
    community_code: str | None = None,
    household_id: int | None = None,
    work_capacity: str | None = None,
    employment_status: str | None = None,
    hardship: bool | None = None,
    name: str | None = None,
) -> Select:
    stmt = select(Resident).order_by(Resident.id)
    if community_code:
        stmt = stmt.where(Resident.community_code == community_code)
    if household_id is not None:
        stmt = stmt.where(Resident.household_id == household_id)
    if work_capacity:
        stmt = stmt.where(Resident.work_capacity == work_capacity)
    if employment_status:
        stmt = stmt.where(Resident.employment_status == employment_status)
    if hardship is not None:
        stmt = stmt.where(Resident.household_id.in_(select(Household.id).where(Household.hardship == hardship)))
    if name:
        stmt = stmt.where(Resident.name.contains(name))
    return stmt

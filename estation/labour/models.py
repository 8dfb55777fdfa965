"""Residents, households and their labour-security records."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin
from estation.db import enum_column as _enum
from estation.privacy import EncryptedInteger, EncryptedString, EncryptedText


class WorkCapacity(str, enum.Enum):
    full = "full"
    partial = "partial"
    none = "none"


class EmploymentStatus(str, enum.Enum):
    employed = "employed"
    registered_unemployed = "registered_unemployed"
    flexible = "flexible"
    retired = "retired"
    student = "student"
    out_of_labour_force = "out_of_labour_force"


class Relation(str, enum.Enum):
    head = "head"
    spouse = "spouse"
    child = "child"
    parent = "parent"
    grandchild = "grandchild"
    sibling = "sibling"
    other = "other"


class Scheme(str, enum.Enum):
    pension = "pension"
    medical = "medical"
    unemployment = "unemployment"
    work_injury = "work_injury"


class Payer(str, enum.Enum):
    employer = "employer"
    individual = "individual"


class Subdistrict(Base):
    __tablename__ = "subdistrict"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    district_code: Mapped[str] = mapped_column(String(6))
    district_name: Mapped[str] = mapped_column(String(40))
    city_name: Mapped[str] = mapped_column(String(40))


class Community(Base):
    __tablename__ = "community"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    subdistrict_code: Mapped[str] = mapped_column(ForeignKey("subdistrict.code"))
    name: Mapped[str] = mapped_column(String(60))
    short_name: Mapped[str] = mapped_column(String(20))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Household(Base, TimestampMixin):
    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    address: Mapped[str] = mapped_column(String(120))
    hardship: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    hardship_reason: Mapped[str | None] = mapped_column(EncryptedText())

    members: Mapped[list[Resident]] = relationship(back_populates="household", order_by="Resident.id")


class Resident(Base, TimestampMixin):
    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    relation: Mapped[Relation] = mapped_column(_enum(Relation))
    id_number: Mapped[str] = mapped_column(EncryptedString(200))
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(40), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedString(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    hukou_province: Mapped[str] = mapped_column(String(2))
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    education: Mapped[str | None] = mapped_column(String(20))

    work_capacity: Mapped[WorkCapacity] = mapped_column(_enum(WorkCapacity), default=WorkCapacity.full)
    limits: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """Highest level per functional domain (see estation.physical); all 4 for full capacity."""
    max_hours_per_day: Mapped[float] = mapped_column(Float, default=8.0)
    # Health and disability are special-category data: encrypted like the id number (never filtered in SQL).
    health_note: Mapped[str | None] = mapped_column(EncryptedText())
    disability_category: Mapped[str | None] = mapped_column(EncryptedString(200))
    disability_grade: Mapped[int | None] = mapped_column(EncryptedInteger(200))

    employment_status: Mapped[EmploymentStatus] = mapped_column(_enum(EmploymentStatus), index=True)
    skills: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    wishes: Mapped[str] = mapped_column(Text, default="")
    occupation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_hours_per_day: Mapped[float | None] = mapped_column(Float)
    preferred_days_per_week: Mapped[int | None] = mapped_column(Integer)
    max_travel_km: Mapped[float] = mapped_column(Float, default=3.0)
    home_based_only: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_to_employers: Mapped[bool] = mapped_column(Boolean, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(200))

    household: Mapped[Household] = relationship(back_populates="members")
    status_history: Mapped[list[EmploymentRecord]] = relationship(
        back_populates="resident", order_by="EmploymentRecord.start_date", cascade="all, delete-orphan"
    )
    insurance_periods: Mapped[list[InsurancePeriod]] = relationship(
        back_populates="resident",
        order_by="(InsurancePeriod.scheme, InsurancePeriod.start_month)",
        cascade="all, delete-orphan",
    )


class EmploymentRecord(Base):
    """One spell of an employment status; the open spell (no end) is the current status."""

    __tablename__ = "employment_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    status: Mapped[EmploymentStatus] = mapped_column(_enum(EmploymentStatus))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    employer_name: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(200))

    resident: Mapped[Resident] = relationship(back_populates="status_history")


class InsurancePeriod(Base):
    """A run of monthly contributions to one scheme in one province; months are stored as day 1."""

    __tablename__ = "insurance_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[Scheme] = mapped_column(_enum(Scheme))
    province: Mapped[str] = mapped_column(String(2))
    start_month: Mapped[date] = mapped_column(Date)
    end_month: Mapped[date] = mapped_column(Date)
    monthly_wage_base: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payer: Mapped[Payer] = mapped_column(_enum(Payer))
    employer_name: Mapped[str | None] = mapped_column(String(120))
    temporary_account: Mapped[bool] = mapped_column(Boolean, default=False)

    resident: Mapped[Resident] = relationship(back_populates="insurance_periods")

    @property
    def months(self) -> int:
        return (self.end_month.year - self.start_month.year) * 12 + self.end_month.month - self.start_month.month + 1

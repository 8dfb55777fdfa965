"""Residents, households and their labour-security records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, UTCDateTime, utcnow
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedDate, EncryptedInteger, EncryptedString, EncryptedText

if TYPE_CHECKING:
    from estation.accounts.models import User


class Sex(Labelled):
    male = "male", "男"
    female = "female", "女"


class WorkCapacity(Labelled):
    full = "full", "完全劳动能力"
    partial = "partial", "部分劳动能力"
    none = "none", "丧失劳动能力"


class EmploymentStatus(Labelled):
    employed = "employed", "就业"
    registered_unemployed = "registered_unemployed", "登记失业"
    flexible = "flexible", "灵活就业"
    retired = "retired", "退休"
    student = "student", "学生"
    out_of_labour_force = "out_of_labour_force", "非劳动力"


class Registration(Labelled):
    """How a resident looking for work is registered at the counter."""

    job_seeking = "job_seeking", "求职登记"
    unemployment = "unemployment", "失业登记"


class Relation(Labelled):
    head = "head", "户主"
    spouse = "spouse", "配偶"
    child = "child", "子女"
    parent = "parent", "父母"
    grandchild = "grandchild", "孙子女"
    sibling = "sibling", "兄弟姐妹"
    other = "other", "其他"


class Scheme(Labelled):
    pension = "pension", "养老保险"
    medical = "medical", "医疗保险"
    unemployment = "unemployment", "失业保险"
    work_injury = "work_injury", "工伤保险"


class Payer(Labelled):
    employer = "employer", "单位"
    individual = "individual", "个人"


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
    sex: Mapped[Sex] = mapped_column(_enum(Sex, length=6))
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

    # 就业困难人员 recognition is hardship data: encrypted like health.
    difficulty_category: Mapped[str | None] = mapped_column(EncryptedString(200))
    difficulty_recognised_on: Mapped[date | None] = mapped_column(EncryptedDate(200))

    employment_status: Mapped[EmploymentStatus] = mapped_column(_enum(EmploymentStatus), index=True)
    registration: Mapped[Registration | None] = mapped_column(_enum(Registration))
    registered_on: Mapped[date | None] = mapped_column(Date)
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
    community: Mapped[Community] = relationship(viewonly=True)
    status_history: Mapped[list[EmploymentRecord]] = relationship(
        back_populates="resident", order_by="EmploymentRecord.start_date", cascade="all, delete-orphan"
    )
    changes: Mapped[list[ResidentChange]] = relationship(
        back_populates="resident", order_by="ResidentChange.id.desc()", cascade="all, delete-orphan"
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


class ResidentChange(Base):
    """One change to a resident's record: who made it, when, why and which fields (never their values,
    some of which are health and hardship data). Rows are only ever inserted."""

    __tablename__ = "resident_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    resident: Mapped[Resident] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship(viewonly=True)

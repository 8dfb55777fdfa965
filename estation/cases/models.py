"""Counter cases (one per service a resident asks for) and the service catalogue they follow."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, utcnow
from estation.db import enum_column as _enum


class CaseStatus(str, enum.Enum):
    awaiting_documents = "awaiting_documents"
    accepted = "accepted"
    in_review = "in_review"
    completed = "completed"
    refused = "refused"


class ServiceType(Base, TimestampMixin):
    """One entry of the service catalogue: everything a resident must bring, told once."""

    __tablename__ = "service_type"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    time_limit_working_days: Mapped[int] = mapped_column(Integer)


class Case(Base, TimestampMixin):
    __tablename__ = "counter_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service_type.code"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), index=True)
    window: Mapped[int | None] = mapped_column(Integer)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    documents: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    """Each catalogue document of the service and whether it was handed in."""
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )


class CaseEvent(Base):
    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("counter_case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")

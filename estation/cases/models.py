"""Counter cases (one per service a resident asks for) and the service catalogue they follow."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.accounts.models import User
from estation.db import Base, TimestampMixin, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled


class CaseStatus(Labelled):
    awaiting_documents = "awaiting_documents", "待补材料"
    accepted = "accepted", "已受理"
    in_review = "in_review", "审核中"
    completed = "completed", "已办结"
    refused = "refused", "不予办理"


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


OPEN_STATUSES = (CaseStatus.awaiting_documents, CaseStatus.accepted, CaseStatus.in_review)
QUERY_CODE_PATTERN = r"\d{8}"
"""A case's query code: eight digits."""


def new_query_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


class Case(Base, TimestampMixin):
    __tablename__ = "counter_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    """DL + date + a running number: told over the counter, so it is guessable."""
    query_code: Mapped[str] = mapped_column(String(8), default=new_query_code)
    """Eight random digits printed on the receipt and the slip: with the reference, what lets anyone
    holding the paper (and only them) look the case up at a kiosk without signing in."""
    service_code: Mapped[str] = mapped_column(ForeignKey("service_type.code"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus), index=True)
    window: Mapped[int | None] = mapped_column(Integer)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    """The day the documents were complete: the time limit runs from here."""
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    due_on_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when the official holiday calendar did not cover the period and weekdays were counted."""
    documents: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    """Each required document of the checklist and whether it was handed in."""
    slip_documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The tell-once slip: everything missing at the first contact. Never grows afterwards."""
    slip_issued_on: Mapped[date | None] = mapped_column(Date)
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
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    window: Mapped[int | None] = mapped_column(Integer)
    """The counter window the step was done at (the user's window then; none for an admin or the system)."""
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="events")
    by_user: Mapped[User | None] = relationship()

    @classmethod
    def step(cls, status: CaseStatus, user: User | None, note: str) -> CaseEvent:
        """One step of the case's history: what, by whom, at which window."""
        return cls(status=status, by_user_id=user.id if user else None, window=user.window if user else None,
                   note=note)


class ContributionSetting(Base, TimestampMixin):
    """The figures for flexible workers' continued contribution in one year (set by the province)."""

    __tablename__ = "contribution_setting"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(2), default="37")
    average_monthly_wage: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lower_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.60"))
    upper_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("3.00"))
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.20"))


class HolidaySchedule(Base, TimestampMixin):
    """One year's official holiday schedule (国务院办公厅关于××年部分节假日安排的通知), entered by an
    admin when it is published: public holidays that fall on weekdays and the weekend days worked
    instead (调休上班). For an entered year this is the whole truth; counter time limits count by it."""

    __tablename__ = "holiday_schedule"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    """ISO dates off work, weekends included where the notice lists them."""
    workdays: Mapped[list[str]] = mapped_column(JSON, default=list)
    """ISO dates of weekend days worked."""
    source: Mapped[str] = mapped_column(String(200))
    entered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

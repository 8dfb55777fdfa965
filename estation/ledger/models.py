"""Cadre pairings and the household problem ledger (台账)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, utcnow
from estation.db import enum_column as _enum


class LedgerCategory(str, enum.Enum):
    employment = "employment"
    assistance = "assistance"
    health = "health"
    elderly_care = "elderly_care"
    housing = "housing"
    other = "other"


class LedgerStatus(str, enum.Enum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    confirmed = "confirmed"
    closed = "closed"


class ActionKind(str, enum.Enum):
    home_visit = "home_visit"
    call = "call"
    referral = "referral"
    job_referral = "job_referral"
    return_visit = "return_visit"


class HouseholdPairing(Base):
    """A cadre paired with a hardship household from start to end; reassignment ends one, opens another."""

    __tablename__ = "household_pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class CommunityAssignment(Base):
    """A leader holding a community (meetings each quarter, 10 household visits)."""

    __tablename__ = "community_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class LedgerItem(Base, TimestampMixin):
    __tablename__ = "ledger_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    category: Mapped[LedgerCategory] = mapped_column(_enum(LedgerCategory))
    problem: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date] = mapped_column(Date)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[LedgerStatus] = mapped_column(_enum(LedgerStatus), default=LedgerStatus.open, index=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)

    actions: Mapped[list[LedgerAction]] = relationship(
        back_populates="item", order_by="LedgerAction.id", cascade="all, delete-orphan"
    )


class LedgerAction(Base):
    __tablename__ = "ledger_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    on: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[LedgerItem] = relationship(back_populates="actions")

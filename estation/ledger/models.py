"""Cadre pairings and the household problem ledger (台账)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, TimestampMixin, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedText


class LedgerCategory(Labelled):
    employment = "employment", "就业"
    assistance = "assistance", "困难救助"
    health = "health", "医疗健康"
    elderly_care = "elderly_care", "养老"
    housing = "housing", "住房"
    other = "other", "其他"


class LedgerStatus(Labelled):
    open = "open", "待办"
    in_progress = "in_progress", "办理中"
    resolved = "resolved", "已解决"
    confirmed = "confirmed", "回访确认"
    closed = "closed", "已销号"


class ActionKind(Labelled):
    home_visit = "home_visit", "入户走访"
    call = "call", "电话联系"
    referral = "referral", "转介办理"
    job_referral = "job_referral", "推荐岗位"
    return_visit = "return_visit", "回访"
    placement = "placement", "上岗"
    """The referred person started the job; a placement (estation.jobs) with its 1-, 3- and 6-month follow-ups."""
    follow_up = "follow_up", "上岗跟踪"
    """The answer to a placement follow-up: is the person still in the job?"""


class HouseholdPairing(Base):
    """A cadre paired with a hardship household from start to end; reassignment ends one, opens another."""

    __tablename__ = "household_pairing"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))


class CommunityAssignment(Base):
    """A leader holding a community (meetings each quarter, 10 household visits)."""

    __tablename__ = "community_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class CommunityMeeting(Base, TimestampMixin):
    """The quarterly meeting (座谈会) a leader holds in the community they hold."""

    __tablename__ = "community_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("community.code"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")


class LedgerItem(Base, TimestampMixin):
    __tablename__ = "ledger_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    category: Mapped[LedgerCategory] = mapped_column(_enum(LedgerCategory))
    # Every ledger text is encrypted, not only the items marked sensitive: a status change quotes the
    # note that caused it, and one rule for the whole ledger leaves nothing to slip between.
    problem: Mapped[str] = mapped_column(EncryptedText())
    raised_on: Mapped[date] = mapped_column(Date)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[LedgerStatus] = mapped_column(_enum(LedgerStatus), default=LedgerStatus.open, index=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    """Set once when the item first ran past its due date unresolved."""
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    """The leader holding the household's community on that day."""

    actions: Mapped[list[LedgerAction]] = relationship(
        back_populates="item", order_by="(LedgerAction.on, LedgerAction.id)", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[LedgerStatusChange]] = relationship(
        back_populates="item", order_by="LedgerStatusChange.id", cascade="all, delete-orphan"
    )


class LedgerAction(Base):
    """Something done for a household: on one problem (item) or a general contact such as a visit."""

    __tablename__ = "ledger_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_item.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    on: Mapped[date] = mapped_column(Date, index=True)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    note: Mapped[str] = mapped_column(EncryptedText(), default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"))
    """For job referrals and placements: the vacancy the person was sent to."""
    outcome_ok: Mapped[bool | None] = mapped_column(Boolean)
    """Return visit: the problem stayed solved; follow-up: still in the job."""
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[LedgerItem | None] = relationship(back_populates="actions")


class LedgerStatusChange(Base):
    """Every status move of an item, reopenings included: nothing in a ledger is ever overwritten."""

    __tablename__ = "ledger_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[LedgerStatus | None] = mapped_column(_enum(LedgerStatus))
    to_status: Mapped[LedgerStatus] = mapped_column(_enum(LedgerStatus))
    on: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(EncryptedText(), default="")
    action_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_action.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[LedgerItem] = relationship(back_populates="status_changes")


class PolicyRuleRow(Base, TimestampMixin):
    """One policy-reminder rule as an admin keeps it (estation.ledger.rules.PolicyRule without its code).
    Once any rule is saved here, these rows are the rules in force; before that, the configured file or
    the built-in ones."""

    __tablename__ = "policy_rule"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ReminderOutcome(Labelled):
    done = "done", "已享受"
    not_applicable = "not_applicable", "不适用"


class ReminderMark(Base):
    """A cadre's answer to one policy reminder (a rule for a member): the policy is received, or it does
    not apply. Rows are only added; the latest for a member and rule is the answer."""

    __tablename__ = "reminder_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[ReminderOutcome] = mapped_column(_enum(ReminderOutcome))
    on: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(EncryptedText(), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

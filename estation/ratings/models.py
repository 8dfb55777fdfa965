"""Residents' ratings of a service (好差评): of a counter case or of a kiosk session, and the follow-up
items a poor rating opens for a supervisor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from estation.db import Base, UTCDateTime, utcnow
from estation.db import enum_column as _enum
from estation.labels import Labelled


class Satisfaction(Labelled):
    very_satisfied = "very_satisfied", "非常满意"
    satisfied = "satisfied", "满意"
    fair = "fair", "基本满意"
    dissatisfied = "dissatisfied", "不满意"
    very_dissatisfied = "very_dissatisfied", "非常不满意"


SATISFIED = frozenset({Satisfaction.very_satisfied, Satisfaction.satisfied, Satisfaction.fair})
"""What the satisfaction rate counts as satisfied (the 好差评 convention: 基本满意 and better)."""
POOR = frozenset({Satisfaction.dissatisfied, Satisfaction.very_dissatisfied})
"""A rating that opens a follow-up item (差评)."""


class RatingChannel(Labelled):
    counter = "counter", "窗口评价"
    kiosk = "kiosk", "自助终端"


class FollowUpStatus(Labelled):
    open = "open", "待处理"
    in_progress = "in_progress", "处理中"
    closed = "closed", "已办结"


class Rating(Base):
    """One rating: of a case (``case_id``, once per case) or of a kiosk session (``kiosk_session``, once per
    session). ``window`` and ``service_code`` are copied from the case when it is rated, as the report counts."""

    __tablename__ = "service_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("counter_case.id"), unique=True)
    kiosk_session: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The ended kiosk session's key (the hash its token was kept under; the token itself is gone)."""
    level: Mapped[Satisfaction] = mapped_column(_enum(Satisfaction))
    reason: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[RatingChannel] = mapped_column(_enum(RatingChannel))
    window: Mapped[int | None] = mapped_column(Integer)
    service_code: Mapped[str | None] = mapped_column(ForeignKey("service_type.code"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class RatingFollowUp(Base):
    """A poor rating's item for a supervisor: what was done, step by step, until it is closed."""

    __tablename__ = "rating_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("service_rating.id"), unique=True)
    status: Mapped[FollowUpStatus] = mapped_column(_enum(FollowUpStatus), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rating: Mapped[Rating] = relationship()
    steps: Mapped[list[RatingFollowUpStep]] = relationship(order_by="RatingFollowUpStep.id",
                                                           cascade="all, delete-orphan")


class RatingFollowUpStep(Base):
    __tablename__ = "rating_follow_up_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("rating_follow_up.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[FollowUpStatus] = mapped_column(_enum(FollowUpStatus))
    note: Mapped[str] = mapped_column(Text)

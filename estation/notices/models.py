"""Notices the street publishes to residents (通知公告): on the kiosk's attract screen, the phone page and,
for residents who agreed, as alerts (SMS / WeChat template messages)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, TimestampMixin, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled


class NoticeKind(Labelled):
    news = "news", "街道动态"
    job_fair = "job_fair", "招聘会"
    policy = "policy", "政策变化"


class NoticeAudience(Labelled):
    everyone = "everyone", "全体居民"
    community = "community", "一个社区的居民"
    job_seekers = "job_seekers", "求职人员"
    """Residents registered at the counter as looking for work (求职登记 or 失业登记)."""


class NoticeState(Labelled):
    """Where a notice stands on a day (read from its dates and withdrawal, never stored)."""

    scheduled = "scheduled", "未开始"
    in_force = "in_force", "发布中"
    expired = "expired", "已过期"
    withdrawn = "withdrawn", "已撤下"


class Notice(Base, TimestampMixin):
    """In force from ``valid_from`` to ``valid_until`` (Beijing dates, both included) unless withdrawn."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind))
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[NoticeAudience] = mapped_column(_enum(NoticeAudience))
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"), index=True)
    """The one community addressed (audience ``community``), else None."""
    valid_from: Mapped[date] = mapped_column(Date, index=True)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When it was sent as an alert to the residents in its audience who agreed (once)."""

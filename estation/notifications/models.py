"""Messages inside the platform for residents, employers and staff, one row per audience."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled


class Audience(Labelled):
    resident = "resident", "居民"
    employer = "employer", "用人单位"
    staff = "staff", "服务大厅工作人员"
    """The service hall's shared inbox: every counter staff member and admin sees it."""


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    """What happened: ``employer.registered``, ``application.status``, ``invitation.new``, ..."""
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(500), default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

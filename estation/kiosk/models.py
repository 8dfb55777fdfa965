"""What the kiosk itself keeps: the log of every slip it printed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, utcnow, UTCDateTime


class KioskPrint(Base):
    """One printed slip. The reference is printed on it, so a slip in hand can be traced to this row."""

    __tablename__ = "kiosk_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    """``vacancy`` (a job slip) or ``service`` (a 办事指南 page)."""
    subject: Mapped[str] = mapped_column(String(40))
    """The vacancy id or the service code printed."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    terminal: Mapped[str] = mapped_column(String(40), default="")

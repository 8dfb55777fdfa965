"""Suggestions and complaints residents leave (at the kiosk or elsewhere) and the staff's answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, TimestampMixin, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled


class SuggestionKind(Labelled):
    suggestion = "suggestion", "建议"
    complaint = "complaint", "投诉"
    praise = "praise", "表扬"
    startup = "startup", "创业咨询"


class SuggestionStatus(Labelled):
    open = "open", "等待答复"
    answered = "answered", "已答复"


class Suggestion(Base, TimestampMixin):
    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[SuggestionKind] = mapped_column(_enum(SuggestionKind))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20), default="kiosk")
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    """Set when a signed-in resident left it, so they can read the answer next time."""
    startup_id: Mapped[int | None] = mapped_column(ForeignKey("startup_opportunity.id"), index=True)
    """For a question about a start-up opportunity (kind ``startup``, asked at the kiosk): which one."""
    status: Mapped[SuggestionStatus] = mapped_column(_enum(SuggestionStatus), default=SuggestionStatus.open,
                                                     index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Suggestions and complaints residents leave (at the kiosk or elsewhere) and the staff's answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
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


class SuggestionTopic(Labelled):
    """What an answered suggestion is about, chosen by the staff member answering it; the public page
    groups by it."""

    jobs = "jobs", "就业岗位"
    insurance = "insurance", "社保养老"
    counter = "counter", "窗口服务"
    kiosk = "kiosk", "自助终端"
    startup = "startup", "创业扶持"
    community = "community", "社区环境"
    other = "other", "其他"


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
    public_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    """The resident agreed, when writing it, that the question and answer may be shown in public (masked)."""
    topic: Mapped[SuggestionTopic | None] = mapped_column(_enum(SuggestionTopic))
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    """Shown on the public page: only with the resident's consent and the answering staff's choice."""
    public_text: Mapped[str | None] = mapped_column(Text)
    public_answer: Mapped[str | None] = mapped_column(Text)
    """The masked copies the public page reads (names, id numbers and phone numbers taken out when it was
    answered); the public page never reads ``text`` or ``answer``."""

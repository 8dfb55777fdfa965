"""Messages inside the platform for residents, employers and staff, one row per audience."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled
from estation.privacy import EncryptedString


class Audience(Labelled):
    resident = "resident", "居民"
    employer = "employer", "用人单位"
    staff = "staff", "服务大厅工作人员"
    """The service hall's shared inbox: every counter staff member and admin sees it."""
    user = "user", "工作人员本人"
    """One staff member's own inbox (``user_id``): e.g. a cadre's new matches for their households."""


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    """The staff member of an ``Audience.user`` notification."""
    kind: Mapped[str] = mapped_column(String(40))
    """What happened: ``employer.registered``, ``application.status``, ``invitation.new``, ..."""
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(500), default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Channel(Labelled):
    """How a resident's alerts leave the platform; both go through the one adapter (notifier.Notifier)."""
    sms = "sms", "短信"
    wechat = "wechat", "微信服务通知"


class AlertConsent(Base):
    """A resident's agreement to get alerts outside the platform: one row per resident, on one channel,
    for the topics ticked. Withdrawing keeps the row with ``withdrawn_at`` (nothing is sent from then on)."""

    __tablename__ = "alert_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), unique=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    wechat_openid: Mapped[str | None] = mapped_column(EncryptedString(200))
    """The resident's WeChat address for template messages (channel wechat); SMS goes to their phone."""
    application_steps: Mapped[bool] = mapped_column(Boolean, default=True)
    """Invitations and each step of their applications."""
    job_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    """New matching jobs, once a day."""
    notices: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The street's notices (通知公告) addressed to them, when staff push one."""
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobDigest(Base):
    """A daily digest of new matching jobs (estation.matching.digest): one row per resident, or per cadre,
    per Beijing day, whatever it found. The row is the claim on the day: ``(resident_id, day)`` and
    ``(user_id, day)`` are unique, so two server processes, or a cron run beside the server's worker,
    write one digest between them."""

    __tablename__ = "job_digest"
    __table_args__ = (UniqueConstraint("resident_id", "day"), UniqueConstraint("user_id", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    """The Beijing day the digest is for."""
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    """A resident's own digest (they opted in to the daily jobs) ..."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    """... or a cadre's summary of new matches for the hardship households paired with them."""
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    """Vacancies published from this moment (the previous digest's run) were looked at."""
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    vacancy_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    """The vacancies the digest named, in its order; empty when nothing new matched (nothing was sent)."""
    household_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    """A cadre's summary: the households with new matches, linked from the cadre's inbox."""
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))


class WeChatBinding(Base):
    """A resident tying their WeChat to their alerts: the kiosk shows a QR code of a one-time code (kept
    here only as its hash, good for BINDING_MINUTES), the resident scans it, WeChat says who they are
    (their openid for the street's official account) and the row keeps it. The resident's WeChat address
    is that of their latest bound row; withdrawing from alerts empties it."""

    __tablename__ = "wechat_binding"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    openid: Mapped[str | None] = mapped_column(EncryptedString(200))
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

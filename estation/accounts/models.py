"""Users, roles and the append-only record-access log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from estation.db import Base, TimestampMixin, utcnow, UTCDateTime
from estation.db import enum_column as _enum
from estation.labels import Labelled


class Role(Labelled):
    resident = "resident", "居民"
    counter_staff = "counter_staff", "窗口工作人员"
    community_staff = "community_staff", "社区工作人员"
    cadre = "cadre", "包户干部"
    leader = "leader", "联居领导"
    employer = "employer", "用人单位"
    admin = "admin", "管理员"


class User(Base, TimestampMixin):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    community_code: Mapped[str | None] = mapped_column(ForeignKey("community.code"))
    """For community staff: the one community whose residents they may see."""
    window: Mapped[int | None] = mapped_column(Integer)
    """For counter staff: the window number in the service hall."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)


SYSTEM_ACTOR = "system"
"""``AccessLog.role`` of a row written with no signed-in person: a command run on the server (``estation match``)
or a scheduled job; its reason says what ran. Rows written before this had a name say "anonymous" and mean
the same (``SYSTEM_ROLES``); the log is only ever inserted into, so they stay as written."""
SYSTEM_ROLES = frozenset({SYSTEM_ACTOR, "anonymous"})


class AccessLog(Base):
    """Every read of a resident's personal record. Rows are only ever inserted."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(32))
    """The writer's ``Role`` value, or ``SYSTEM_ACTOR`` when no signed-in person wrote the row."""
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    what: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(200))


class AuthSession(Base):
    """A signed-in session kept on the server, so ending it (logout, kiosk timeout) really ends it."""

    __tablename__ = "auth_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kiosk: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInAttempt(Base):
    """Every sign-in attempt, kept to slow down guessing and to answer who signed in when."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    """Username, or the keyed hash of an id number: never an id number in clear."""
    method: Mapped[str] = mapped_column(String(20))
    success: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class SignInThrottle(Base):
    """How many sign-in attempts one account or one client address has made lately, and until when it waits.

    Counted before the secret is checked, under this row's lock (estation.accounts.throttle): parallel
    guesses queue on the row instead of all reading "no failures yet".
    """

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    """``login:<username or id-number hash>`` or ``address:<client address>``."""
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Sign-in, server-side sessions, throttling and the record-access log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from estation.accounts import throttle
from estation.accounts.models import SYSTEM_ACTOR, AccessLog, AuthSession, Role, SignInAttempt, User
from estation.accounts.passwords import verify_password
from estation.db import utcnow


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: idle (a kiosk's is short, the screen is shared) and in all (from sign-in)."""

    kiosk_idle: timedelta
    idle: timedelta
    lifetime: timedelta


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record_attempt(session: Session, *, login: str, method: str, user: User | None, success: bool) -> None:
    session.add(
        SignInAttempt(login=login, method=method, success=success, user_id=user.id if user else None)
    )


def authenticate_password(session: Session, *, username: str, password: str, address: str) -> User | None:
    """The user, or None after recording the failure (the caller commits it). ``TooManyAttempts`` when the
    account or the client ``address`` must wait; the attempt is counted before the password is checked."""
    attempt = throttle.reserve(session, login=username, address=address)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    ok = verify_password(user.password_hash if user else None, password) and user is not None
    record_attempt(session, login=username, method="password", user=user if ok else None, success=ok)
    throttle.settle(session, attempt=attempt, success=ok)
    return user if ok else None


def start_session(session: Session, *, user: User, kiosk: bool = False) -> tuple[str, AuthSession]:
    token = secrets.token_urlsafe(32)
    row = AuthSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24), kiosk=kiosk)
    session.add(row)
    session.flush()
    return token, row


STAMP_SHARE = 10
"""A session's "last seen" is written once it is a tenth of its idle limit old (9 s at a kiosk, 3 minutes for
staff), not on every request: most requests then only read. The idle limit is counted from that stamp, so a
session unused for nine tenths of its limit may end up to a tenth early, never late."""


def session_row(session: Session, *, token: str) -> AuthSession | None:
    return session.get(AuthSession, _token_hash(token))


def _idle_limit(row: AuthSession, limits: SessionLimits) -> timedelta:
    return limits.kiosk_idle if row.kiosk else limits.idle


def _stamp_due(row: AuthSession, now: datetime, limits: SessionLimits) -> bool:
    return now - row.last_seen_at >= _idle_limit(row, limits) / STAMP_SHARE


def needs_writing(row: AuthSession, *, limits: SessionLimits) -> bool:
    """Whether resolving ``row`` now writes: it has expired (removed) or its stamp is due."""
    now = utcnow()
    return _stamp_due(row, now, limits) or now - row.created_at > limits.lifetime


def active_user(session: Session, row: AuthSession) -> User | None:
    """The user of a sign-in session, None when gone or disabled."""
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def resolve_session(session: Session, *, token: str, limits: SessionLimits) -> tuple[User, AuthSession] | None:
    row = session.get(AuthSession, _token_hash(token))
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > _idle_limit(row, limits) or now - row.created_at > limits.lifetime:
        session.delete(row)
        session.flush()
        return None
    user = active_user(session, row)
    if user is None:
        return None
    if _stamp_due(row, now, limits):
        row.last_seen_at = now
    return user, row


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


def end_user_sessions(session: Session, *, user: User, keep_token: str | None = None) -> None:
    """Sign the user out everywhere (but for the session of ``keep_token``): after disabling, a new password."""
    stmt = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token is not None:
        stmt = stmt.where(AuthSession.token_hash != _token_hash(keep_token))
    session.execute(stmt)


def log_access(
    session: Session, *, user: User | None, resident_id: int | None, action: str, what: str, reason: str
) -> None:
    """One row of the access log. ``user`` None: no signed-in person (a command on the server, a scheduled
    job); the row is the system's (``SYSTEM_ACTOR``) and ``reason`` says what ran."""
    session.add(
        AccessLog(
            user_id=user.id if user else None,
            role=user.role.value if user else SYSTEM_ACTOR,
            resident_id=resident_id,
            action=action,
            what=what,
            reason=reason,
        )
    )


STAFF_ROLES = frozenset({Role.counter_staff, Role.community_staff, Role.cadre, Role.leader, Role.admin})

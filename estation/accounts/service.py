"""Sign-in, server-side sessions, throttling and the record-access log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from estation.accounts.models import AccessLog, AuthSession, Role, SignInAttempt, User
from estation.accounts.passwords import verify_password
from estation.db import utcnow
from estation.errors import EstationError

FREE_FAILURES = 3
"""Failures allowed before each further try must wait (kiosk practice: slow down after 3)."""
FAILURE_WINDOW = timedelta(minutes=15)


class TooManyAttempts(EstationError):
    status_code = 429


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_throttle(session: Session, *, login: str, now: datetime | None = None) -> None:
    """After FREE_FAILURES recent failures, each further try waits 2^(n-3) * 5 s (at most 5 min)."""
    now = now or utcnow()
    rows = session.execute(
        select(SignInAttempt.at, SignInAttempt.success)
        .where(SignInAttempt.login == login, SignInAttempt.at >= now - FAILURE_WINDOW)
        .order_by(SignInAttempt.at.desc(), SignInAttempt.id.desc())
    ).all()
    failures = []
    for at, success in rows:
        if success:
            break
        failures.append(at)  # UTCDateTime reads back aware, on SQLite too
    if len(failures) < FREE_FAILURES:
        return
    wait = min(300, 5 * 2 ** (len(failures) - FREE_FAILURES))
    ready = failures[0] + timedelta(seconds=wait)
    if now < ready:
        seconds = int((ready - now).total_seconds()) + 1
        raise TooManyAttempts(f"尝试次数过多，请{seconds}秒后再试", field="login")


def record_attempt(session: Session, *, login: str, method: str, user: User | None, success: bool) -> None:
    session.add(
        SignInAttempt(login=login, method=method, success=success, user_id=user.id if user else None)
    )


def authenticate_password(session: Session, *, username: str, password: str) -> User | None:
    """The user, or None after recording the failure (the caller commits it: failures must persist)."""
    check_throttle(session, login=username)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    ok = user is not None and verify_password(user.password_hash, password)
    record_attempt(session, login=username, method="password", user=user if ok else None, success=ok)
    return user if ok else None


def start_session(session: Session, *, user: User, kiosk: bool = False) -> tuple[str, AuthSession]:
    token = secrets.token_urlsafe(32)
    row = AuthSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24), kiosk=kiosk)
    session.add(row)
    session.flush()
    return token, row


def resolve_session(session: Session, *, token: str, idle_limit: timedelta | None) -> tuple[User, AuthSession] | None:
    row = session.get(AuthSession, _token_hash(token))
    if row is None:
        return None
    now = utcnow()
    if idle_limit is not None and row.kiosk and now - row.last_seen_at > idle_limit:
        session.delete(row)
        session.flush()
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_seen_at = now
    return user, row


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


def log_access(
    session: Session, *, user: User | None, resident_id: int | None, action: str, what: str, reason: str
) -> None:
    session.add(
        AccessLog(
            user_id=user.id if user else None,
            role=user.role.value if user else "anonymous",
            resident_id=resident_id,
            action=action,
            what=what,
            reason=reason,
        )
    )


STAFF_ROLES = frozenset({Role.counter_staff, Role.community_staff, Role.cadre, Role.leader, Role.admin})

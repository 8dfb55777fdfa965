"""Slowing down sign-in guessing: every attempt is counted, atomically, before the secret is checked.

Each attempt first takes the lock on two counter rows, its account's and its client address's, counts
itself as a failure, and commits that in a short transaction of its own; only then is the password or PIN
checked (argon2, slow on purpose), and a success takes its count back. Parallel guesses therefore queue on
the row and each sees the ones before it: however many arrive at once, only ``free`` of them are checked
before the account waits. The lock is the row's (PostgreSQL) or the database's (SQLite): the first
statement of the transaction is a write, so SQLite's busy timeout queues it instead of failing.

Public forms that anyone may send without signing in (a volunteer application from a phone) are counted
the same way per client address: every sending counts, and after ``SENDINGS.free`` in an hour the address
waits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.orm import Session

from estation.accounts.models import SignInThrottle
from estation.db import insert_or_merge, utcnow
from estation.errors import EstationError

WINDOW = timedelta(hours=1)
"""A run of failures is forgotten this long after it began (an account's also at its next success)."""
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Limit:
    prefix: str
    free: int
    """Failures allowed before each further try must wait FIRST_WAIT, doubling up to LONGEST_WAIT."""
    message: str


ACCOUNT = Limit("login", 3, "密码连续输错次数过多，为保护您的账户，请{wait}后再试")
ADDRESS = Limit("address", 30, "这台设备尝试登录的次数过多，请{wait}后再试")
SENDINGS = Limit("sent", 10, "这台设备提交的次数过多，请{wait}后再试")


class TooManyAttempts(EstationError):
    status_code = 429


def _wait_words(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分钟"


def _lock_row(session: Session, key: str, now: datetime) -> SignInThrottle:
    """The counter row for ``key``, locked for this transaction (created at zero when new).

    One statement that creates the row or, when it is there, writes it unchanged: either way this
    transaction now holds its lock (PostgreSQL's row lock, SQLite's write lock), so the read that follows
    is never stale, and parallel first attempts never race to create it.
    """
    upsert = insert_or_merge(session, SignInThrottle).values(key=key, failures=0, window_started_at=now)
    session.execute(upsert.on_conflict_do_update(index_elements=[SignInThrottle.key],
                                                 set_={"failures": SignInThrottle.failures}))
    row = session.get(SignInThrottle, key, populate_existing=True)
    assert row is not None  # written just above, in this transaction
    return row


@dataclass(frozen=True)
class Attempt:
    """One counted attempt, to be settled once the secret has been checked."""

    login: str
    address: str


def reserve(session: Session, *, login: str, address: str, now: datetime | None = None) -> Attempt:
    """Count one attempt for the account and the address, committed before anything is verified.

    Raises ``TooManyAttempts`` (with how long to wait, in Chinese) when either must wait; then nothing is
    counted. Runs in its own transaction on the session's connection source, so call it before the
    request's own unit of work has written anything (on SQLite it would otherwise wait for itself).
    """
    now = now or utcnow()
    with Session(bind=session.get_bind()) as own, own.begin():
        for limit, value in ((ACCOUNT, login), (ADDRESS, address)):  # always this order: no lock cycles
            _count(own, limit, value, now, field="login")
    return Attempt(login=login, address=address)


def count_sending(session: Session, *, form: str, address: str, now: datetime | None = None) -> None:
    """Count one sending of the public form ``form`` from ``address``, committed before the form is read.

    Raises ``TooManyAttempts`` when the address must wait. Like :func:`reserve`, call it before the request's
    own unit of work has written anything (a route lists it before ``SubmittedOnce``, whose claim writes).
    """
    with Session(bind=session.get_bind()) as own, own.begin():
        _count(own, SENDINGS, f"{form}:{address}", now or utcnow(), field="")


def _count(own: Session, limit: Limit, value: str, now: datetime, *, field: str) -> None:
    row = _lock_row(own, f"{limit.prefix}:{value}", now)
    if row.locked_until is not None and row.locked_until > now:
        raise TooManyAttempts(limit.message.format(wait=_wait_words(row.locked_until - now)), field=field or None)
    if now - row.window_started_at >= WINDOW:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= limit.free:
        doublings = min(row.failures - limit.free, 10)
        row.locked_until = now + min(LONGEST_WAIT, FIRST_WAIT * 2**doublings)


def settle(session: Session, *, attempt: Attempt, success: bool) -> None:
    """After the check: a failure stays counted; a success clears its account and takes back its address count.

    Written in the caller's unit of work (a success that is rolled back stays counted as a failure), as
    single statements, so a count another attempt makes meanwhile is never overwritten.
    """
    if not success:
        return
    forget(session, login=attempt.login)
    remaining = SignInThrottle.failures - 1
    session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == f"{ADDRESS.prefix}:{attempt.address}", SignInThrottle.failures > 0)
        .values(failures=remaining,
                locked_until=case((remaining < ADDRESS.free, None), else_=SignInThrottle.locked_until))
        .execution_options(synchronize_session=False)
    )


def forget(session: Session, *, login: str) -> None:
    """The account's failures are over (it signed in, or staff set a new PIN after checking the id card)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == f"{ACCOUNT.prefix}:{login}"))

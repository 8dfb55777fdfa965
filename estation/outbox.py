"""The outbox: side effects (index writes, notifications) recorded in the user's transaction.

A row is written in the same transaction as the change it reflects and applied after commit by a
:class:`Worker` (started by the composition root, estation.composition): index rows by
``indexing.sync``, ``notify`` rows by ``estation.notifications.notifier``. A failed apply keeps the row
with its error and is retried, so a search-engine or SMS-gateway fault never fails or loses the user's write.

Every app process runs these workers, so a row is claimed before it is applied, and applied once. On
PostgreSQL a runner selects its rows with ``FOR UPDATE SKIP LOCKED`` (:func:`claim`): another process's
runner skips them until this one commits them done, and a runner that dies (even by SIGKILL) loses its
connection, its claim with it, and the rows are pending again for the next. On SQLite (one machine) one
runner at a time holds a lock file beside the database (:func:`one_runner`) until it has committed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import URL, Integer, Select, String, Text, make_url, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from estation.db import Base, UTCDateTime, utcnow

log = logging.getLogger("estation.outbox")


class OutboxEntry(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    """What to do: ``index.vacancy``, ``index.startup``, ``notify``, ..."""
    entity_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


def enqueue(session: Session, *, topic: str, entity_id: int) -> None:
    session.add(OutboxEntry(topic=topic, entity_id=entity_id))


Rows = TypeVar("Rows", bound=tuple)


def claim(session: Session, stmt: Select[Rows]) -> Select[Rows]:
    """``stmt`` (a select of pending outbox rows, maybe joined) as this runner's claim: on PostgreSQL the
    outbox rows are locked until ``session`` ends and rows another runner holds are skipped. On SQLite
    the statement is unchanged: there the caller holds :func:`one_runner`."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=OutboxEntry)
    return stmt


_HOLD = text("SELECT id FROM unnest(CAST(:ids AS integer[])) AS id "
             "WHERE pg_try_advisory_xact_lock(CAST(:topic AS integer), id)")


def hold_entities(session: Session, topic: str, entity_ids: Sequence[int]) -> set[int]:
    """Of ``entity_ids``, those no other runner is applying now, held by this one until ``session`` ends.

    Two rows of one entity (a vacancy posted, then edited) may be claimed by two runners; each writes the
    entity's state as it read it, and the one that read first could write last. So a runner writes an
    entity only while it holds it (a PostgreSQL advisory lock per topic and id); the rows of an entity
    held elsewhere stay pending for a later round, which reads the newer state. On SQLite every id is
    this runner's (:func:`one_runner`)."""
    if session.get_bind().dialect.name != "postgresql" or not entity_ids:
        return set(entity_ids)
    key = zlib.crc32(topic.encode()) & 0x7FFFFFFF  # the advisory lock's first key: one space per topic
    return set(session.scalars(_HOLD, {"ids": sorted(set(entity_ids)), "topic": key}))


@contextmanager
def one_runner(url: str | URL, name: str, *, wait: float) -> Iterator[bool]:
    """Run the ``name`` rows (``index``, ``notify``) alone on the SQLite database at ``url``: an exclusive
    lock on a file beside it, which every process on that database shares and the system drops with a process
    that dies. Yields False if another runner kept it for ``wait`` seconds (skip this round: that runner
    applies the rows). On PostgreSQL (and SQLite in memory) it always yields True: :func:`claim` does it."""
    url = make_url(url)
    database = url.database if url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield True
        return
    fd = os.open(Path(database).with_name(f"{Path(database).name}.outbox-{name}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + wait
        held = _try_lock(fd)
        while not held and time.monotonic() < deadline:
            time.sleep(0.05)
            held = _try_lock(fd)
        yield held  # held until the caller's commit is done; closing the file releases it
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # each open file is its own lock: threads exclude too
        return True
    except BlockingIOError:
        return False


class Worker:
    """A background thread applying outbox rows: runs ``job`` whenever kicked and every ``interval``
    seconds (which is also how a stopped engine or gateway catches up once it is back). An error is
    logged and the next round retries: the rows it failed on are still pending."""

    def __init__(self, job: Callable[[], object], *, name: str, interval: float) -> None:
        self.job = job
        self.name = name
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.job()
            except Exception:  # the worker must outlive a bad moment of the database, engine or gateway
                log.exception("%s failed", self.name)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

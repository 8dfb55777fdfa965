"""The outbox: side effects (index writes, notifications) recorded in the user's transaction.

A row is written in the same transaction as the change it reflects and applied after commit by a
:class:`Worker` (started by the composition root, estation.composition): index rows by
``indexing.sync``, ``notify`` rows by ``estation.notifications.notifier``. A failed apply keeps the row
with its error and is retried, so a search-engine or SMS-gateway fault never fails or loses the user's write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Integer, String, Text
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

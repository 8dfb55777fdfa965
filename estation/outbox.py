"""The outbox: side effects (index writes, notifications) recorded in the user's transaction.

A row is written in the same transaction as the change it reflects and applied after commit by
``indexing.sync``; a failed apply keeps the row with its error and is retried, so a search-engine fault
never fails or loses the user's write.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from estation.db import Base, UTCDateTime, utcnow


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

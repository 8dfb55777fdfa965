"""The adapter for copies of notifications sent outside the platform (SMS, WeChat service messages),
and their delivery from the outbox.

No real gateway is configured: :class:`DisabledNotifier` (the default) sends nothing, and
:class:`LoggingNotifier` writes each message to the log and keeps it in memory (tests, demos). A real
SMS or WeChat adapter implements :class:`Notifier` and is chosen in :func:`build_notifier`.

Delivery runs in the server process: the composition root (estation.composition) starts a worker that
runs :func:`deliver_pending` every few seconds. A message the gateway refused is tried again later, each
wait twice the one before (30 s, 1 min, 2 min, ...), and given up after :data:`MAX_ATTEMPTS` tries
(the in-platform notification is there either way).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.config import Settings
from estation.db import utcnow
from estation.jobs.models import Employer
from estation.labour.models import Resident
from estation.notifications.models import Audience, Notification
from estation.notifications.service import NOTIFY_TOPIC
from estation.outbox import OutboxEntry
from estation.privacy import mask_phone

log = logging.getLogger("estation.notifications")


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    audience: Audience
    phone: str | None
    """The recipient's phone, resolved at delivery; None for the staff inbox or when unknown."""
    title: str
    body: str


class Notifier(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> bool:
        """True when the message left the platform; False when it was (deliberately) not sent."""
        ...


class DisabledNotifier:
    name = "off"

    def send(self, message: OutgoingMessage) -> bool:
        return False


class LoggingNotifier:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> bool:
        self.sent.append(message)
        log.info("notification %s to %s %s: %s", message.notification_id, message.audience.value,
                 mask_phone(message.phone), message.title)
        return True


def build_notifier(settings: Settings) -> Notifier:
    return LoggingNotifier() if settings.external_notifications == "log" else DisabledNotifier()


def _phone(session: Session, row: Notification) -> str | None:
    if row.audience == Audience.resident and row.resident_id:
        resident = session.get(Resident, row.resident_id)
        return resident.phone if resident else None
    if row.audience == Audience.employer and row.employer_id:
        employer = session.get(Employer, row.employer_id)
        return employer.contact_phone if employer else None
    return None


MAX_ATTEMPTS = 8
"""A message is given up after this many failed tries (the last one about an hour after it was written)."""
FIRST_RETRY = timedelta(seconds=30)


def due_at(entry: OutboxEntry) -> datetime:
    """When ``entry`` may be tried (again): at once, then after 30 s, 1 min, 2 min, ... since the last try."""
    return entry.created_at + FIRST_RETRY * (2 ** entry.attempts - 1)


def deliver_pending(session: Session, notifier: Notifier, *, now: datetime | None = None, limit: int = 200) -> int:
    """Hand the due ``notify`` outbox rows to ``notifier``; returns how many were sent. The caller commits.

    A failing gateway keeps the row with its error for a later try (see :func:`due_at`); after
    :data:`MAX_ATTEMPTS` failures the row is closed with its last error. The in-platform notification
    is already committed either way, so nobody misses a message because SMS is down.
    """
    entries = session.scalars(
        select(OutboxEntry).where(OutboxEntry.topic == NOTIFY_TOPIC, OutboxEntry.done_at.is_(None))
        .order_by(OutboxEntry.attempts, OutboxEntry.id).limit(limit)
    ).all()
    now = now or utcnow()  # after the query: its autoflush may have just written (and stamped) rows
    sent = 0
    for entry in entries:
        if due_at(entry) > now:
            continue
        entry.attempts += 1
        row = session.get(Notification, entry.entity_id)
        try:
            if row is not None and notifier.send(OutgoingMessage(
                notification_id=row.id, audience=row.audience, phone=_phone(session, row), title=row.title,
                body=row.body,
            )):
                sent += 1
        except Exception as exc:  # noqa: BLE001 - one bad message must not block the rest
            entry.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if entry.attempts >= MAX_ATTEMPTS:
                entry.done_at = now
                log.error("notification %s given up after %d tries: %s", entry.entity_id, entry.attempts,
                          entry.last_error)
            else:
                log.warning("notification %s not delivered (try %d): %s", entry.entity_id, entry.attempts,
                            entry.last_error)
            continue
        entry.done_at = now
        entry.last_error = None
    session.flush()
    return sent

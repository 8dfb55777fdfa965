"""The adapter for copies of notifications sent outside the platform (SMS, WeChat template messages),
and their delivery from the outbox.

No real gateway is configured: :class:`DisabledNotifier` (the default) sends nothing; in log mode
:class:`ByChannel` hands SMS (and copies of staff messages) to :class:`LoggingNotifier` and WeChat to
:class:`WeChatNotifier`, which makes a template message of the official account
(estation.notifications.wechat); both write what would be sent to the log (recipient masked) and keep it
in memory (tests, demos). A real SMS gateway implements :class:`Notifier`; the official account's live client
is ``WeChatApi`` (with its AppID and secret set). Both are chosen in :func:`build_notifier`; each message says
its :class:`Channel` and address.

Delivery runs in the server process: the composition root (estation.composition) starts a worker that
runs :func:`deliver_pending` every few seconds. A message the gateway refused is tried again later, each
wait twice the one before (30 s, 1 min, 2 min, ...), and given up after :data:`MAX_ATTEMPTS` tries
(the in-platform notification is there either way).

What leaves the platform for a resident is what they agreed to (:class:`AlertConsent`): nothing without
consent or after withdrawal, only the topics ticked, never during quiet hours (``ESTATION_ALERT_QUIET_HOURS``,
Beijing time: held until they end). No message leaves with an id number or a health or hardship word in it
(:func:`outside_text`): such a message is replaced by a pointer to the in-platform inbox. A notice
(``notice``, estation.notices) is the street's public text and leaves as it was published.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.config import Settings
from estation.db import utcnow
from estation.jobs.models import Employer
from estation.labour.models import Resident
from estation.notifications.models import AlertConsent, Audience, Channel, Notification
from estation.notifications.service import NOTIFY_TOPIC, consent_of
from estation.notifications.wechat import NOTICE_KIND, DisabledWeChat, WeChatAccount, build_wechat, template_message
from estation.outbox import OutboxEntry, claim
from estation.privacy import mask_phone

log = logging.getLogger("estation.notifications")


@dataclass(frozen=True)
class OutgoingMessage:
    notification_id: int
    audience: Audience
    channel: Channel
    to: str | None
    """The recipient's phone (SMS) or WeChat address, resolved at delivery; None for the staff inbox."""
    title: str
    body: str
    kind: str = ""
    """The notification's kind (``notice``, ``jobs.digest``, ...): the WeChat side picks its template by it."""
    link: str | None = None


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
        log.info("notification %s by %s to %s %s: %s %s", message.notification_id, message.channel.value,
                 message.audience.value, mask_phone(message.to), message.title, message.body)
        return True


class WeChatNotifier:
    """The WeChat side: a resident's alert as a template message of the street's official account."""

    name = "wechat"

    def __init__(self, account: WeChatAccount, settings: Settings) -> None:
        self.account = account
        self.settings = settings

    def send(self, message: OutgoingMessage) -> bool:
        if not message.to:
            return False
        return self.account.send_template(template_message(
            self.settings, to=message.to, kind=message.kind, title=message.title, body=message.body, link=message.link))


class ByChannel:
    """Each message to its channel's adapter: SMS (and copies of staff messages) or the WeChat account."""

    name = "by-channel"

    def __init__(self, *, sms: Notifier, wechat: WeChatNotifier) -> None:
        self.sms = sms
        self.wechat = wechat

    def send(self, message: OutgoingMessage) -> bool:
        return (self.wechat if message.channel == Channel.wechat else self.sms).send(message)


def build_notifier(settings: Settings, wechat: WeChatAccount | None = None) -> Notifier:
    """SMS and WeChat (``wechat``: the app's official account, else one built from ``settings``)."""
    sms: Notifier = LoggingNotifier() if settings.external_notifications == "log" else DisabledNotifier()
    wechat = wechat or build_wechat(settings)
    if isinstance(sms, DisabledNotifier) and isinstance(wechat, DisabledWeChat):
        return sms
    return ByChannel(sms=sms, wechat=WeChatNotifier(wechat, settings))


STEP_KINDS = frozenset({"invitation.new", "application.status"})
"""Resident notifications that are steps of their applications (AlertConsent.application_steps)."""
DIGEST_KIND = "jobs.digest"
"""The daily digest of new matching jobs (AlertConsent.job_digest)."""


def _agreed(consent: AlertConsent, kind: str) -> bool:
    if kind == NOTICE_KIND:
        return consent.notices
    return consent.application_steps if kind in STEP_KINDS else consent.job_digest if kind == DIGEST_KIND else False


def _recipient(session: Session, row: Notification) -> tuple[Channel, str | None] | None:
    """Channel and address for ``row``; None when it must not leave the platform (a resident's message
    without their consent for its topic, or without an address to send it to)."""
    if row.audience == Audience.resident:
        consent = consent_of(session, row.resident_id) if row.resident_id else None
        if consent is None or not _agreed(consent, row.kind):
            return None
        if consent.channel == Channel.wechat:
            address = consent.wechat_openid
        else:
            resident = session.get(Resident, consent.resident_id)
            address = resident.phone if resident else None
        return (consent.channel, address) if address else None
    if row.audience == Audience.employer and row.employer_id:
        employer = session.get(Employer, row.employer_id)
        return Channel.sms, employer.contact_phone if employer else None
    return Channel.sms, None


PRIVATE_WORDS = ("残疾", "残障", "伤残", "病", "健康", "身体", "体检", "低保", "特困", "困难", "救助", "贫困",
                 "身份证", "证件号")
"""Words that tell of a person's health or hardship (or their id): never in a message leaving the platform."""
ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
PRIVATE_TITLE = "您有一条新消息"
PRIVATE_BODY = "详情请登录就业e站查看。"


def outside_text(title: str, body: str) -> tuple[str, str]:
    """The title and body as they may leave the platform: a text with an id number or a health or
    hardship word is replaced by a pointer to the in-platform message."""
    def private(text: str) -> bool:
        return ID_NUMBER.search(text) is not None or any(word in text for word in PRIVATE_WORDS)
    if private(title):
        return PRIVATE_TITLE, PRIVATE_BODY
    return title, PRIVATE_BODY if private(body) else body


def quiet_now(now: datetime, quiet_hours: str) -> bool:
    """Whether ``now`` falls in ``quiet_hours`` ("21:00-08:00", Beijing time; empty: never quiet)."""
    if not quiet_hours:
        return False
    start, end = (time.fromisoformat(part) for part in quiet_hours.split("-"))
    local = now.astimezone(clock.BEIJING).time()
    return start <= local < end if start <= end else local >= start or local < end


MAX_ATTEMPTS = 8
"""A message is given up after this many failed tries (the last one about an hour after it was written)."""
FIRST_RETRY = timedelta(seconds=30)


def due_at(entry: OutboxEntry) -> datetime:
    """When ``entry`` may be tried (again): at once, then after 30 s, 1 min, 2 min, ... since the last try."""
    return entry.created_at + FIRST_RETRY * (2 ** entry.attempts - 1)


def deliver_pending(session: Session, notifier: Notifier, *, quiet_hours: str = "", now: datetime | None = None,
                    limit: int = 200) -> int:
    """Hand the due ``notify`` outbox rows to ``notifier``; returns how many were sent. The caller commits.

    Residents' rows wait while ``quiet_hours`` last (the worker passes ESTATION_ALERT_QUIET_HOURS) (no try is spent); a resident's row without their
    consent for it is closed unsent. A failing gateway keeps the row with its error for a later try (see
    :func:`due_at`); after :data:`MAX_ATTEMPTS` failures the row is closed with its last error. The
    in-platform notification is already committed either way, so nobody misses a message because SMS is down.
    """
    session.flush()  # rows written in this session are stamped before ``now`` is read
    now = now or utcnow()
    stmt = (select(OutboxEntry, Notification).join(Notification, Notification.id == OutboxEntry.entity_id)
            .where(OutboxEntry.topic == NOTIFY_TOPIC, OutboxEntry.done_at.is_(None)))
    if quiet_now(now, quiet_hours):
        stmt = stmt.where(Notification.audience != Audience.resident)
    # Claimed: each row goes to the gateway from one process (every app process runs this worker).
    stmt = claim(session, stmt.order_by(OutboxEntry.attempts, OutboxEntry.id).limit(limit))
    pairs = session.execute(stmt).tuples().all()
    sent = 0
    for entry, row in pairs:
        if due_at(entry) > now:
            continue
        recipient = _recipient(session, row)
        if recipient is None:
            entry.done_at = now  # not agreed to: stays an in-platform message only
            continue
        entry.attempts += 1
        # A notice is public text (it is on the phone page): no private word in it is about the resident.
        title, body = (row.title, row.body) if row.kind == NOTICE_KIND else outside_text(row.title, row.body)
        try:
            if notifier.send(OutgoingMessage(notification_id=row.id, audience=row.audience, channel=recipient[0],
                                             to=recipient[1], title=title, body=body, kind=row.kind,
                                             link=row.link)):
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

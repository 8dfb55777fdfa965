"""The notifier worker: the server delivers the outbox's `notify` rows through the SMS / WeChat adapter,
and tries a refused one again later (issue 17 point 5). The gateways here are fakes of outside services."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from estation.composition import Parts
from estation.config import Settings
from estation.notifications.models import Audience
from estation.notifications.notifier import MAX_ATTEMPTS, LoggingNotifier, OutgoingMessage, deliver_pending, due_at
from estation.notifications.service import NOTIFY_TOPIC, notify
from estation.outbox import OutboxEntry


class FlakyGateway:
    """An SMS gateway that refuses the first ``failures`` messages, then takes them."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> bool:
        self.calls.append(message)
        if len(self.calls) <= self.failures:
            raise ConnectionError("短信网关不可用")
        return True


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    from estation.app import create_app
    from estation.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, environment="test", var_dir=tmp_path, external_notifications="log"))
    yield app.state.parts
    app.state.parts.close()


def _post(parts: Parts, title: str) -> int:
    with parts.session_factory() as s:
        row = notify(s, audience=Audience.staff, kind="test.worker", title=title)
        s.commit()
        return row.id


def _entry(parts: Parts, notification_id: int) -> OutboxEntry:
    with parts.session_factory() as s:
        return s.scalars(select(OutboxEntry).where(OutboxEntry.topic == NOTIFY_TOPIC,
                                                  OutboxEntry.entity_id == notification_id)).one()


def _wait(parts: Parts, done: Callable[[], bool], seconds: float = 15) -> None:
    parts.notify_worker.kick()
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the notifier worker did not get there in time"
        time.sleep(0.05)


def test_the_server_delivers_a_notification_through_the_adapter(parts: Parts) -> None:
    assert isinstance(parts.notifier, LoggingNotifier)  # ESTATION_EXTERNAL_NOTIFICATIONS=log
    nid = _post(parts, "新用人单位待审核：甸柳保洁")
    _wait(parts, lambda: _entry(parts, nid).done_at is not None)
    assert [(m.notification_id, m.title) for m in parts.notifier.sent] == [(nid, "新用人单位待审核：甸柳保洁")]
    entry = _entry(parts, nid)
    assert entry.attempts == 1 and entry.last_error is None


def test_a_refused_message_is_tried_again_later(parts: Parts) -> None:
    gateway = parts.notifier = FlakyGateway(failures=1)
    nid = _post(parts, "求职跟踪：已约面试")
    _wait(parts, lambda: _entry(parts, nid).attempts == 1)
    entry = _entry(parts, nid)
    assert entry.done_at is None and "短信网关不可用" in entry.last_error
    parts.notify_worker.kick()
    time.sleep(0.5)
    assert len(gateway.calls) == 1  # not at once: the next try waits 30 s
    with parts.session_factory() as s:  # as if those 30 s had passed
        s.execute(update(OutboxEntry).where(OutboxEntry.id == entry.id)
                  .values(created_at=entry.created_at - timedelta(seconds=31)))
        s.commit()
    _wait(parts, lambda: _entry(parts, nid).done_at is not None)
    entry = _entry(parts, nid)
    assert entry.attempts == 2 and entry.last_error is None and len(gateway.calls) == 2


def test_a_message_is_given_up_after_the_last_try(session) -> None:
    gateway = FlakyGateway(failures=10 ** 6)
    deliver_pending(session, LoggingNotifier())  # rows of earlier tests
    row = notify(session, audience=Audience.staff, kind="test.worker", title="求职跟踪：未录用")
    entry = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == NOTIFY_TOPIC,
                                                      OutboxEntry.entity_id == row.id)).one()
    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert entry.done_at is None
        waits.append(due_at(entry) - entry.created_at)
        assert deliver_pending(session, gateway, now=due_at(entry)) == 0
    assert waits[:4] == [timedelta(0), timedelta(seconds=30), timedelta(seconds=90), timedelta(seconds=210)]
    assert entry.attempts == MAX_ATTEMPTS and entry.done_at is not None and "短信网关不可用" in entry.last_error
    deliver_pending(session, gateway, now=due_at(entry) + timedelta(days=1))
    assert len(gateway.calls) == MAX_ATTEMPTS  # closed: never tried again

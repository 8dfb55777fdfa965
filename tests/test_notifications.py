"""The notifier worker: the server delivers the outbox's `notify` rows through the SMS / WeChat adapter,
and tries a refused one again later (issue 17 point 5); residents get only what they opted in to, never
in quiet hours and never with personal data in the text (issue 15 point 5). The gateways here are fakes of outside services."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from estation import clock
from estation.composition import Parts
from estation.config import Settings
from estation.errors import InvalidInput
from estation.notifications.models import AlertConsent, Audience, Channel, Notification
from estation.notifications.notifier import (
    MAX_ATTEMPTS, ByChannel, LoggingNotifier, OutgoingMessage, deliver_pending, due_at, quiet_now,
)
from estation.notifications.wechat import LoggingWeChat
from estation.notifications.service import NOTIFY_TOPIC, notify, opt_in, opt_out
from estation.outbox import OutboxEntry
from tests.factories import create_resident


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


def _server(tmp_path: Path, quiet_hours: str) -> Iterator[Parts]:
    from estation.app import create_app
    from estation.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'estation.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, environment="test", var_dir=tmp_path, external_notifications="log",
                              alert_quiet_hours=quiet_hours))
    yield app.state.parts
    app.state.parts.close()


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    """A server with no quiet hours (the tests run at any hour)."""
    yield from _server(tmp_path, "")


@pytest.fixture
def parts_in_quiet_hours(tmp_path: Path) -> Iterator[Parts]:
    """A server whose quiet hours are now (Beijing time): from an hour ago to an hour ahead."""
    now = datetime.now(clock.BEIJING)
    yield from _server(tmp_path, f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}")


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


def _sms(parts: Parts) -> LoggingNotifier:
    """The log mode's SMS side (ESTATION_EXTERNAL_NOTIFICATIONS=log): what it sent, in order."""
    assert isinstance(parts.notifier, ByChannel) and isinstance(parts.notifier.sms, LoggingNotifier)
    return parts.notifier.sms


def _wechat(parts: Parts) -> LoggingWeChat:
    """The log mode's WeChat official account: the template messages it sent."""
    assert isinstance(parts.notifier, ByChannel) and isinstance(parts.notifier.wechat.account, LoggingWeChat)
    return parts.notifier.wechat.account


def test_the_server_delivers_a_notification_through_the_adapter(parts: Parts) -> None:
    nid = _post(parts, "新用人单位待审核：甸柳保洁")
    _wait(parts, lambda: _entry(parts, nid).done_at is not None)
    assert [(m.notification_id, m.title) for m in _sms(parts).sent] == [(nid, "新用人单位待审核：甸柳保洁")]
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


# Issue 15 point 5: residents' alerts leave only as they agreed (opt-in per channel and topic, opt-out,
# quiet hours, no personal data in the text). The recording gateway (LoggingNotifier) is the only fake.

def _resident(parts: Parts, phone: str | None) -> int:
    with parts.session_factory() as s:
        resident = create_resident(s, phone=phone)
        s.commit()
        return resident.id


def _tell(parts: Parts, resident_id: int, *, kind: str = "application.status", title: str = "您的求职申请状态：已约面试",
          body: str = "社区保洁员（申请编号 A-1）：已约面试") -> int:
    with parts.session_factory() as s:
        row = notify(s, audience=Audience.resident, resident_id=resident_id, kind=kind, title=title, body=body)
        s.commit()
        return row.id


def _all_done(parts: Parts, *ids: int) -> Callable[[], bool]:
    return lambda: all(_entry(parts, i).done_at is not None for i in ids)


def test_residents_get_alerts_only_as_they_opted_in(parts: Parts) -> None:
    sms, wechat, silent, withdrawn = (_resident(parts, f"1370000{n:04d}") for n in range(4))
    no_phone = _resident(parts, None)
    with parts.session_factory() as s:
        opt_in(s, resident_id=sms, channel=Channel.sms)
        opt_in(s, resident_id=no_phone, channel=Channel.sms)  # nowhere to send it: stays in the platform
        opt_in(s, resident_id=wechat, channel=Channel.wechat, wechat_openid="oWx-test-openid",
               application_steps=False, job_digest=True)
        opt_in(s, resident_id=withdrawn, channel=Channel.sms)
        s.commit()
    step_sms, step_silent, step_no_phone = _tell(parts, sms), _tell(parts, silent), _tell(parts, no_phone)
    step_wechat = _tell(parts, wechat)  # steps not ticked by this one: only the daily jobs
    digest_wechat = _tell(parts, wechat, kind="jobs.digest", title="今天有3个新岗位适合您", body="社区保洁员等")
    digest_sms = _tell(parts, sms, kind="jobs.digest", title="今天有1个新岗位适合您", body="绿化养护")
    with parts.session_factory() as s:  # waiting in the outbox, then withdrawn: it must not leave
        row = notify(s, audience=Audience.resident, resident_id=withdrawn, kind="invitation.new", title="邀请")
        opt_out(s, resident_id=withdrawn)
        s.commit()
        step_withdrawn = row.id
    ids = (step_sms, step_silent, step_no_phone, step_wechat, digest_wechat, digest_sms, step_withdrawn)
    _wait(parts, _all_done(parts, *ids))
    sent = {m.notification_id: m for m in _sms(parts).sent}
    assert set(sent) == {step_sms}
    assert (sent[step_sms].channel, sent[step_sms].to) == (Channel.sms, "13700000000")
    # The WeChat one went as a template message of the official account (the alert template, no link).
    assert [(m.touser, m.first, m.remark, m.url) for m in _wechat(parts).sent] == [
        ("oWx-test-openid", "今天有3个新岗位适合您", "社区保洁员等", None)]
    with parts.session_factory() as s:  # the in-platform messages are all there
        assert s.get(Notification, step_withdrawn) is not None and s.get(Notification, step_silent) is not None
        assert opt_out(s, resident_id=withdrawn) is None and s.scalar(
            select(AlertConsent.withdrawn_at).where(AlertConsent.resident_id == withdrawn)) is not None


def test_quiet_hours_hold_a_residents_alert_until_morning(parts_in_quiet_hours: Parts) -> None:
    parts = parts_in_quiet_hours
    resident = _resident(parts, "13700009999")
    with parts.session_factory() as s:
        opt_in(s, resident_id=resident, channel=Channel.sms)
        s.commit()
    held, staff = _tell(parts, resident), _post(parts, "新用人单位待审核：甸柳保洁")
    _wait(parts, lambda: _entry(parts, staff).done_at is not None)
    parts.notify_worker.kick()
    time.sleep(0.5)
    entry = _entry(parts, held)
    assert entry.done_at is None and entry.attempts == 0  # held, and no try spent
    assert [m.notification_id for m in _sms(parts).sent] == [staff]
    with parts.session_factory() as s:
        assert deliver_pending(s, parts.notifier, quiet_hours=parts.settings.alert_quiet_hours) == 0
        morning = datetime.now(clock.BEIJING) + timedelta(hours=1, minutes=1)
        assert deliver_pending(s, parts.notifier, quiet_hours=parts.settings.alert_quiet_hours, now=morning) == 1
        s.commit()
    assert [m.notification_id for m in _sms(parts).sent] == [staff, held]


def test_the_default_quiet_hours_are_the_night_in_beijing() -> None:
    night = Settings().alert_quiet_hours
    assert night == "21:00-08:00"

    def at(hour: int, minute: int) -> datetime:
        return datetime(2026, 12, 7, hour, minute, tzinfo=clock.BEIJING)
    assert [quiet_now(at(h, m), night) for h, m in ((20, 59), (21, 0), (23, 30), (3, 0), (7, 59), (8, 0), (12, 0))] \
        == [False, True, True, True, True, False, False]
    assert not quiet_now(at(23, 0), "")


def test_no_id_number_health_or_hardship_word_leaves_the_platform(session, caplog) -> None:
    resident = create_resident(session, phone="13700004444")
    opt_in(session, resident_id=resident.id, channel=Channel.sms)
    deliver_pending(session, LoggingNotifier())  # rows of earlier tests
    id_number = resident.id_number
    private_title = notify(session, audience=Audience.resident, resident_id=resident.id, kind="application.status",
                           title="您的求职申请状态：未录用（身体原因）", body="残疾人专岗")
    private_body = notify(session, audience=Audience.resident, resident_id=resident.id, kind="application.status",
                          title="您的求职申请状态：已约面试", body=f"请带身份证 {id_number} 和低保证明")
    plain = notify(session, audience=Audience.resident, resident_id=resident.id, kind="invitation.new",
                   title="甸柳保洁邀请您了解岗位：社区保洁员", body="如有意向，请在自助终端“我的邀请”里接受或婉拒。")
    gateway = LoggingNotifier()
    with caplog.at_level(logging.INFO, logger="estation.notifications"):
        assert deliver_pending(session, gateway) == 3
    sent = {m.notification_id: (m.title, m.body) for m in gateway.sent}
    assert sent[private_title.id] == ("您有一条新消息", "详情请登录就业e站查看。")
    assert sent[private_body.id] == ("您的求职申请状态：已约面试", "详情请登录就业e站查看。")
    assert sent[plain.id] == (plain.title, plain.body)
    text = caplog.text  # the log mode prints what would be sent, without the phone or the id number
    assert "137****4444" in text and "甸柳保洁邀请您了解岗位" in text
    assert "13700004444" not in text and id_number not in text and "低保" not in text and "身体" not in text


def test_opting_in_to_wechat_needs_the_wechat_address(session) -> None:
    resident = create_resident(session)
    with pytest.raises(InvalidInput) as wechat:
        opt_in(session, resident_id=resident.id, channel=Channel.wechat)
    with pytest.raises(InvalidInput) as nothing:
        opt_in(session, resident_id=resident.id, channel=Channel.sms, application_steps=False)
    assert (wechat.value.field, nothing.value.field) == ("wechat_openid", "application_steps")
    assert session.scalar(select(AlertConsent).where(AlertConsent.resident_id == resident.id)) is None

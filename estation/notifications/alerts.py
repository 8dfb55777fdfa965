"""A resident's own choice of alerts outside the platform (短信和微信提醒): read, change, withdraw.

The kiosk's page (/kiosk/me/alerts) and ``GET/PUT/DELETE /api/v1/me/alerts`` both come here. Every read is
in the access log and every change in the resident's change log (who, when, why; "短信和微信提醒" as the
field), as every other change to their profile is. Services only flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.errors import InvalidInput, NotFound
from estation.labour.models import Resident
from estation.labour.service import record_change
from estation.notifications.binding import bound_openid
from estation.notifications.models import AlertConsent, Channel
from estation.notifications.service import consent_of, opt_in, opt_out
from estation.privacy import mask_phone

FIELD = "alert_consent"
"""The name of this choice in the resident's change log (estation.labour.schemas.FIELD_NAMES)."""
WHAT = "短信和微信提醒"
NO_PHONE = "您没有登记手机号，收不到短信。请到服务窗口登记手机号，或改用微信接收。"


@dataclass(frozen=True)
class MyAlerts:
    consent: AlertConsent | None
    """The choice in force; None: nothing is sent outside the platform."""
    phone: str
    """Where SMS go, masked (empty: no phone on record)."""
    wechat_bound: bool
    """Whether a WeChat address is on record (kept while the choice is in force)."""
    changed: bool = False
    """After :func:`choose` or :func:`withdraw`: whether anything changed (and was logged)."""


def _resident(session: Session, user: User) -> Resident:
    resident = session.get(Resident, user.resident_id) if user.resident_id else None
    if resident is None:
        raise NotFound("没有找到您的居民信息，请到服务窗口咨询")
    return resident


def _view(session: Session, resident: Resident, *, changed: bool = False) -> MyAlerts:
    consent = consent_of(session, resident.id)
    return MyAlerts(consent=consent, phone=mask_phone(resident.phone),
                    wechat_bound=bool((consent is not None and consent.wechat_openid) or bound_openid(session, resident.id)),
                    changed=changed)


def my_alerts(session: Session, *, user: User, reason: str) -> MyAlerts:
    """The resident's alerts as chosen now (the read is logged with ``reason``)."""
    resident = _resident(session, user)
    log_access(session, user=user, resident_id=resident.id, action="view", what=WHAT, reason=reason)
    return _view(session, resident)


def _state(consent: AlertConsent | None) -> tuple | None:
    if consent is None:
        return None
    return (consent.channel, consent.application_steps, consent.job_digest, consent.notices,
            bool(consent.wechat_openid))


def choose(session: Session, *, user: User, channel: Channel, application_steps: bool, job_digest: bool,
           notices: bool = False, wechat_openid: str | None = None, reason: str) -> MyAlerts:
    """Agree to alerts on ``channel`` for the topics ticked (replacing an earlier choice). SMS needs a phone
    on record; WeChat a WeChat address, sent now or kept from the choice in force. Logged when it changed."""
    resident = _resident(session, user)
    if channel == Channel.sms and not resident.phone:
        raise InvalidInput(NO_PHONE, field="channel")
    current = consent_of(session, resident.id)
    before = _state(current)
    kept = (current.wechat_openid if current is not None else None) or bound_openid(session, resident.id)
    consent = opt_in(session, resident_id=resident.id, channel=channel, application_steps=application_steps,
                     job_digest=job_digest, notices=notices, wechat_openid=(wechat_openid or "").strip() or kept)
    changed = _state(consent) != before
    if changed:
        record_change(session, resident=resident, user=user, reason=reason, fields=[FIELD])
    return _view(session, resident, changed=changed)


def withdraw(session: Session, *, user: User, reason: str) -> MyAlerts:
    """Withdraw at once: nothing more leaves the platform, not even messages already waiting."""
    resident = _resident(session, user)
    changed = consent_of(session, resident.id) is not None
    if changed:
        opt_out(session, resident_id=resident.id)
        record_change(session, resident=resident, user=user, reason=reason, fields=[FIELD])
    return _view(session, resident, changed=changed)

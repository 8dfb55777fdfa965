"""In-platform notifications: written in the transaction of the change they report, read per audience.

Each notification also leaves an outbox row (topic ``notify``); :mod:`estation.notifications.notifier`
delivers those after commit through an SMS / WeChat adapter, which is off by default.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.db import utcnow
from estation.errors import Forbidden, InvalidInput
from estation.kit import get_or_404
from estation.notifications.binding import forget
from estation.notifications.models import AlertConsent, Audience, Channel, Notification
from estation.outbox import enqueue

NOTIFY_TOPIC = "notify"
STAFF_INBOX = frozenset({Role.counter_staff, Role.admin})


def notify(
    session: Session, *, audience: Audience, kind: str, title: str, body: str = "", link: str | None = None,
    resident_id: int | None = None, employer_id: int | None = None, user_id: int | None = None,
) -> Notification:
    if audience == Audience.resident and resident_id is None:
        raise ValueError("a resident notification needs resident_id")
    if audience == Audience.employer and employer_id is None:
        raise ValueError("an employer notification needs employer_id")
    if audience == Audience.user and user_id is None:
        raise ValueError("a notification to one staff member needs user_id")
    row = Notification(
        audience=audience, kind=kind, title=title[:120], body=body[:500], link=link,
        resident_id=resident_id if audience == Audience.resident else None,
        employer_id=employer_id if audience == Audience.employer else None,
        user_id=user_id if audience == Audience.user else None,
    )
    session.add(row)
    session.flush()
    enqueue(session, topic=NOTIFY_TOPIC, entity_id=row.id)
    return row


def scope(stmt: Select, user: User) -> Select:
    """Narrow a SELECT over Notification to the ones addressed to ``user``."""
    if user.role == Role.resident and user.resident_id is not None:
        return stmt.where(Notification.audience == Audience.resident, Notification.resident_id == user.resident_id)
    if user.role == Role.employer and user.employer_id is not None:
        return stmt.where(Notification.audience == Audience.employer, Notification.employer_id == user.employer_id)
    own = and_(Notification.audience == Audience.user, Notification.user_id == user.id)
    if user.role in STAFF_INBOX:
        return stmt.where(or_(Notification.audience == Audience.staff, own))
    return stmt.where(own)


def inbox(session: Session, *, user: User, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    stmt = scope(select(Notification), user)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(session: Session, *, user: User) -> int:
    stmt = scope(select(func.count()).select_from(Notification), user).where(Notification.read_at.is_(None))
    return session.scalar(stmt) or 0


def mark_read(session: Session, *, user: User, notification_id: int) -> Notification:
    row = get_or_404(session, Notification, notification_id, "消息不存在")
    if session.scalar(scope(select(Notification.id).where(Notification.id == row.id), user)) is None:
        raise Forbidden("只能查看发给您的消息")
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def mark_all_read(session: Session, *, user: User) -> int:
    """Mark every unread notification addressed to ``user`` read; how many were."""
    rows = list(session.scalars(scope(select(Notification), user).where(Notification.read_at.is_(None))))
    now = utcnow()
    for row in rows:
        row.read_at = now
    session.flush()
    return len(rows)


def opt_in(session: Session, *, resident_id: int, channel: Channel, application_steps: bool = True,
           job_digest: bool = False, wechat_openid: str | None = None, notices: bool = False) -> AlertConsent:
    """The resident agrees to alerts outside the platform on ``channel`` for the topics ticked (replacing
    an earlier choice). WeChat template messages need the resident's WeChat address."""
    if channel == Channel.wechat and not (wechat_openid or "").strip():
        raise InvalidInput("请先绑定微信，才能用微信接收提醒", field="wechat_openid")
    if not (application_steps or job_digest or notices):
        raise InvalidInput("请至少选择一种提醒：求职进展、每日新岗位或通知公告", field="application_steps")
    consent = session.scalar(select(AlertConsent).where(AlertConsent.resident_id == resident_id))
    if consent is None:
        consent = AlertConsent(resident_id=resident_id)
        session.add(consent)
    consent.channel = channel
    consent.wechat_openid = wechat_openid.strip() if channel == Channel.wechat and wechat_openid else None
    consent.application_steps = application_steps
    consent.job_digest = job_digest
    consent.notices = notices
    consent.given_at = utcnow()
    consent.withdrawn_at = None
    session.flush()
    return consent


def consent_of(session: Session, resident_id: int) -> AlertConsent | None:
    """The resident's alert consent in force, if any."""
    return session.scalar(select(AlertConsent).where(AlertConsent.resident_id == resident_id,
                                                     AlertConsent.withdrawn_at.is_(None)))


def opt_out(session: Session, *, resident_id: int) -> None:
    """The resident withdraws: from now on nothing is sent outside the platform, including messages
    already waiting in the outbox (delivery reads the consent when it sends)."""
    consent = consent_of(session, resident_id)
    if consent is not None:
        consent.withdrawn_at = utcnow()
        consent.wechat_openid = None
    forget(session, resident_id)
    session.flush()


def digest_subscribers(session: Session) -> list[int]:
    """The residents who agreed to the daily digest of new matching jobs (and have not withdrawn)."""
    return list(session.scalars(select(AlertConsent.resident_id).where(
        AlertConsent.job_digest.is_(True), AlertConsent.withdrawn_at.is_(None)).order_by(AlertConsent.resident_id)))

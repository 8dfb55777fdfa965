"""Notices (通知公告): staff write, change, withdraw and push them; the kiosk's attract screen and the
phone page show the ones in force for their place.

Who may write: admins and counter staff for any audience (the service hall is the street's), community
staff only for their own community's residents. A notice is in force from its first to its last day
(Beijing dates) unless withdrawn. Pushing sends it once, as an alert, to the residents in its audience who
agreed to get notices (AlertConsent.notices); the notifier then delivers it by SMS or WeChat.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from estation.accounts.models import Role, User
from estation.db import utcnow
from estation.errors import Conflict, Forbidden, InvalidInput, NotFound
from estation.kit import get_or_404
from estation.labour.models import Community, Resident
from estation.notices.models import Notice, NoticeAudience, NoticeState
from estation.notices.schemas import NoticeIn
from estation.notifications.models import AlertConsent, Audience
from estation.notifications.service import notify
from estation.notifications.wechat import NOTICE_KIND, PHONE_NOTICES

WRITERS = frozenset({Role.admin, Role.counter_staff, Role.community_staff})
STREET_WRITERS = frozenset({Role.admin, Role.counter_staff})
"""Who writes for the whole street; community staff write for their own community only."""


def phone_link(notice: Notice) -> str:
    return f"{PHONE_NOTICES}/{notice.id}"


def in_force(session: Session, *, today: date, community_code: str | None = None) -> list[Notice]:
    """The notices in force ``today`` for a place: the street-wide ones (everyone, job seekers) and, for a
    place in a community, that community's; the latest first."""
    audiences: list[ColumnElement[bool]] = [Notice.audience.in_((NoticeAudience.everyone, NoticeAudience.job_seekers))]
    if community_code:
        audiences.append(Notice.community_code == community_code)
    stmt = (select(Notice).where(Notice.withdrawn_at.is_(None), Notice.valid_from <= today,
                                 Notice.valid_until >= today, or_(*audiences))
            .order_by(Notice.valid_from.desc(), Notice.id.desc()))
    return list(session.scalars(stmt))


def state_of(notice: Notice, today: date) -> NoticeState:
    if notice.withdrawn_at is not None:
        return NoticeState.withdrawn
    if today < notice.valid_from:
        return NoticeState.scheduled
    return NoticeState.expired if today > notice.valid_until else NoticeState.in_force


def is_in_force(notice: Notice, today: date) -> bool:
    return state_of(notice, today) == NoticeState.in_force


def public_notice(session: Session, notice_id: int, *, today: date) -> Notice:
    """A notice as the public sees it: only while in force (a withdrawn or expired one is gone)."""
    notice = session.get(Notice, notice_id)
    if notice is None or not is_in_force(notice, today):
        raise NotFound("这条通知不存在或已过期")
    return notice


def _may_write(user: User, community_code: str | None) -> bool:
    if user.role in STREET_WRITERS:
        return True
    return user.role == Role.community_staff and community_code is not None and community_code == user.community_code


def audiences_for(user: User) -> list[NoticeAudience]:
    """The audiences ``user`` may address."""
    return list(NoticeAudience) if user.role in STREET_WRITERS else [NoticeAudience.community]


def staff_list(session: Session, *, user: User) -> list[Notice]:
    """Every notice ``user`` may change (withdrawn ones too), the latest first."""
    stmt = select(Notice).order_by(Notice.valid_from.desc(), Notice.id.desc())
    if user.role not in STREET_WRITERS:
        stmt = stmt.where(Notice.community_code == user.community_code)
    return list(session.scalars(stmt))


def editable(session: Session, *, user: User, notice_id: int) -> Notice:
    notice = get_or_404(session, Notice, notice_id, "这条通知不存在")
    if not _may_write(user, notice.community_code):
        raise Forbidden("只能修改本社区的通知")
    return notice


def _check(session: Session, user: User, data: NoticeIn) -> None:
    if data.community_code is not None and session.get(Community, data.community_code) is None:
        raise InvalidInput("没有这个社区", field="community_code")
    if not _may_write(user, data.community_code):
        raise Forbidden("社区工作人员只能给本社区的居民发通知")


def publish(session: Session, *, user: User, data: NoticeIn) -> Notice:
    _check(session, user, data)
    notice = Notice(**data.model_dump(), created_by=user.id, updated_by=user.id)
    session.add(notice)
    session.flush()
    return notice


def edit(session: Session, *, user: User, notice_id: int, data: NoticeIn) -> Notice:
    notice = editable(session, user=user, notice_id=notice_id)
    if notice.withdrawn_at is not None:
        raise Conflict("这条通知已撤下，不能再修改")
    _check(session, user, data)
    for key, value in data.model_dump().items():
        setattr(notice, key, value)
    notice.updated_by = user.id
    session.flush()
    return notice


def withdraw(session: Session, *, user: User, notice_id: int) -> Notice:
    notice = editable(session, user=user, notice_id=notice_id)
    if notice.withdrawn_at is None:
        notice.withdrawn_at, notice.withdrawn_by = utcnow(), user.id
        session.flush()
    return notice


def recipients(session: Session, notice: Notice) -> list[int]:
    """The residents in the notice's audience who agreed to get notices (and have not withdrawn)."""
    stmt = (select(Resident.id).join(AlertConsent, AlertConsent.resident_id == Resident.id)
            .where(AlertConsent.withdrawn_at.is_(None), AlertConsent.notices.is_(True)))
    if notice.audience == NoticeAudience.community:
        stmt = stmt.where(Resident.community_code == notice.community_code)
    elif notice.audience == NoticeAudience.job_seekers:
        stmt = stmt.where(Resident.registration.is_not(None))
    return list(session.scalars(stmt.order_by(Resident.id)))


def push(session: Session, *, user: User, notice_id: int, today: date) -> int:
    """Send the notice, once, to the residents in its audience who agreed; returns how many.

    Only while it is in force; of two pushes at once one does it (the stamp is taken by one UPDATE)."""
    notice = editable(session, user=user, notice_id=notice_id)
    if not is_in_force(notice, today):
        raise Conflict("只能推送正在有效期内的通知")
    taken = session.execute(update(Notice).where(Notice.id == notice.id, Notice.pushed_at.is_(None))
                            .values(pushed_at=utcnow()).execution_options(synchronize_session="fetch"))
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("这条通知已经推送过了")
    residents = recipients(session, notice)
    for resident_id in residents:
        notify(session, audience=Audience.resident, resident_id=resident_id, kind=NOTICE_KIND,
               title=f"{notice.kind.label}：{notice.title}", body=notice.body, link=phone_link(notice))
    return len(residents)

"""Invitations: an employer asks a recommended resident to consider a vacancy; the resident answers.

The kiosk calls :func:`invitations_for_resident`, :func:`accept_invitation` and :func:`decline_invitation`.
Accepting creates an application (or joins the one already made), which is the moment the employer
first learns who the resident is. Services only flush.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from estation import clock
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.db import utcnow
from estation.errors import Conflict, Forbidden, InvalidInput, NotFound
from estation.jobs import service
from estation.jobs.models import (
    Application,
    ApplicationStatus,
    Invitation,
    InvitationStatus,
    Vacancy,
    VacancyStatus,
)
from estation.labour.models import Resident
from estation.notifications.models import Audience
from estation.notifications.service import notify


def invite(
    session: Session, *, vacancy: Vacancy, resident: Resident, by_user_id: int | None, message: str = ""
) -> Invitation:
    if not resident.consent_to_employers:
        # Without consent the employer must not even learn that this resident exists.
        raise Forbidden("该居民未同意向用人单位展示信息")
    if vacancy.status != VacancyStatus.open or vacancy.valid_until < clock.today():
        raise InvalidInput("岗位在招时才能邀请求职者", field="vacancy_id")
    existing = session.scalar(
        select(Invitation).where(Invitation.vacancy_id == vacancy.id, Invitation.resident_id == resident.id)
    )
    if existing is not None:
        raise Conflict("已经邀请过这位求职者", field="candidate_ref")
    invitation = Invitation(vacancy_id=vacancy.id, resident_id=resident.id, status=InvitationStatus.pending,
                            message=message.strip(), invited_by_user_id=by_user_id)
    session.add(invitation)
    session.flush()
    # Logged as the resident reads it at the kiosk (谁看过我的信息): the employer picked them from the
    # recommended candidates (their name still hidden) and invited them.
    log_access(session, user=session.get(User, by_user_id) if by_user_id else None, resident_id=resident.id,
               action="invite", what="您的求职信息（未显示姓名）",
               reason=f"邀请您了解岗位“{vacancy.title}”"[:200])
    notify(session, audience=Audience.resident, resident_id=resident.id, kind="invitation.new",
           title=f"{vacancy.employer.name}邀请您了解岗位：{vacancy.title}",
           body=(message.strip() or "如有意向，请在自助终端“我的邀请”里接受或婉拒。"), link="/kiosk/me/invitations")
    return invitation


DECLINE_REASONS = ("离家太远", "工作时间不合适", "身体吃不消", "工资不合适", "已经找到工作了", "暂时不想工作")
"""The plain reasons a resident may tap when declining; they may also type their own."""
REASON_MAX = 200


def _own(session: Session, invitation_id: int, resident_id: int) -> Invitation:
    """The resident's own pending invitation, locked until the answer commits: two answers sent at once
    (two terminals, two forms) are taken one after the other, and the second finds it answered."""
    invitation = session.get(Invitation, invitation_id, with_for_update=True, populate_existing=True)
    # Someone else's invitation answers exactly as one that does not exist: its existence is theirs.
    if invitation is None or invitation.resident_id != resident_id:
        raise NotFound("邀请不存在")
    if invitation.status != InvitationStatus.pending:
        raise Conflict("这条邀请已经答复过了", field="status")
    return invitation


def accept_invitation(
    session: Session, *, invitation_id: int, resident_id: int, by_user_id: int | None, share_phone: bool
) -> Invitation:
    """The resident says yes: an application is made (or the existing one kept) and the employer told.
    ``share_phone``: whether the employer may see the resident's phone number (else only their name, and
    they reach the resident through the service hall)."""
    invitation = _own(session, invitation_id, resident_id)
    vacancy = invitation.vacancy
    resident = session.get(Resident, resident_id)
    existing = session.scalar(
        select(Application).where(Application.resident_id == resident_id, Application.vacancy_id == vacancy.id,
                                  Application.status != ApplicationStatus.withdrawn)
    )
    application = existing or service.apply(session, resident=resident, vacancy=vacancy, by_user_id=by_user_id,
                                            note="接受用人单位邀请")
    invitation.status = InvitationStatus.accepted
    invitation.share_phone = share_phone
    invitation.responded_at = utcnow()
    invitation.application_id = application.id
    session.flush()
    notify(session, audience=Audience.employer, employer_id=vacancy.employer_id, kind="invitation.accepted",
           title=f"求职者接受了邀请：{vacancy.title}", body=f"申请编号 {application.reference}",
           link=f"/employer/vacancies/{vacancy.id}/candidates")
    return invitation


def decline_invitation(
    session: Session, *, invitation_id: int, resident_id: int, by_user_id: int | None = None, reason: str = ""
) -> Invitation:
    """The resident says no, with a reason if they give one (the employer sees it, never who they are)."""
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"原因请不要超过{REASON_MAX}字", field="reason")
    invitation = _own(session, invitation_id, resident_id)
    invitation.status = InvitationStatus.declined
    invitation.decline_reason = reason or None
    invitation.responded_at = utcnow()
    session.flush()
    vacancy = invitation.vacancy
    notify(session, audience=Audience.employer, employer_id=vacancy.employer_id, kind="invitation.declined",
           title=f"一位被邀请的求职者婉拒了：{vacancy.title}", body=f"原因：{reason}" if reason else "", link=f"/employer/vacancies/{vacancy.id}/candidates")
    return invitation


def invitations_for_resident(session: Session, *, resident_id: int, pending_only: bool = False) -> list[Invitation]:
    stmt = (select(Invitation).where(Invitation.resident_id == resident_id)
            .options(selectinload(Invitation.vacancy).selectinload(Vacancy.employer))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    if pending_only:
        stmt = stmt.where(Invitation.status == InvitationStatus.pending)
    return list(session.scalars(stmt))


def invitations_for_vacancy(session: Session, *, vacancy_id: int) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.vacancy_id == vacancy_id).order_by(Invitation.id)))

"""What comes to a resident at the kiosk: employers' invitations, and start-up opportunities to ask about.

Answering an invitation is estation.jobs.invitations' work (the employer sees the answer); asking about a
start-up opportunity leaves a question in the staff's suggestion queue (estation.feedback), tied to the
opportunity. Reads of the resident's own record are logged. Services only flush.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.errors import InvalidInput, NotFound
from estation.feedback import service as feedback
from estation.feedback.models import Suggestion, SuggestionKind
from estation.jobs import invitations
from estation.jobs.models import Invitation, InvitationStatus, StartupKind, StartupOpportunity, VacancyStatus
from estation.kiosk.service import OWN_RECORD, resident_of

QUESTION_MAX = 500
"""With the opportunity's title and provider in front, a question stays within a suggestion's length."""

AMOUNT_WORDS = {
    StartupKind.shop_space: "每月租金约{amount}元",
    StartupKind.project: "启动扶持约{amount}元",
    StartupKind.loan: "最高可贷{amount}元",
    StartupKind.subsidy: "补贴{amount}元",
}


def my_invitations(session: Session, *, user: User) -> list[Invitation]:
    """The signed-in resident's invitations with their jobs (the read logged): those to answer first."""
    resident = resident_of(session, user)
    log_access(session, user=user, resident_id=resident.id, action="view", what="用人单位邀请", reason=OWN_RECORD)
    rows = invitations.invitations_for_resident(session, resident_id=resident.id)
    return sorted(rows, key=lambda row: not answerable(row))  # the ones to answer first, each part newest first


def answerable(invitation: Invitation) -> bool:
    """Waiting for the resident's answer, for a job still hiring (a closed job's invitation needs none)."""
    vacancy = invitation.vacancy
    return (invitation.status == InvitationStatus.pending and vacancy.status == VacancyStatus.open
            and vacancy.valid_until >= clock.today())


def open_invitations(session: Session, *, resident_id: int) -> int:
    """How many invitations wait for the resident's answer (the home screen's count)."""
    pending = invitations.invitations_for_resident(session, resident_id=resident_id, pending_only=True)
    return sum(map(answerable, pending))


def accept(session: Session, *, user: User, invitation_id: int, share_phone: bool) -> Invitation:
    resident = resident_of(session, user)
    return invitations.accept_invitation(session, invitation_id=invitation_id, resident_id=resident.id,
                                         by_user_id=user.id, share_phone=share_phone)


def decline(session: Session, *, user: User, invitation_id: int, reason: str) -> Invitation:
    resident = resident_of(session, user)
    return invitations.decline_invitation(session, invitation_id=invitation_id, resident_id=resident.id,
                                          by_user_id=user.id, reason=reason)


# --- start-up opportunities -------------------------------------------------------------------------

def _open_startups():
    return select(StartupOpportunity).where(StartupOpportunity.status == VacancyStatus.open,
                                            StartupOpportunity.valid_until >= clock.today())


def startups(session: Session, *, kind: StartupKind | None) -> list[StartupOpportunity]:
    stmt = _open_startups().order_by(StartupOpportunity.kind, StartupOpportunity.id)
    if kind is not None:
        stmt = stmt.where(StartupOpportunity.kind == kind)
    return list(session.scalars(stmt))


def startup(session: Session, startup_id: int) -> StartupOpportunity:
    found = session.scalar(_open_startups().where(StartupOpportunity.id == startup_id))
    if found is None:
        raise NotFound("这个创业机会已经结束了")
    return found


def amount_text(opportunity: StartupOpportunity) -> str:
    """The sum as people say it: 30万 rather than 300,000."""
    amount = opportunity.amount_yuan
    if amount is None:
        return ""
    said = f"{amount // 10000}万" if amount >= 10000 and amount % 10000 == 0 else f"{amount:,}"
    return AMOUNT_WORDS[opportunity.kind].format(amount=said)


def my_questions(session: Session, *, resident_id: int, startup_id: int) -> list[Suggestion]:
    return list(session.scalars(
        select(Suggestion).where(Suggestion.resident_id == resident_id, Suggestion.startup_id == startup_id)
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
    ))


def ask(session: Session, *, user: User, opportunity: StartupOpportunity, question: str) -> Suggestion:
    """The resident's question reaches the staff's suggestion queue, naming the opportunity (not the
    resident, as every suggestion); staff answer it there and the resident reads the answer on the
    opportunity's page and under 留言建议."""
    resident = resident_of(session, user)
    words = " ".join((question or "").split()) or "我想了解详细情况和怎么申请。"
    if len(words) > QUESTION_MAX:
        raise InvalidInput(f"想问的话请不要超过{QUESTION_MAX}字（现在{len(words)}字）", field="question")
    text = f"咨询{opportunity.kind.label}“{opportunity.title}”（{opportunity.provider}）：{words}"
    return feedback.leave(session, kind=SuggestionKind.startup, text=text, resident_id=resident.id,
                          startup_id=opportunity.id)

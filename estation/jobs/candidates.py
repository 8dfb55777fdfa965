"""Who an employer sees for a vacancy: applicants in full, recommended residents masked.

Applicants chose to apply (or accepted an invitation), so the employer sees their name and phone to
contact them; each such read is written to the access log. Recommended residents come from matching,
only if they agreed to be shown to employers (Resident.consent_to_employers), and carry no name, id
number, phone or address: an age band, their skills and whether the job's physical demands fit.
They are addressed by an opaque reference that only this vacancy's page can resolve.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.errors import NotFound, Unavailable
from estation.geo import distance_km
from estation.jobs.models import Application, ApplicationStatus, Invitation, InvitationStatus, Occupation, Vacancy
from estation.jobs.schemas import MaskedCandidateOut
from estation.labour.models import Resident
from estation.labour.service import age_on
from estation.physical import exceeded_domains
from estation.privacy import lookup_hash

SKILLS_SHOWN = 80
log = logging.getLogger("estation.jobs")


@dataclass(frozen=True)
class Applicant:
    application: Application
    name: str
    phone: str | None
    age: int
    sex: str
    skills: str
    experience: str
    work_capacity: str
    via_invitation: bool


def applicants(session: Session, *, vacancy: Vacancy, viewer: User) -> list[Applicant]:
    """The vacancy's applications with who applied; every resident shown is logged as read by ``viewer``."""
    apps = session.scalars(
        select(Application).where(Application.vacancy_id == vacancy.id).order_by(Application.created_at, Application.id)
    ).all()
    invited = {i.application_id: i for i in session.scalars(
        select(Invitation).where(Invitation.vacancy_id == vacancy.id, Invitation.status == InvitationStatus.accepted)
    )}
    today = clock.today()
    out = []
    for app in apps:
        r = session.get(Resident, app.resident_id)
        # Said in Chinese: the resident reads this line at the kiosk (谁看过我的信息).
        log_access(session, user=viewer, resident_id=r.id, action="read", what="您的求职申请",
                   reason=f"查看“{vacancy.title}”的申请人（申请编号{app.reference}）")
        invitation = invited.get(app.id)
        # The phone only while the application stands, and only if the resident agreed when accepting.
        shares_phone = app.status != ApplicationStatus.withdrawn and (invitation is None or invitation.share_phone)
        out.append(Applicant(
            application=app, name=r.name, phone=r.phone if shares_phone else None,
            age=age_on(r.birth_date, today), sex=r.sex.label, skills=r.skills or "",
            experience=r.experience or "", work_capacity=r.work_capacity.label,
            via_invitation=app.id in invited,
        ))
    return out


class MaskedCandidate(MaskedCandidateOut):
    """What the API shows of a recommended resident, plus when the invitation went (for the page)."""

    model_config = ConfigDict(frozen=True)
    invited_at: datetime | None = Field(default=None, exclude=True)


@dataclass(frozen=True)
class Recommendations:
    available: bool
    message: str
    items: list[MaskedCandidate]


UNAVAILABLE = "人岗匹配服务暂不可用，暂时无法推荐求职者。已申请的求职者见上方列表。"
FAILED = "人岗匹配服务暂时出了问题，请稍后再试。已申请的求职者见上方列表。"


def candidate_ref(vacancy_id: int, resident_id: int) -> str:
    """Keyed, per vacancy: the same resident has unrelated references on two vacancies."""
    return lookup_hash(f"candidate:{vacancy_id}:{resident_id}")[:24]


def age_band(age: int) -> str:
    low = age // 10 * 10
    return f"{low}-{low + 9}岁"


class ResidentRanking(Protocol):
    """Residents who fit a vacancy, best first, with their scores: matching's answer, handed in by the
    composition root (``Parts.rank_residents``); raises :class:`Unavailable` when it cannot answer now."""

    def __call__(self, session: Session, vacancy: Vacancy, limit: int) -> list[tuple[Resident, float | None]]: ...


def recommended(session: Session, *, vacancy: Vacancy, rank: ResidentRanking, limit: int = 20) -> Recommendations:
    """The residents ``rank`` finds for the vacancy, masked for the employer."""
    try:
        matched = rank(session, vacancy, limit * 2)
    except Unavailable:
        return Recommendations(available=False, message=UNAVAILABLE, items=[])
    except Exception:
        log.exception("matching failed for vacancy %s", vacancy.id)
        return Recommendations(available=False, message=FAILED, items=[])
    applied = set(session.scalars(select(Application.resident_id).where(Application.vacancy_id == vacancy.id)))
    invitations = {i.resident_id: i for i in session.scalars(select(Invitation).where(Invitation.vacancy_id == vacancy.id))}
    names = dict(session.execute(select(Occupation.code, Occupation.name)).all())
    today = clock.today()
    items = []
    for resident, score in matched:
        # Consent is checked here again whatever matching returns: it is the rule this page must keep.
        if not resident.consent_to_employers or resident.id in applied:
            continue
        inv = invitations.get(resident.id)
        items.append(MaskedCandidate(
            candidate_ref=candidate_ref(vacancy.id, resident.id),
            age_band=age_band(age_on(resident.birth_date, today)),
            work_capacity=resident.work_capacity.label,
            fits_demands=not exceeded_domains(vacancy.demands or {}, resident.limits or {}),
            skills=(resident.skills or "")[:SKILLS_SHOWN],
            occupations=[names[c] for c in resident.occupation_codes or [] if c in names],
            distance_km=round(distance_km(resident.lat, resident.lon, vacancy.lat, vacancy.lon) * 2) / 2,
            score=score, invitation_status=inv.status if inv else None, invited_at=inv.created_at if inv else None,
        ))
        if len(items) >= limit:
            break
    message = "" if items else "暂时没有符合条件且同意展示的求职者。"
    return Recommendations(available=True, message=message, items=items)


def resolve_candidate(session: Session, *, vacancy: Vacancy, ref: str) -> Resident:
    """The consenting resident behind a reference of this vacancy; NotFound for anything else."""
    ids = session.scalars(select(Resident.id).where(Resident.consent_to_employers.is_(True)))
    for rid in ids:
        if hmac.compare_digest(candidate_ref(vacancy.id, rid), ref):
            return session.get(Resident, rid)
    raise NotFound("求职者不存在或已不再展示")

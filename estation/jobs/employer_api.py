"""JSON routes of the employer service: registration with an account, own vacancies, candidates,
invitations, the disability quota, notifications. Every employer route checks ownership on the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from estation.accounts.models import Role
from estation.deps import DB, CurrentPrincipal, Principal, require_roles
from estation.errors import Forbidden
from estation.jobs import candidates as cand
from estation.jobs import invitations, quota, service
from estation.jobs.api import Poster, _own_employer
from estation.jobs.models import Employer, Vacancy
from estation.jobs.occupation_suggest import suggest_occupations
from estation.jobs.schemas import (
    ApplicantOut,
    CandidatesOut,
    EmployerRegistered,
    EmployerRegistration,
    InvitationCreate,
    InvitationOut,
    NotificationOut,
    OccupationSuggestion,
    QuotaOut,
    StaffCounts,
    VacancyOut,
    VacancyRenew,
)
from estation.notifications import service as notifications
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1", tags=["employers"])

ResidentOnly = Annotated[Principal, Depends(require_roles(Role.resident))]


def own_vacancy(db: DB, principal: Principal, vacancy_id: int) -> Vacancy:
    """The vacancy if the principal may manage it (its employer, or staff), else 403/404."""
    vacancy = service.get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    _own_employer(principal, vacancy.employer_id)
    return vacancy


def quota_out(employer: Employer) -> QuotaOut:
    q = quota.employer_quota(employer)
    return QuotaOut(
        province=q.rule.province if q.rule.province != "00" else employer.province, province_name=q.rule.name,
        rate=float(q.rule.rate), staff_count=q.staff_count, disabled_staff_grade12=q.disabled_grade12,
        disabled_staff_other=q.disabled_other, counted=q.counted, required=float(q.required), gap=float(q.gap),
        hires_needed=q.hires_needed, severe_hires_needed=q.severe_hires_needed, met=q.met,
        levy_exempt=q.levy_exempt, source=q.rule.source,
    )


@router.post("/employers/register", response_model=EmployerRegistered, status_code=201)
def register(db: DB, data: EmployerRegistration) -> dict:
    """Public: the employer (pending staff review) and its sign-in account."""
    employer, user = service.register_employer(db, data=data)
    return {"employer": employer, "username": user.username}


@router.get("/employers/{employer_id}/vacancies", response_model=list[VacancyOut])
def employer_vacancies(db: DB, principal: Poster, employer_id: PathId) -> list[Vacancy]:
    """All of the employer's vacancies, drafts and closed ones included."""
    _own_employer(principal, employer_id)
    service.get_or_404(db, Employer, employer_id, "用人单位不存在")
    return list(db.scalars(select(Vacancy).where(Vacancy.employer_id == employer_id).order_by(Vacancy.id.desc())))


@router.get("/employers/{employer_id}/quota", response_model=QuotaOut)
def get_quota(db: DB, principal: Poster, employer_id: PathId) -> QuotaOut:
    _own_employer(principal, employer_id)
    return quota_out(service.get_or_404(db, Employer, employer_id, "用人单位不存在"))


@router.put("/employers/{employer_id}/staff", response_model=QuotaOut)
def update_staff(db: DB, principal: Poster, employer_id: PathId, data: StaffCounts) -> QuotaOut:
    _own_employer(principal, employer_id)
    employer = service.get_or_404(db, Employer, employer_id, "用人单位不存在")
    service.update_staff_counts(db, employer=employer, data=data)
    return quota_out(employer)


@router.post("/vacancies/{vacancy_id}/close", response_model=VacancyOut)
def close_vacancy(db: DB, principal: Poster, vacancy_id: PathId) -> Vacancy:
    return service.close_vacancy(db, vacancy=own_vacancy(db, principal, vacancy_id))


@router.post("/vacancies/{vacancy_id}/renew", response_model=VacancyOut)
def renew_vacancy(db: DB, principal: Poster, vacancy_id: PathId, data: VacancyRenew) -> Vacancy:
    return service.renew_vacancy(db, vacancy=own_vacancy(db, principal, vacancy_id), valid_until=data.valid_until)


@router.get("/vacancies/{vacancy_id}/applicants", response_model=list[ApplicantOut])
def list_applicants(db: DB, principal: Poster, vacancy_id: PathId) -> list[ApplicantOut]:
    vacancy = own_vacancy(db, principal, vacancy_id)
    return [
        ApplicantOut(
            application_id=a.application.id, reference=a.application.reference, status=a.application.status,
            status_reason=a.application.status_reason, name=a.name, phone=a.phone, age=a.age, sex=a.sex,
            skills=a.skills, work_capacity=a.work_capacity, via_invitation=a.via_invitation,
            applied_at=a.application.created_at,
        )
        for a in cand.applicants(db, vacancy=vacancy, viewer=principal.user)
    ]


@router.get("/vacancies/{vacancy_id}/candidates", response_model=CandidatesOut)
def list_candidates(request: Request, db: DB, principal: Poster, vacancy_id: PathId) -> CandidatesOut:
    rec = cand.recommended(db, vacancy=own_vacancy(db, principal, vacancy_id), state=request.app.state)
    return CandidatesOut(available=rec.available, message=rec.message,
                         items=rec.items)


@router.post("/vacancies/{vacancy_id}/invitations", response_model=InvitationOut, status_code=201)
def create_invitation(db: DB, principal: Poster, vacancy_id: PathId, data: InvitationCreate):  # noqa: ANN201
    vacancy = own_vacancy(db, principal, vacancy_id)
    resident = cand.resolve_candidate(db, vacancy=vacancy, ref=data.candidate_ref)
    return invitations.invite(db, vacancy=vacancy, resident=resident, by_user_id=principal.user.id,
                              message=data.message)


@router.get("/occupations/suggest", response_model=list[OccupationSuggestion])
def occupation_suggestions(db: DB, title: Annotated[str, Query(min_length=1, max_length=80)]) -> list:
    return suggest_occupations(db, title)


@router.get("/notifications", response_model=list[NotificationOut])
def my_notifications(db: DB, principal: CurrentPrincipal, unread: bool = False) -> list:
    return notifications.inbox(db, user=principal.user, unread_only=unread)


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
def read_notification(db: DB, principal: CurrentPrincipal, notification_id: PathId):  # noqa: ANN201
    return notifications.mark_read(db, user=principal.user, notification_id=notification_id)


def _resident_id(principal: Principal) -> int:
    if principal.user.resident_id is None:
        raise Forbidden("只有居民本人可以答复邀请")
    return principal.user.resident_id


@router.get("/invitations", response_model=list[InvitationOut])
def my_invitations(db: DB, principal: ResidentOnly) -> list:
    return invitations.invitations_for_resident(db, resident_id=_resident_id(principal))


@router.post("/invitations/{invitation_id}/accept", response_model=InvitationOut)
def accept(db: DB, principal: ResidentOnly, invitation_id: PathId):  # noqa: ANN201
    return invitations.accept_invitation(db, invitation_id=invitation_id, resident_id=_resident_id(principal),
                                         by_user_id=principal.user.id)


@router.post("/invitations/{invitation_id}/decline", response_model=InvitationOut)
def decline(db: DB, principal: ResidentOnly, invitation_id: PathId):  # noqa: ANN201
    return invitations.decline_invitation(db, invitation_id=invitation_id, resident_id=_resident_id(principal),
                                          by_user_id=principal.user.id)

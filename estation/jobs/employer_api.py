"""JSON routes of the employer service: registration with an account, own vacancies, candidates,
invitations, the disability quota, notifications. Every employer route checks ownership on the server."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from estation.accounts.models import Role
from estation.deps import DB, CurrentPrincipal, Principal, parts, require_roles
from estation.errors import Forbidden, error_responses
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
from estation.kit import get_or_404
from estation.notifications import service as notifications
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1", tags=["employers"])

ResidentOnly = Annotated[Principal, Depends(require_roles(Role.resident))]


def own_vacancy(db: DB, principal: Principal, vacancy_id: int) -> Vacancy:
    """The vacancy if the principal may manage it (its employer, or staff), else 403/404."""
    vacancy = get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
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


@router.post("/employers/register", response_model=EmployerRegistered, status_code=201,
             summary="用人单位注册",
             description="用人单位自行注册并创建登录账号（公开）；须经工作人员审核通过后才能发布岗位。",
             responses=error_responses((409, "统一社会信用代码已注册，或用户名已被使用")))
def register(db: DB, data: EmployerRegistration) -> dict:
    """Public: the employer (pending staff review) and its sign-in account."""
    employer, user = service.register_employer(db, data=data)
    return {"employer": employer, "username": user.username}


@router.get("/employers/{employer_id}/vacancies", response_model=list[VacancyOut],
            summary="本单位岗位",
            description="列出用人单位的全部岗位，含草稿和已关闭的，新的在前。",
            responses=error_responses((403, "只能管理本单位的信息"), (404, "用人单位不存在")))
def employer_vacancies(db: DB, principal: Poster, employer_id: PathId) -> list[Vacancy]:
    """All of the employer's vacancies, drafts and closed ones included."""
    _own_employer(principal, employer_id)
    get_or_404(db, Employer, employer_id, "用人单位不存在")
    return list(db.scalars(select(Vacancy).where(Vacancy.employer_id == employer_id).order_by(Vacancy.id.desc())))


@router.get("/employers/{employer_id}/quota", response_model=QuotaOut,
            summary="残疾人就业比例",
            description="按单位所在省份的规定，计算按比例安排残疾人就业的应安排人数、已安排人数和差额。",
            responses=error_responses((403, "只能管理本单位的信息"), (404, "用人单位不存在")))
def get_quota(db: DB, principal: Poster, employer_id: PathId) -> QuotaOut:
    _own_employer(principal, employer_id)
    return quota_out(get_or_404(db, Employer, employer_id, "用人单位不存在"))


@router.put("/employers/{employer_id}/staff", response_model=QuotaOut,
            summary="更新在职职工人数",
            description="更新单位在职职工总数和残疾职工人数，返回重新计算的残疾人就业比例。",
            responses=error_responses((403, "只能管理本单位的信息"), (404, "用人单位不存在")))
def update_staff(db: DB, principal: Poster, employer_id: PathId, data: StaffCounts) -> QuotaOut:
    _own_employer(principal, employer_id)
    employer = get_or_404(db, Employer, employer_id, "用人单位不存在")
    service.update_staff_counts(db, employer=employer, data=data)
    return quota_out(employer)


@router.post("/vacancies/{vacancy_id}/close", response_model=VacancyOut,
             summary="关闭岗位",
             description="招满或不再招聘时关闭岗位，岗位不再出现在搜索和推荐中。",
             responses=error_responses((403, "只能管理本单位的信息"),
                                       (404, "岗位不存在"),
                                       (409, "岗位当前的状态不能关闭")))
def close_vacancy(db: DB, principal: Poster, vacancy_id: PathId) -> Vacancy:
    return service.close_vacancy(db, vacancy=own_vacancy(db, principal, vacancy_id))


@router.post("/vacancies/{vacancy_id}/renew", response_model=VacancyOut,
             summary="延长岗位有效期",
             description="把岗位的有效期延长到新的日期（不超过规定上限），过期的岗位重新在招。",
             responses=error_responses((403, "只能管理本单位的信息"), (404, "岗位不存在")))
def renew_vacancy(db: DB, principal: Poster, vacancy_id: PathId, data: VacancyRenew) -> Vacancy:
    return service.renew_vacancy(db, vacancy=own_vacancy(db, principal, vacancy_id), valid_until=data.valid_until)


@router.get("/vacancies/{vacancy_id}/applicants", response_model=list[ApplicantOut],
            summary="岗位的求职者",
            description="列出对该岗位提交求职意向的居民；只显示居民同意向用人单位展示的信息。",
            responses=error_responses((403, "只能管理本单位的信息"), (404, "岗位不存在")))
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


@router.get("/vacancies/{vacancy_id}/candidates", response_model=CandidatesOut,
            summary="岗位的推荐人选",
            description=("按体力要求、距离和技能为岗位推荐合适的求职者（只含同意向用人单位展示的居民，以代号表示）"
                         "；智能匹配暂不可用时 available 为 false 并说明原因。"),
            responses=error_responses((403, "只能管理本单位的信息"), (404, "岗位不存在")))
def list_candidates(request: Request, db: DB, principal: Poster, vacancy_id: PathId) -> CandidatesOut:
    rec = cand.recommended(db, vacancy=own_vacancy(db, principal, vacancy_id), rank=parts(request).rank_residents)
    return CandidatesOut(available=rec.available, message=rec.message,
                         items=rec.items)


@router.post("/vacancies/{vacancy_id}/invitations", response_model=InvitationOut, status_code=201,
             summary="邀请求职者",
             description="用人单位从推荐人选中邀请一位求职者，可附一段话；居民会收到通知，可接受或婉拒。",
             responses=error_responses((403, "只能管理本单位的信息"),
                                       (404, "岗位或求职者不存在"),
                                       (409, "已经邀请过这位求职者")))
def create_invitation(db: DB, principal: Poster, vacancy_id: PathId, data: InvitationCreate):
    vacancy = own_vacancy(db, principal, vacancy_id)
    resident = cand.resolve_candidate(db, vacancy=vacancy, ref=data.candidate_ref)
    return invitations.invite(db, vacancy=vacancy, resident=resident, by_user_id=principal.user.id,
                              message=data.message)


@router.get("/occupations/suggest", response_model=list[OccupationSuggestion],
            summary="职业代码联想",
            description="根据岗位名称推荐最接近的职业分类代码，供发布岗位时选择（公开）。")
def occupation_suggestions(db: DB, title: Annotated[str, Query(min_length=1, max_length=80)]) -> list:
    return suggest_occupations(db, title)


@router.get("/notifications", response_model=list[NotificationOut],
            summary="我的消息",
            description="当前账号收到的站内消息，新的在前；unread=true 只看未读。")
def my_notifications(db: DB, principal: CurrentPrincipal, unread: bool = False) -> list:
    return notifications.inbox(db, user=principal.user, unread_only=unread)


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut,
             summary="标为已读",
             description="把一条消息标为已读。",
             responses=error_responses((403, "只能查看发给您的消息"), (404, "消息不存在")))
def read_notification(db: DB, principal: CurrentPrincipal, notification_id: PathId):
    return notifications.mark_read(db, user=principal.user, notification_id=notification_id)


def _resident_id(principal: Principal) -> int:
    if principal.user.resident_id is None:
        raise Forbidden("只有居民本人可以答复邀请")
    return principal.user.resident_id


@router.get("/invitations", response_model=list[InvitationOut],
            summary="我收到的邀请",
            description="居民本人查看用人单位发来的面试邀请。")
def my_invitations(db: DB, principal: ResidentOnly) -> list:
    return invitations.invitations_for_resident(db, resident_id=_resident_id(principal))


@router.post("/invitations/{invitation_id}/accept", response_model=InvitationOut,
             summary="接受邀请",
             description="居民接受一份邀请；同时向该岗位提交求职意向，用人单位会收到通知。用人单位能看到居民的姓名、"
                         "性别、年龄、劳动能力、技能和经历；电话只在 share_phone=true 时给。",
             responses=error_responses((404, "邀请不存在"), (409, "这份邀请已经答复过")))
def accept(db: DB, principal: ResidentOnly, invitation_id: PathId,
           share_phone: Annotated[bool, Query(description="是否让用人单位看到本人电话（默认不给）")] = False):
    return invitations.accept_invitation(db, invitation_id=invitation_id, resident_id=_resident_id(principal),
                                         by_user_id=principal.user.id, share_phone=share_phone)


@router.post("/invitations/{invitation_id}/decline", response_model=InvitationOut,
             summary="婉拒邀请",
             description="居民婉拒一份邀请，用人单位会收到通知（有原因时含原因，不含居民姓名）。",
             responses=error_responses((404, "邀请不存在"), (409, "这份邀请已经答复过")))
def decline(db: DB, principal: ResidentOnly, invitation_id: PathId,
            reason: Annotated[str, Query(max_length=2000, description="婉拒原因（选填，200字以内）")] = ""):
    return invitations.decline_invitation(db, invitation_id=invitation_id, resident_id=_resident_id(principal),
                                          by_user_id=principal.user.id, reason=reason)

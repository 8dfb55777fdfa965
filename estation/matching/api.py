"""JSON routes of matching: a resident's jobs, a household's, a vacancy's residents, similar jobs.

Who may ask: a resident only about themselves; counter staff and admins about anyone; cadres about
the members of their paired households, leaders about their communities, community staff about
their community (estation.labour.access); an employer only about their own vacancies, and then sees
residents masked. Every resident whose record is read is written to the access log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from estation import clock
from estation.accounts.models import Role
from estation.accounts.service import log_access
from estation.deps import DB, CurrentPrincipal, parts
from estation.errors import Forbidden, InvalidInput, NotFound, error_responses
from estation.jobs.candidates import SKILLS_SHOWN, age_band, candidate_ref
from estation.jobs.models import Vacancy
from estation.kit import get_or_404
from estation.labour import access
from estation.labour.models import Household, Resident
from estation.labour.service import age_on
from estation.matching.households import match_household
from estation.matching.schemas import (
    HouseholdMatchOut,
    MaskedResidentOut,
    MemberMatchOut,
    OccupationMatchOut,
    RecommendationsOut,
    SimilarJobOut,
    SimilarJobsOut,
    SkippedOut,
    StaffResidentOut,
    VacancyMatchOut,
    recommendations_out,
)
from estation.matching.similarity import similar_jobs
from estation.matching.vacancies import residents_for_vacancy
from estation.privacy import mask_name
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1", tags=["matching"])

Limit = Annotated[int, Query(ge=1, le=50, description="返回条数")]
STAFF_ANY = frozenset({Role.counter_staff, Role.admin})


def _matcher(request: Request):
    return parts(request).matching.matcher()


def _today() -> date:
    return clock.today()


@router.get("/match/resident/{resident_id}", response_model=RecommendationsOut,
            summary="为居民推荐岗位",
            description=("按居民的身体限制（每项0-4级，岗位的要求不能超过）、距离、工时和技能意愿推荐岗位，并说明"
                         "每项限制排除了多少相关岗位。"),
            responses=error_responses((403, "该居民不在您负责的范围内"),
                                      (404, "居民不存在"),
                                      (503, "智能匹配暂不可用，或数据库暂时不可用")))
def match_resident(request: Request, db: DB, principal: CurrentPrincipal, resident_id: PathId, limit: Limit = 10,
                   kind: Literal["vacancy", "startup"] = "vacancy") -> RecommendationsOut:
    access.ensure_can_see_resident(db, principal.user, resident_id)
    resident = get_or_404(db, Resident, resident_id, "居民不存在")
    matcher = _matcher(request)
    result = matcher.recommend(db, resident=resident, limit=limit, kind=kind, rows=False)
    # Logged after matching, never before: the log row is a write, and no request may hold the database's
    # write lock (SQLite: the only one) while it waits on the model and the search engine.
    reason = "本人查看岗位推荐" if principal.role == Role.resident else "为居民匹配岗位"
    log_access(db, user=principal.user, resident_id=resident.id, action="match", what="岗位匹配", reason=reason)
    return recommendations_out(result)


@router.get("/match/household/{household_id}", response_model=HouseholdMatchOut,
            summary="为家庭推荐岗位",
            description="为一户家庭中每位有劳动能力的成员推荐岗位。",
            responses=error_responses((403, "您无权查看该家庭的信息"),
                                      (404, "家庭不存在"),
                                      (503, "智能匹配暂不可用，或数据库暂时不可用")))
def match_household_route(request: Request, db: DB, principal: CurrentPrincipal, household_id: PathId) -> HouseholdMatchOut:
    if principal.role in (Role.employer, Role.resident):
        raise Forbidden("您无权查看该家庭的信息")
    access.ensure_can_see_household(db, principal.user, household_id)
    household = get_or_404(db, Household, household_id, "家庭不存在")
    matcher = _matcher(request)
    result = match_household(matcher, db, household=household, today=_today())
    for m in household.members:
        log_access(db, user=principal.user, resident_id=m.id, action="match", what="家庭成员岗位匹配",
                   reason="为家庭成员匹配岗位和创业机会")
    return HouseholdMatchOut(
        household_id=household.id,
        members=[MemberMatchOut(resident_id=m.resident_id, name=m.name, age=m.age, work_capacity=m.work_capacity,
                           employment_status=m.employment_status, considerations=m.considerations,
                           jobs=recommendations_out(m.jobs),
                           startups=recommendations_out(m.startups)) for m in result.members],
        skipped=[SkippedOut(resident_id=s.resident_id, name=s.masked_name, reason=s.reason) for s in result.skipped],
    )


@router.get("/match/vacancy/{vacancy_id}", response_model=VacancyMatchOut,
            summary="岗位的匹配人选",
            description="为一个岗位找出合适的居民：用人单位只看到同意展示的居民的代号和概况，工作人员看到姓名。",
            responses=error_responses((403, "只能查看本单位岗位的匹配人选"),
                                      (404, "岗位不存在"),
                                      (503, "智能匹配暂不可用，或数据库暂时不可用")))
def match_vacancy(request: Request, db: DB, principal: CurrentPrincipal, vacancy_id: PathId, limit: Limit = 20) -> VacancyMatchOut:
    if principal.role not in STAFF_ANY | {Role.employer}:
        raise Forbidden("您没有权限查看岗位的匹配人选")
    vacancy = db.get(Vacancy, vacancy_id)
    employer = principal.role == Role.employer
    if employer and (vacancy is None or vacancy.employer_id != principal.user.employer_id):
        raise Forbidden("只能查看本单位岗位的匹配人选")
    if vacancy is None:
        raise NotFound("岗位不存在")
    matcher = _matcher(request)
    fits = residents_for_vacancy(matcher, db, vacancy=vacancy, limit=limit, consented_only=employer, today=_today())
    today = _today()
    for f in fits:
        log_access(db, user=principal.user, resident_id=f.resident.id, action="match",
                   what="岗位匹配人选" + ("（已遮蔽）" if employer else ""), reason=f"为“{vacancy.title}”找人选")
    if employer:
        residents = [MaskedResidentOut(
            candidate_ref=candidate_ref(vacancy.id, f.resident.id), age_band=age_band(age_on(f.resident.birth_date, today)),
            work_capacity=f.resident.work_capacity.label, skills=(f.resident.skills or "")[:SKILLS_SHOWN],
            distance_km=round(f.distance_km * 2) / 2 if f.distance_km is not None else None, score=f.score,
        ) for f in fits]
    else:
        residents = [StaffResidentOut(
            resident_id=f.resident.id, masked_name=mask_name(f.resident.name),
            consent_to_employers=f.resident.consent_to_employers, score=f.score, distance_km=f.distance_km,
            reasons=f.reasons,
        ) for f in fits]
    return VacancyMatchOut(vacancy_id=vacancy.id, masked=employer, residents=residents)


@router.get("/similar-jobs", response_model=SimilarJobsOut,
            summary="相似岗位",
            description="给出岗位编号或岗位名称（二选一），找出内容相近的在招岗位（公开）。",
            responses=error_responses((404, "岗位不存在"),
                                      (422, "填写有误：须提供 vacancy_id 或 title 之一"),
                                      (503, "智能匹配暂不可用，或数据库暂时不可用")))
def similar(request: Request, db: DB, vacancy_id: int | None = Query(None, ge=1),
            title: str | None = Query(None, min_length=1, max_length=80),
            limit: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 10) -> SimilarJobsOut:
    if (vacancy_id is None) == (title is None or not title.strip()):
        raise InvalidInput("请提供岗位编号 vacancy_id 或岗位名称 title（二选一）", field="vacancy_id" if title else "title")
    vacancy = None
    if vacancy_id is not None:
        vacancy = get_or_404(db, Vacancy, vacancy_id, "岗位不存在")
    items = similar_jobs(_matcher(request), db, vacancy=vacancy, title=title, limit=limit, today=_today())
    return SimilarJobsOut(items=[SimilarJobOut(id=i.id, title=i.title, employer_name=i.employer_name,
                                               similarity=i.similarity) for i in items])


@router.get("/match/occupations", response_model=list[OccupationMatchOut],
            summary="职业名称归一",
            description=("把一段职业描述（如“看大门的”）对应到2022年版职业分类中最接近的几个职业代码，附相似度（公"
                         "开）。"),
            responses=error_responses((503, "智能匹配暂不可用")))
def normalise_occupation(request: Request, text: str = Query(..., min_length=1, max_length=200,
                                                             description="岗位名称或一句工作经历"),
                         k: int = Query(5, ge=1, le=20)) -> list[OccupationMatchOut]:
    """Free text -> the closest codes of the 2022 occupation classification, with scores."""
    index = _matcher(request).occupations
    if index is None:
        from estation.matching.runtime import MatchingUnavailable

        raise MatchingUnavailable("no occupation index")
    return [OccupationMatchOut(code=m.code, name=m.name, score=m.score, confident=m.confident) for m in index.top(text, k=k)]

"""JSON routes of the volunteer alliance: members, the street's summary, needs, proposals, assignments and
services. Every route checks the role first, then the community, household or need it touches."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from estation import clock
from estation.deps import DB, Principal, parts, require_roles
from estation.errors import error_responses
from estation.schemas import PathId
from estation.volunteers import export, proposals, service
from estation.volunteers.models import Activity
from estation.volunteers.schemas import (
    NeedCreate,
    NeedOut,
    Proposal,
    ServiceCreate,
    Summary,
    VolunteerAssignmentCreate,
    VolunteerAssignmentOut,
    VolunteerCreate,
    VolunteerOut,
)

router = APIRouter(prefix="/api/v1/volunteers", tags=["volunteers"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Keeper = Annotated[Principal, Depends(require_roles(*service.KEEPERS))]
Reader = Annotated[Principal, Depends(require_roles(*service.READERS))]
Poster = Annotated[Principal, Depends(require_roles(*service.POSTERS))]
Community = Annotated[str | None, Query(pattern=r"^\d{12}$", description="只看一个社区（联居领导和管理员）")]


@router.post("", response_model=VolunteerOut, status_code=201,
             summary="登记志愿者",
             description=("社区工作人员（本社区）或管理员登记一名党员、志愿者联盟成员：姓名、身份证号、手机（加密保存，"
                          "只显示遮挡后的号码）、兴趣爱好、技能特长、愿意参加的志愿活动、每周空余时间（星期几的上午、"
                          "下午或晚上）、愿意去多远、是否党员、是否同意被联系。年龄段由身份证号算出。同一身份证号只能登记一次。"),
             responses=error_responses((403, "社区工作人员只能登记本社区的志愿者"),
                                       (409, "此人已登记为志愿者")))
def register(db: DB, principal: Keeper, data: VolunteerCreate) -> VolunteerOut:
    today = clock.today()
    return service.member_out(db, service.register(db, user=principal.user, data=data, today=today), today=today)


@router.get("", response_model=list[VolunteerOut],
            summary="志愿者台账",
            description=("按社区登记的联盟成员：年龄段、兴趣、空余时间、愿意参加的活动、服务时长和最近一次服务。社区工作"
                         "人员看本社区，联居领导和管理员看全街道（可按社区、活动筛选）。身份证号和手机均已遮挡。"))
def volunteer_ledger(db: DB, principal: Reader, community_code: Community = None,
                     activity: Activity | None = None) -> list[VolunteerOut]:
    return service.ledger(db, user=principal.user, today=clock.today(), community_code=community_code,
                          activity=activity)


@router.get("/summary", response_model=Summary,
            summary="志愿者汇总",
            description=("街道汇总：成员数、党员数、近一季度（90天）参加过服务的人数、累计服务时长，按志愿活动、社区和"
                         "年龄段分列；各社区之和等于合计。社区工作人员只看到本社区。"))
def volunteer_summary(db: DB, principal: Reader) -> Summary:
    return service.summary(db, user=principal.user, today=clock.today())


@router.get("/export.xlsx", response_class=Response,
            summary="导出志愿者台账",
            description="把志愿者台账和汇总导出为 Excel 文件（两张工作表；身份证号和手机已遮挡）。",
            responses={200: {"content": {XLSX: {}}, "description": "Excel 文件"}})
def export_ledger(db: DB, principal: Reader) -> Response:
    content, name = export.ledger_file(db, user=principal.user, today=clock.today())
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})


@router.post("/needs", response_model=NeedOut, status_code=201,
             summary="发布志愿服务需求",
             description=("社区工作人员（本社区）、包户干部（结对家庭）、联居领导和管理员发布需求：活动类别、标题、需要什么、"
                          "时间（开始日期、上午/下午/晚上、是否每周一次）、每次时长和人数；探访家庭时地点即该户住址，"
                          "否则写明社区和地点。"),
             responses=error_responses((403, "不能为这个社区或家庭发布需求")))
def post_need(db: DB, principal: Poster, data: NeedCreate) -> NeedOut:
    need = service.post_need(db, user=principal.user, data=data, today=clock.today())
    return service.one_need_out(db, need)


@router.get("/needs", response_model=list[NeedOut],
            summary="志愿服务需求",
            description="本人可见的需求：社区工作人员看本社区，包户干部看自己发布的和结对家庭的，联居领导和管理员看全部。")
def list_needs(db: DB, principal: Poster) -> list[NeedOut]:
    return service.needs_for(db, user=principal.user)


@router.get("/needs/{need_id}/proposals", response_model=list[Proposal],
            summary="推荐志愿者",
            description=("为一项需求推荐志愿者：只推荐同意被联系、在需求的星期和时段有空、住处在其愿意去的距离以内的成员；"
                         "按是否愿意参加这类活动、兴趣和技能与需求的相近程度（智能匹配的文本模型）和距离排序。每条理由"
                         "都来自登记的信息。"),
             responses=error_responses((404, "该需求不存在，或不在您负责的范围内"),
                                       (503, "智能匹配暂不可用")))
def propose(request: Request, db: DB, principal: Poster, need_id: PathId,
            limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[Proposal]:
    need = service.visible_need(db, principal.user, need_id)
    return proposals.propose(db, need=need, matching=parts(request).matching, limit=limit)


@router.get("/needs/{need_id}/assignments", response_model=list[VolunteerAssignmentOut],
            summary="需求的志愿者安排",
            description="已安排的志愿者、推荐理由、每次服务的出勤和时长。",
            responses=error_responses((404, "该需求不存在，或不在您负责的范围内")))
def need_assignments(db: DB, principal: Poster, need_id: PathId) -> list[VolunteerAssignmentOut]:
    need = service.visible_need(db, principal.user, need_id)
    return service.assignments_of_need(db, need=need)


@router.post("/needs/{need_id}/assignments", response_model=VolunteerAssignmentOut, status_code=201,
             summary="安排志愿者",
             description=("把一名志愿者安排到需求上（须同意被联系、那时有空、距离在其愿意范围内）；保存推荐时的理由。"
                          "同一人重复安排返回 409。"),
             responses=error_responses((404, "该需求不存在，或不在您负责的范围内"),
                                       (409, "已安排过，或该志愿者那时没有空、距离太远、未同意被联系"),
                                       (503, "智能匹配暂不可用")))
def assign(request: Request, db: DB, principal: Poster, need_id: PathId, data: VolunteerAssignmentCreate) -> VolunteerAssignmentOut:
    need = service.visible_need(db, principal.user, need_id)
    assignment = proposals.assign(db, user=principal.user, need=need, volunteer_id=data.volunteer_id,
                                  matching=parts(request).matching, today=clock.today())
    return service.assignment_out(assignment)


@router.post("/assignments/{assignment_id}/services", response_model=VolunteerAssignmentOut, status_code=201,
             summary="登记出勤和服务时长",
             description=("登记志愿者某一天是否到岗和服务了几小时（须是需求的服务日，不晚于今天）；同一天只登记一次，"
                          "再次提交返回 409。"),
             responses=error_responses((404, "该安排不存在，或不在您负责的范围内"),
                                       (409, "这一天已经登记过了")))
def record_service(db: DB, principal: Poster, assignment_id: PathId, data: ServiceCreate) -> VolunteerAssignmentOut:
    assignment = service.visible_assignment(db, principal.user, assignment_id)
    service.record_service(db, user=principal.user, assignment=assignment, data=data, today=clock.today())
    return service.assignment_out(assignment)


@router.get("/households/{household_id}/visits", response_model=list[VolunteerAssignmentOut],
            summary="家庭的志愿者探访",
            description="台账中一户家庭由哪些志愿者探访、什么时间、每次来没来。可见范围同该家庭的台账。",
            responses=error_responses((403, "您无权查看该家庭的信息"), (404, "家庭不存在")))
def household_visits(db: DB, principal: Poster, household_id: PathId) -> list[VolunteerAssignmentOut]:
    return service.visible_household_visits(db, user=principal.user, household_id=household_id)

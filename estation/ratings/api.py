"""JSON routes of service ratings (好差评): the monthly report for leaders and admins, and the follow-up
items of poor ratings for admins (the supervisors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal, require_roles
from estation.errors import error_responses
from estation.ratings import service
from estation.ratings.models import FollowUpStatus, RatingFollowUp, Satisfaction
from estation.reports.service import first_day, month_of
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1/ratings", tags=["ratings"])

Overseer = Annotated[Principal, Depends(require_roles(Role.leader, Role.admin))]
Supervisor = Annotated[Principal, Depends(require_roles(Role.admin))]
Month = Annotated[str | None, Query(max_length=7, description="月份，如 2026-03；不填为本月"),
                  AfterValidator(lambda v: v if v is None else month_of("月份")(v))]


class RatingTallyOut(BaseModel):
    name: str = Field(description="窗口或服务事项的名称（“自助终端”为终端使用后的评价）")
    total: int = Field(description="评价总数")
    counts: dict[Satisfaction, int] = Field(description="各评价等级的条数（非常满意……非常不满意）")
    satisfied: int = Field(description="基本满意及以上的条数")
    satisfaction_rate: float | None = Field(description="满意率：基本满意及以上占评价总数的比例；没有评价时为空")


class MonthlyOut(BaseModel):
    month: str = Field(description="月份，如 2026-03")
    totals: RatingTallyOut = Field(description="这个月的合计")
    by_window: list[RatingTallyOut] = Field(description="按窗口，各行相加等于合计")
    by_service: list[RatingTallyOut] = Field(description="按服务事项，各行相加等于合计")


class StepOut(BaseModel):
    at: datetime
    status: FollowUpStatus
    note: str


class RatingFollowUpOut(BaseModel):
    id: int = Field(description="差评回访编号")
    status: FollowUpStatus
    level: Satisfaction
    reason: str | None = Field(description="居民选的原因或写的话（已隐去号码）")
    case_reference: str | None = Field(description="所评办件的编号；对自助终端的评价为空")
    window: int | None = Field(description="办结办件的窗口")
    rated_at: datetime
    steps: list[StepOut]


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=1000, description="做了什么（回访、整改、答复居民等）")
    status: FollowUpStatus = Field(description="处理后的状态：处理中或已办结")


def _tally(name: str, t: service.Tally) -> RatingTallyOut:
    return RatingTallyOut(name=name, total=t.total, counts=t.counts, satisfied=t.satisfied, satisfaction_rate=t.rate)


@router.get("/monthly", response_model=MonthlyOut,
            summary="好差评月报",
            description=("一个月内居民对窗口办件和自助终端的评价：按评价等级计数、满意率（基本满意及以上占比），"
                         "按窗口和按服务事项分列，各行相加等于合计。联居领导和管理员可看。"),
            responses=error_responses((422, "月份格式不对")))
def monthly(db: DB, principal: Overseer, month: Month = None) -> MonthlyOut:
    first = first_day(month) if month else clock.today().replace(day=1)
    report = service.monthly(db, month=first)
    return MonthlyOut(month=first.strftime("%Y-%m"), totals=_tally("合计", report.totals),
                      by_window=[_tally(n, t) for n, t in report.by_window],
                      by_service=[_tally(n, t) for n, t in report.by_service])


def _follow_up(item: RatingFollowUp, references: dict[int, str]) -> RatingFollowUpOut:
    r = item.rating
    return RatingFollowUpOut(id=item.id, status=item.status, level=r.level, reason=r.reason,
                       case_reference=references.get(r.case_id) if r.case_id else None, window=r.window,
                       rated_at=r.rated_at, steps=[StepOut(at=s.at, status=s.status, note=s.note) for s in item.steps])


@router.get("/follow-ups", response_model=list[RatingFollowUpOut],
            summary="差评回访列表",
            description="不满意、非常不满意的评价各成一条回访事项，由管理员（督办）处理到办结；可按状态筛选。",
            responses=error_responses(422))
def list_follow_ups(db: DB, principal: Supervisor,
                    status: Annotated[FollowUpStatus | None, Query(description="按状态筛选")] = None) -> list[RatingFollowUpOut]:
    items = service.follow_ups(db, status=status)
    references = service.case_references(db, [i.rating.case_id for i in items if i.rating.case_id])
    return [_follow_up(i, references) for i in items]


@router.post("/follow-ups/{follow_up_id}/steps", response_model=RatingFollowUpOut,
             summary="记录差评回访的处理情况",
             description="写下做了什么，并把事项改为处理中或已办结；已办结的事项不能再记录。",
             responses=error_responses((404, "没有这条差评回访"), (409, "这条差评回访已经办结")))
def add_step(db: DB, principal: Supervisor, follow_up_id: PathId, body: StepIn) -> RatingFollowUpOut:
    item = service.record_step(db, follow_up_id=follow_up_id, note=body.note, status=body.status, by=principal.user)
    return _follow_up(item, service.case_references(db, [item.rating.case_id] if item.rating.case_id else []))

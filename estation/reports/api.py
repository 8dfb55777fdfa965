"""JSON route of the outcomes report: leaders and admins see every community, community staff their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal, require_roles
from estation.errors import error_responses
from estation.reports import service
from estation.reports.schemas import Outcomes

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(require_roles(Role.leader, Role.admin, Role.community_staff))]
FromMonth = Annotated[str, Query(alias="from", max_length=7, description="起始月份，如 2026-01"),
                      AfterValidator(service.month_of("起始月份"))]
ToMonth = Annotated[str, Query(alias="to", max_length=7, description="结束月份（含），如 2026-06"),
                    AfterValidator(service.month_of("结束月份"))]


@router.get("/outcomes", response_model=Outcomes, response_model_by_alias=True,
            summary="就业成效统计",
            description=("一段月份内的就业成效：求职人数、上岗人次、从登记失业到上岗的天数中位数、上岗满3个月的在岗情况、"
                         "零就业家庭的变化和公益性岗位安置，并按社区、按残疾类别/年龄段/性别分组（分组数字用于公平性监测）。"
                         "“被推荐过岗位”按记录计：期间内用人单位从匹配推荐的人选中发出邀请，或包户干部推荐了岗位"
                         "（不逐人实时重跑匹配：太慢，且今天的匹配结果不是当时给到本人的推荐）。"
                         "残疾类别中求职人数少于5人的组不公开数字，另有组一并不单独公开，使其无法由总数推算（见 hidden）。"
                         "联居领导和管理员看全部社区，社区工作人员只看本社区。"),
            responses=error_responses((422, "月份格式不对，或结束月份早于起始月份")))
def outcomes(db: DB, principal: Reader, from_month: FromMonth, to_month: ToMonth) -> Outcomes:
    span = service.period(service.first_day(from_month), service.first_day(to_month))
    return _schema(service.outcomes(db, user=principal.user, period=span, today=clock.today()))


def _figures(counts: service.Counts) -> dict[str, object]:
    return {
        "registered_job_seekers": counts.registered_job_seekers, "placements": counts.placements,
        "median_days_to_placement": counts.median_days_to_placement,
        "retained_3_months": {"due": counts.due_3_months, "retained": counts.retained_3_months},
        "zero_employment_households": {"at_start": counts.zero_at_start, "at_end": counts.zero_at_end,
                                       "cleared": counts.cleared},
        "public_welfare_posts": counts.public_welfare_posts,
    }


def _schema(report: service.Outcomes) -> Outcomes:
    return Outcomes.model_validate({
        "from": report.period.start.strftime("%Y-%m"), "to": report.period.end.strftime("%Y-%m"),
        **_figures(report.totals),
        "by_community": [{"code": code, "name": name, **_figures(counts)} for code, name, counts in report.by_community],
        "by_group": [{"dimension": g.dimension, "group": g.group, "label": g.label, "hidden": g.hidden,
                      **({"job_seekers": None, "with_recommendations": None, "placements": None} if g.hidden else
                         {"job_seekers": g.job_seekers, "with_recommendations": g.with_recommendations,
                          "placements": g.placements})}
                     for g in report.by_group],
        "withheld_dimensions": report.withheld,
    })

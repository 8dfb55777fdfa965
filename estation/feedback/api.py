"""JSON routes for staff: read residents' suggestions and complaints and answer them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal, require_roles
from estation.errors import error_responses
from estation.feedback import service
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus, SuggestionTopic
from estation.reports.service import first_day, month_of, period
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1/suggestions", tags=["feedback"])

Staff = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.community_staff, Role.admin))]
Overseer = Annotated[Principal, Depends(require_roles(Role.leader, Role.admin))]


class SuggestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    kind: SuggestionKind
    text: str
    channel: str
    status: SuggestionStatus
    answer: str | None
    answered_at: datetime | None
    created_at: datetime
    from_resident: bool = Field(description="是否由登录的居民留下（居民下次登录可看到答复）")
    public_consent: bool = Field(description="居民留言时是否同意公开（隐去姓名、证件号和电话）")
    topic: SuggestionTopic | None = Field(description="答复时选的主题")
    published: bool = Field(description="是否已公开在留言公开页上")


class SuggestionList(BaseModel):
    items: list[SuggestionOut]
    total: int


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=2000)
    publish: bool = Field(False, description="公开到留言公开页（须居民同意；公开的是隐去姓名、证件号和电话的文字）")
    topic: SuggestionTopic = Field(SuggestionTopic.other, description="主题，公开页按主题分组")


class PublicAnswerOut(BaseModel):
    reference: str = Field(description="留言编号")
    topic: SuggestionTopic = Field(description="主题")
    kind: SuggestionKind
    asked_on: date = Field(description="留言日期")
    answered_on: date = Field(description="答复日期")
    text: str = Field(description="留言内容（已隐去姓名、证件号和电话）")
    answer: str = Field(description="答复内容（已隐去姓名、证件号和电话）")


class MonthResponseOut(BaseModel):
    month: str = Field(description="留言的月份，如 2026-03")
    received: int = Field(description="当月收到的留言数")
    answered: int = Field(description="其中已答复的条数")
    answered_share: float = Field(description="已答复占比（0-1）")
    median_days: float | None = Field(description="从留言到答复的天数中位数（按北京时间的日历天，只计已答复的）")
    max_days: int | None = Field(description="从留言到答复最长的天数")


def _out(row: Suggestion) -> SuggestionOut:
    # Staff see the text and whether a resident is behind it, not who: answering needs no identity.
    return SuggestionOut(
        id=row.id, reference=row.reference, kind=row.kind, text=row.text, channel=row.channel, status=row.status,
        answer=row.answer, answered_at=row.answered_at, created_at=row.created_at,
        from_resident=row.resident_id is not None, public_consent=row.public_consent, topic=row.topic,
        published=row.published,
    )


@router.get("", response_model=SuggestionList,
            summary="留言建议列表",
            description=("居民在自助终端留下的建议和投诉，可按状态筛选；只显示内容和是否由登录的居民留下，不显示是"
                         "谁。"))
def list_suggestions(
    db: DB, principal: Staff,
    status: Annotated[SuggestionStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100000)] = 0,
) -> SuggestionList:
    rows, total = service.listing(db, status=status, limit=limit, offset=offset)
    return SuggestionList(items=[_out(r) for r in rows], total=total)


@router.post("/{suggestion_id}/answer", response_model=SuggestionOut,
             summary="答复留言",
             description="答复一条留言；登录留言的居民下次登录时可以看到答复。",
             responses=error_responses((404, "没有这条留言"), (409, "这条留言已经答复过了")))
def answer_suggestion(db: DB, principal: Staff, suggestion_id: PathId, body: AnswerIn) -> SuggestionOut:
    return _out(service.answer(db, suggestion_id=suggestion_id, text=body.answer, by=principal.user,
                               publish=body.publish, topic=body.topic))


@router.get("/public", response_model=list[PublicAnswerOut],
            summary="公开的留言和答复",
            description=("居民同意公开、工作人员已答复并选择公开的留言，新答复在前，可按主题筛选。只有隐去姓名、证件号和"
                         "电话的文字，不需要登录。"),
            responses=error_responses(422))
def public_answers(db: DB, topic: Annotated[SuggestionTopic | None, Query(description="按主题筛选")] = None,
                   ) -> list[PublicAnswerOut]:
    return [PublicAnswerOut(**vars(a)) for a in service.published(db, topic=topic)]


FromMonth = Annotated[str | None, Query(alias="from", max_length=7, description="起始月份，如 2026-01；不填为12个月前"),
                      AfterValidator(lambda v: v if v is None else month_of("起始月份")(v))]
ToMonth = Annotated[str | None, Query(alias="to", max_length=7, description="结束月份（含），如 2026-06；不填为本月"),
                    AfterValidator(lambda v: v if v is None else month_of("结束月份")(v))]


def months_asked(from_month: str | None, to_month: str | None) -> tuple[date, date]:
    """The months a response-time report covers: by default the last twelve, this one included."""
    last = first_day(to_month) if to_month else clock.today().replace(day=1)
    first = first_day(from_month) if from_month else date(last.year - 1, last.month, 1)
    period(first, last)
    return first, last


@router.get("/response-times", response_model=list[MonthResponseOut],
            summary="留言答复时效",
            description=("按留言的月份统计：收到多少、已答复多少和占比、从留言到答复的天数中位数和最长天数。"
                         "联居领导和管理员可看。"),
            responses=error_responses((422, "月份格式不对，或结束月份早于起始月份")))
def response_times(db: DB, principal: Overseer, from_month: FromMonth = None, to_month: ToMonth = None,
                   ) -> list[MonthResponseOut]:
    first, last = months_asked(from_month, to_month)
    return [MonthResponseOut(month=m.month.strftime("%Y-%m"), received=m.received, answered=m.answered,
                             answered_share=m.answered_share, median_days=m.median_days, max_days=m.max_days)
            for m in service.response_times(db, first=first, last=last)]

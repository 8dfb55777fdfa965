"""JSON routes for staff: read residents' suggestions and complaints and answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from estation.accounts.models import Role
from estation.deps import DB, Principal, require_roles
from estation.errors import error_responses
from estation.feedback import service
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus
from estation.schemas import PathId

router = APIRouter(prefix="/api/v1/suggestions", tags=["feedback"])

Staff = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.community_staff, Role.admin))]


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


class SuggestionList(BaseModel):
    items: list[SuggestionOut]
    total: int


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=2000)


def _out(row: Suggestion) -> SuggestionOut:
    # Staff see the text and whether a resident is behind it, not who: answering needs no identity.
    return SuggestionOut(
        id=row.id, reference=row.reference, kind=row.kind, text=row.text, channel=row.channel, status=row.status,
        answer=row.answer, answered_at=row.answered_at, created_at=row.created_at,
        from_resident=row.resident_id is not None,
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
    return _out(service.answer(db, suggestion_id=suggestion_id, text=body.answer, by=principal.user))

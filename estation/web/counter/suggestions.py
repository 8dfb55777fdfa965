"""居民留言 at the counter: window staff read and answer residents' suggestions on the admin's list
(estation.web.admin.suggestions: the same checks, the public copy, the access log line)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from estation.deps import DB
from estation.feedback.models import SuggestionStatus
from estation.schemas import PathId
from estation.web.admin.suggestions import answer_form, listing_context, page_number
from estation.web.counter.profile import Clerk
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked

router = APIRouter(include_in_schema=False, route_class=FormRoute)

BASE = "/counter/suggestions"
Field = Annotated[str, Form()]


@router.get("/suggestions")
def suggestions_page(request: Request, db: DB, principal: Clerk, status: str = SuggestionStatus.open.value,
                     page: str = "1", msg: str = "") -> Response:
    ctx = listing_context(db, base=BASE, status=status, number=page_number(page)) | {"msg": msg[:80]}
    return render(request, "counter/suggestions.html", ctx)


@router.post("/suggestions/{suggestion_id}/answer", dependencies=[CsrfChecked, SubmittedOnce])
def answer(request: Request, db: DB, principal: Clerk, suggestion_id: PathId, answer: Field = "", publish: Field = "",
           topic: Field = "") -> Response:
    return answer_form(db, principal, base=BASE, suggestion_id=suggestion_id, answer=answer, publish=publish,
                       topic=topic, show=lambda ctx, code: render(request, "counter/suggestions.html", ctx,
                                                                   status_code=code))

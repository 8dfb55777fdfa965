"""The window's rating page (好差评 评价器): when a case is finished the clerk turns the screen (or opens it on
the resident-facing display) and the resident taps one of five answers; the case page then shows it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation.cases import service as cases
from estation.deps import DB
from estation.errors import InvalidInput
from estation.ratings import service as ratings
from estation.ratings.models import RatingChannel, Satisfaction
from estation.schemas import PathId
from estation.web.counter.profile import Clerk
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked

router = APIRouter(include_in_schema=False, route_class=FormRoute)


def _page(request: Request, db, case_id: int, *, error: str = "", words: str = "", status_code: int = 200):
    case = cases.get_case(db, case_id)
    return render(request, "counter/rating.html", {
        "case": case, "svc": cases.get_service_type(db, case.service_code), "rating": ratings.case_rating(db, case.id),
        "levels": list(Satisfaction), "reasons": ratings.CASE_REASONS, "rateable": case.status in ratings.RATEABLE,
        "error": error, "words": words, "max_words": ratings.MAX_REASON}, status_code=status_code)


@router.get("/cases/{case_id}/rating")
def rating_page(request: Request, db: DB, principal: Clerk, case_id: PathId):
    return _page(request, db, case_id)


@router.post("/cases/{case_id}/rating", dependencies=[CsrfChecked, SubmittedOnce])
def rate(request: Request, db: DB, principal: Clerk, case_id: PathId,
         level: Annotated[str, Form(max_length=40)] = "", reason: Annotated[str, Form(max_length=40)] = "",
         words: Annotated[str, Form(max_length=500)] = ""):
    chosen = next((s for s in Satisfaction if s.value == level), None)
    try:
        if chosen is None:
            raise InvalidInput("请点一个评价", field="level")
        ratings.rate_case(db, case=cases.get_case(db, case_id), level=chosen, channel=RatingChannel.counter,
                          reason=reason, words=words)
    except InvalidInput as exc:
        return _page(request, db, case_id, error=exc.message, words=words, status_code=422)
    return RedirectResponse(f"/counter/cases/{case_id}/rating", status_code=303)

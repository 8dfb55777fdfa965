"""好差评 at the kiosk: a resident rates a finished counter case (我的办事进度), and 留言公开 read at the kiosk.
Rating the kiosk session itself happens at 结束并评价 (signin.finish). The rules are estation.ratings.service's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation.cases import service as cases
from estation.deps import DB, OptionalPrincipal
from estation.errors import InvalidInput, NotFound
from estation.ratings import service as ratings
from estation.ratings.models import RatingChannel, Satisfaction
from estation.web.kiosk.common import KioskRoute, kiosk_resident, page, signin_redirect
from estation.web.once import SubmittedOnce
from estation.web.phone.answers import answers_context
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)


def rating_form(*, of_case: bool) -> dict:
    """What the one-tap rating form (kiosk/_rating.html) shows, for a case or for the kiosk session."""
    return {"levels": list(Satisfaction), "reasons": ratings.CASE_REASONS if of_case else ratings.KIOSK_REASONS}


def level_of(value: str) -> Satisfaction:
    found = next((s for s in Satisfaction if s.value == value), None)
    if found is None:
        raise InvalidInput("请点一个评价", field="level")
    return found


@router.get("/answers")
def answers(request: Request, db: DB, principal: OptionalPrincipal, topic: str = ""):
    return page(request, "kiosk/answers.html", answers_context(db, topic[:20]), principal=principal)


@router.post("/me/cases/{reference}/rating", dependencies=[CsrfChecked, SubmittedOnce])
def rate_case(request: Request, db: DB, principal: OptionalPrincipal, reference: str,
              level: Annotated[str, Form(max_length=40)] = "", reason: Annotated[str, Form(max_length=40)] = ""):
    resident = kiosk_resident(principal)
    if resident is None:
        return signin_redirect(request)
    case = cases.case_by_reference(db, reference[:20])
    if case is None or case.resident_id != resident.user.resident_id:
        raise NotFound("没有找到这个办件")
    ratings.rate_case(db, case=case, level=level_of(level), channel=RatingChannel.kiosk, reason=reason)
    return RedirectResponse(f"/kiosk/me/cases?rated={case.reference}", status_code=303)

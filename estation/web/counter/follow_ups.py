"""Placement follow-ups at the counter: the follow-ups due (of every household; the paired cadre sees
their own households' in the ledger) and the answer, still in the job or not, with a note."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation import clock
from estation.deps import DB
from estation.errors import InvalidInput
from estation.jobs import placements
from estation.ledger import work
from estation.ledger.schemas import FollowUpAnswer
from estation.schemas import PathId
from estation.web.counter.profile import Clerk
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked

router = APIRouter(include_in_schema=False, route_class=FormRoute)


@router.get("/follow-ups")
def follow_ups(request: Request, db: DB, principal: Clerk):
    today = clock.today()
    due = placements.follow_ups_of(db, None, open_only=True, due_by=today)
    return render(request, "counter/follow_ups.html", {
        "follow_ups": [work.follow_up_out(f) for f in due], "today": today,
        "msg": request.query_params.get("msg", "")[:40],
    })


@router.post("/follow-ups/{follow_up_id}", dependencies=[CsrfChecked, SubmittedOnce])
def answer(db: DB, principal: Clerk, follow_up_id: PathId,
           still_employed: Annotated[str, Form(max_length=5)] = "", note: Annotated[str, Form(max_length=200)] = ""):
    if still_employed not in ("true", "false"):
        raise InvalidInput("请选择“仍在岗”或“已不在岗”", field="still_employed")
    follow_up = placements.visible_follow_up(db, follow_up_id)
    work.answer(db, user=principal.user, follow_up=follow_up, today=clock.today(),
                data=FollowUpAnswer(still_employed=still_employed == "true", note=note))
    return RedirectResponse(f"/counter/follow-ups?msg={quote('已登记上岗跟踪')}", status_code=303)

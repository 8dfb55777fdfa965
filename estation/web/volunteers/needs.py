"""Needs (a weekly visit to an elderly household, a class, a clean-up), the volunteers proposed for one
with their reasons, taking one on, and each service day's attendance and hours."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from estation import clock
from estation.accounts.models import Role
from estation.deps import DB, Principal, parts
from estation.errors import EstationError, InvalidInput
from estation.labour.service import communities
from estation.matching.runtime import MatchingRuntime, MatchingUnavailable
from estation.schemas import PathId
from estation.volunteers import proposals, service
from estation.volunteers.models import Activity, DayPart
from estation.volunteers.schemas import NeedCreate, ServiceCreate, slot_words
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked
from estation.web.volunteers.common import Poster, parse

router = APIRouter(prefix="/volunteers/needs", include_in_schema=False, route_class=FormRoute)
Text = Annotated[str, Form(max_length=500)]


def _matching(request: Request) -> MatchingRuntime | None:
    """The app's matcher, or None while the model is unavailable: the page still proposes and assigns by
    free time, distance and activity, and says that interests were not compared."""
    runtime = parts(request).matching
    try:
        runtime.matcher()
    except MatchingUnavailable:
        return None
    return runtime


def _to_need(need_id: int, msg: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/volunteers/needs/{need_id}?msg={quote(msg)}{anchor}", status_code=303)


def _needs_page(request: Request, db, principal: Principal, *, form: dict | None = None, error: str = "",
                error_field: str = "", status_code: int = 200) -> Response:
    today = clock.today()
    scope = principal.user.community_code if principal.role == Role.community_staff else None
    return render(request, "volunteers/needs.html", {
        "needs": service.needs_for(db, user=principal.user), "activities": list(Activity), "parts": list(DayPart),
        "households": service.elderly_alone(db, user=principal.user, today=today), "communities": communities(db),
        "scope": scope, "today": today, "form": form or {"hours": "1.5", "wanted": "1", "first_on": str(today)},
        "error": error, "error_field": error_field, "msg": request.query_params.get("msg", "")[:40],
    }, status_code=status_code)


@router.get("")
def needs_page(request: Request, db: DB, principal: Poster,
               household_id: Annotated[str, Query(max_length=20)] = ""):
    today = clock.today()
    form = {"hours": "1.5", "wanted": "1", "first_on": str(today)}
    if household_id.isdigit():  # from a household's ledger page: a weekly visit to it
        form |= {"household_id": household_id, "activity": Activity.neighbour_watch.value, "weekly": "1",
                 "title": "每周探访独居老人"}
    return _needs_page(request, db, principal, form=form)


@router.post("", dependencies=[CsrfChecked, SubmittedOnce])
def post_need(request: Request, db: DB, principal: Poster, activity: Text = "", title: Text = "",
              requirements: Text = "", household_id: Text = "", community_code: Text = "", place: Text = "",
              first_on: Text = "", part_of_day: Text = "", weekly: Text = "", hours: Text = "", wanted: Text = ""):
    form = {"activity": activity, "title": title, "requirements": requirements, "household_id": household_id,
            "community_code": community_code, "place": place, "first_on": first_on, "part_of_day": part_of_day,
            "weekly": weekly, "hours": hours, "wanted": wanted}
    values: dict[str, object] = {k: v.strip() for k, v in form.items() if v.strip() and k != "weekly"}
    values["weekly"] = weekly == "1"
    if principal.role == Role.community_staff and "household_id" not in values:
        values["community_code"] = principal.user.community_code
    try:
        data = parse(NeedCreate, values)
        with db.begin_nested():
            need = service.post_need(db, user=principal.user, data=data, today=clock.today())
    except EstationError as exc:
        return _needs_page(request, db, principal, form=form, error=exc.message, error_field=exc.field or "",
                           status_code=exc.status_code)
    return _to_need(need.id, "已发布，下面是推荐的志愿者")


def _need_page(request: Request, db, principal: Principal, need_id: int, *, error: str = "",
               status_code: int = 200) -> Response:
    need = service.visible_need(db, principal.user, need_id)
    matching = _matching(request)
    proposed, unavailable = proposals.propose(db, need=need, matching=matching), matching is None
    return render(request, "volunteers/need.html", {
        "need": service.need_out(need, communities(db)), "proposals": proposed, "unavailable": unavailable,
        "slot": slot_words(proposals.need_slot(need)),
        "assignments": service.assignments_of_need(db, need=need), "today": clock.today(), "error": error,
        "msg": request.query_params.get("msg", "")[:40],
    }, status_code=status_code)


@router.get("/{need_id}")
def need_page(request: Request, db: DB, principal: Poster, need_id: PathId):
    return _need_page(request, db, principal, need_id)


@router.post("/{need_id}/assignments", dependencies=[CsrfChecked, SubmittedOnce])
def assign(request: Request, db: DB, principal: Poster, need_id: PathId, volunteer_id: Text = ""):
    need = service.visible_need(db, principal.user, need_id)
    try:
        if not volunteer_id.isdigit():
            raise InvalidInput("请选择一名志愿者", field="volunteer_id")
        with db.begin_nested():
            assignment = proposals.assign(db, user=principal.user, need=need, volunteer_id=int(volunteer_id),
                                          matching=_matching(request), today=clock.today())
    except EstationError as exc:
        return _need_page(request, db, principal, need_id, error=exc.message, status_code=exc.status_code)
    return _to_need(need_id, "已安排", f"#a-{assignment.id}")


@router.post("/{need_id}/assignments/{assignment_id}/services", dependencies=[CsrfChecked, SubmittedOnce])
def record_service(request: Request, db: DB, principal: Poster, need_id: PathId, assignment_id: PathId,
                   on: Text = "", attended: Text = "", hours: Text = "", note: Text = ""):
    assignment = service.visible_assignment(db, principal.user, assignment_id)
    try:
        if assignment.need_id != need_id:
            raise InvalidInput("该安排不属于这项需求", field="assignment_id")
        if attended not in ("1", "0"):
            raise InvalidInput("请选择“到岗”或“未到”", field="attended")
        data = parse(ServiceCreate, {"on": on.strip(), "attended": attended == "1", "hours": hours.strip() or "0",
                                     "note": note})
        with db.begin_nested():
            service.record_service(db, user=principal.user, assignment=assignment, data=data, today=clock.today())
    except EstationError as exc:
        return _need_page(request, db, principal, need_id, error=exc.message, status_code=exc.status_code)
    return _to_need(need_id, "已登记出勤", f"#a-{assignment_id}")

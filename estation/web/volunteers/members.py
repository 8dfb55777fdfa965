"""The alliance's ledger per community, registering a member at the community's desk, the street's
summary and its Excel export."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from estation import clock
from estation.deps import DB, Principal
from estation.errors import EstationError
from estation.labour.service import communities
from estation.volunteers import export, service
from estation.volunteers.models import Activity, DayPart, Weekday
from estation.schemas import PathId
from estation.volunteers.schemas import KM_CHOICES, Decision, VolunteerCreate
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked
from estation.web.volunteers.common import Keeper, Reader, parse

router = APIRouter(prefix="/volunteers", include_in_schema=False, route_class=FormRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text = Annotated[str, Form(max_length=500)]
Many = Annotated[list[str], Form(max_length=30)]


def choices() -> dict:
    return {"activities": list(Activity), "weekdays": list(Weekday), "parts": list(DayPart), "km_choices": KM_CHOICES}


@router.get("")
def volunteer_ledger(request: Request, db: DB, principal: Reader,
                     community: Annotated[str, Query(max_length=12)] = "",
                     activity: Annotated[str, Query(max_length=20)] = ""):
    chosen = Activity(activity) if activity in {a.value for a in Activity} else None
    return _ledger_page(request, db, principal, community=community, activity=chosen)


def _ledger_page(request: Request, db, principal: Principal, *, community: str = "", activity: Activity | None = None,
                 error: str = "", error_for: int | None = None, reason: str = "", status_code: int = 200) -> Response:
    today = clock.today()
    members = service.ledger(db, user=principal.user, today=today, community_code=community or None, activity=activity)
    scope = service.community_scope(principal.user)
    return render(request, "volunteers/index.html", {
        "members": members, "applications": service.applications(db, user=principal.user, today=today),
        "communities": communities(db), "scope": scope, "community": community, "activity": activity,
        "activities": list(Activity), "msg": request.query_params.get("msg", "")[:40], "error": error,
        "error_for": error_for, "reason": reason,
    }, status_code=status_code)


def _register_page(request: Request, db, principal: Principal, *, form: dict | None = None, error: str = "",
                   error_field: str = "", status_code: int = 200) -> Response:
    scope = service.community_scope(principal.user)
    return render(request, "volunteers/register.html", {
        **choices(), "communities": communities(db), "scope": scope, "form": form or {"max_km": "2"},
        "error": error, "error_field": error_field}, status_code=status_code)


@router.get("/new")
def register_form(request: Request, db: DB, principal: Keeper):
    return _register_page(request, db, principal)


@router.post("/new", dependencies=[CsrfChecked, SubmittedOnce])
def register(request: Request, db: DB, principal: Keeper, name: Text = "", id_number: Text = "", phone: Text = "",
             community_code: Text = "", interests: Text = "", skills: Text = "", activities: Many = [],  # noqa: B006 - FastAPI copies defaults
             free_slots: Many = [], party_member: Text = "", consent_to_contact: Text = "", max_km: Text = "2"):  # noqa: B006 - FastAPI copies defaults
    form = {"name": name, "id_number": id_number, "phone": phone, "community_code": community_code,
            "interests": interests, "skills": skills, "activities": activities, "free_slots": free_slots,
            "party_member": party_member, "consent_to_contact": consent_to_contact, "max_km": max_km}
    scope = service.community_scope(principal.user)
    try:
        data = parse(VolunteerCreate, {
            **form, "community_code": scope or community_code, "party_member": party_member == "1",
            "consent_to_contact": consent_to_contact == "1", "name": name.strip(), "phone": phone.strip()})
        with db.begin_nested():
            volunteer = service.register(db, user=principal.user, data=data, today=clock.today())
    except EstationError as exc:
        return _register_page(request, db, principal, form=form, error=exc.message, error_field=exc.field or "",
                              status_code=exc.status_code)
    return RedirectResponse(f"/volunteers?msg={quote('已登记，已加入台账')}#v-{volunteer.id}", status_code=303)


@router.post("/applications/{volunteer_id}/confirm", dependencies=[CsrfChecked, SubmittedOnce])
def confirm_application(request: Request, db: DB, principal: Keeper, volunteer_id: PathId):
    """Staff called the applicant of the phone page: from now on a member."""
    try:
        with db.begin_nested():
            volunteer = service.confirm(db, user=principal.user, volunteer_id=volunteer_id, today=clock.today())
    except EstationError as exc:
        return _ledger_page(request, db, principal, error=exc.message, error_for=volunteer_id,
                            status_code=exc.status_code)
    return RedirectResponse(f"/volunteers?msg={quote('已确认，已加入台账')}#v-{volunteer.id}", status_code=303)


@router.post("/applications/{volunteer_id}/decline", dependencies=[CsrfChecked, SubmittedOnce])
def decline_application(request: Request, db: DB, principal: Keeper, volunteer_id: PathId, reason: Text = ""):
    try:
        data = parse(Decision, {"reason": reason.strip()})
        with db.begin_nested():
            service.decline(db, user=principal.user, volunteer_id=volunteer_id, data=data, today=clock.today())
    except EstationError as exc:
        return _ledger_page(request, db, principal, error=exc.message, error_for=volunteer_id, reason=reason,
                            status_code=exc.status_code)
    return RedirectResponse(f"/volunteers?msg={quote('已标为未通过')}#applications", status_code=303)


@router.get("/summary")
def street_summary(request: Request, db: DB, principal: Reader):
    summary = service.summary(db, user=principal.user, today=clock.today())
    return render(request, "volunteers/summary.html", {"s": summary, "scope": service.community_scope(principal.user),
                                                      "communities": communities(db)})


@router.get("/export.xlsx")
def export_ledger(db: DB, principal: Reader) -> Response:
    content, name = export.ledger_file(db, user=principal.user, today=clock.today())
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}", "Cache-Control": "no-store"})

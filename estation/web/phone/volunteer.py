"""志愿者报名 (/m/volunteer): anyone may apply to the volunteer alliance from a phone, without signing in.
Nobody can prove who they are here, so the page asks no id number and makes no member: the application
waits (待社区核实) until the chosen community's staff have called the applicant and confirmed it in the
ledger (estation.web.volunteers.members). A refused form comes back with what was typed, the field named;
an address that sends too often waits (estation.accounts.throttle)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from estation import clock
from estation.accounts import throttle
from estation.deps import DB, client_address
from estation.errors import EstationError
from estation.labour.service import communities
from estation.volunteers import service
from estation.volunteers.models import Activity, AgeBand, DayPart, Weekday
from estation.volunteers.schemas import KM_CHOICES, Application
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked
from estation.web.volunteers.common import FIELD_NAMES, parse

router = APIRouter(prefix="/m", include_in_schema=False, route_class=FormRoute)
Text = Annotated[str, Form(max_length=500)]
Many = Annotated[list[str], Form(max_length=30)]
HINTS = {
    "name": "请填写您的姓名", "phone": "请填写11位手机号码（或带区号的座机），社区要打电话核实",
    "community_code": "请选择您住的社区", "age_band": "请选择您的年龄段",
    "activities": "请至少选一项愿意参加的活动", "free_slots": "请至少选一个有空的时间",
}
"""What to do, for a field left empty or mistyped on this form (people apply here alone, without staff)."""


def count_sending(request: Request, db: DB) -> None:
    """Anyone may send this form: each sending counts against its address (estation.accounts.throttle),
    before the once-token's claim writes."""
    throttle.count_sending(db, form="volunteer", address=client_address(request))


def _page(request: Request, db, *, form: dict | None = None, sent: bool = False, error: str = "",
          error_field: str = "", status_code: int = 200) -> Response:
    return render(request, "phone/volunteer.html", {
        "communities": list(communities(db).values()), "age_bands": list(AgeBand), "activities": list(Activity),
        "weekdays": list(Weekday), "parts": list(DayPart), "km_choices": KM_CHOICES, "form": form or {"max_km": "2"},
        "sent": sent, "error": error, "error_field": error_field}, status_code=status_code)


@router.get("/volunteer")
def application_form(request: Request, db: DB, sent: str = "") -> Response:
    return _page(request, db, sent=sent == "1")


@router.post("/volunteer", dependencies=[CsrfChecked, Depends(count_sending), SubmittedOnce])
def apply(request: Request, db: DB, name: Text = "", phone: Text = "", community_code: Text = "", age_band: Text = "",
          interests: Text = "", skills: Text = "", activities: Many = [], free_slots: Many = [],  # noqa: B006 - FastAPI copies defaults
          party_member: Text = "", consent_to_contact: Text = "", max_km: Text = "2") -> Response:
    form = {"name": name, "phone": phone, "community_code": community_code, "age_band": age_band,
            "interests": interests, "skills": skills, "activities": activities, "free_slots": free_slots,
            "party_member": party_member, "consent_to_contact": consent_to_contact, "max_km": max_km}
    try:
        data = parse(Application, {
            **form, "name": name.strip(), "phone": phone.strip(), "party_member": party_member == "1",
            "consent_to_contact": consent_to_contact == "1"})
        with db.begin_nested():
            service.apply(db, data=data, today=clock.today())
    except EstationError as exc:
        hint = HINTS.get(exc.field or "")
        message = f"“{FIELD_NAMES[exc.field]}”：{hint}" if exc.field and hint else exc.message
        return _page(request, db, form=form, error=message, error_field=exc.field or "", status_code=exc.status_code)
    # Nothing personal in the address: the same page, saying it was received.
    return RedirectResponse("/m/volunteer?sent=1", status_code=303)

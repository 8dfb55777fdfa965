"""志愿服务 at the kiosk: a signed-in resident joins the volunteer alliance (党员、志愿者联盟) or changes what
they said. Their name, id number, community and home come from their record; sent twice, it is one member.
A refused form comes back with what was chosen still there and the mistake named."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from estation import clock
from estation.deps import DB, OptionalPrincipal, Principal
from estation.errors import EstationError
from estation.kiosk.service import resident_of
from estation.volunteers import service
from estation.volunteers.models import Activity, DayPart, Weekday
from estation.volunteers.schemas import KM_CHOICES, SelfRegistration
from estation.web.kiosk.common import KioskRoute, kiosk_resident, page, signin_redirect
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked
from estation.web.volunteers.common import parse

router = APIRouter(prefix="/kiosk/me", include_in_schema=False, route_class=KioskRoute)
Text = Annotated[str, Form(max_length=500)]
Many = Annotated[list[str], Form(max_length=30)]


def _page(request: Request, db, principal: Principal, *, form: dict | None = None, status_code: int = 200,
          **extra: object) -> Response:
    today = clock.today()
    resident = resident_of(db, principal.user)
    membership = service.own_membership(db, resident=resident)
    mine = service.member_out(db, membership, today=today) if membership else None
    if form is None:
        form = ({"interests": mine.interests, "skills": mine.skills, "activities": [a.value for a in mine.activities],
                 "free_slots": mine.free_slots, "max_km": f"{mine.max_km:g}", "party_member": "1" if mine.party_member else "",
                 "consent_to_contact": "1" if mine.consent_to_contact else ""} if mine else {"max_km": "2"})
    return page(request, "kiosk/volunteer.html", {
        "mine": mine, "form": form, "has_phone": bool(resident.phone), "activities": list(Activity),
        "weekdays": list(Weekday), "parts": list(DayPart), "km_choices": KM_CHOICES, "saved": request.query_params.get("saved", "")[:10],
    } | extra, principal=principal, status_code=status_code)


@router.get("/volunteer")
def my_volunteering(request: Request, db: DB, principal: OptionalPrincipal):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    return _page(request, db, resident)


@router.post("/volunteer", dependencies=[CsrfChecked, SubmittedOnce])
def join(request: Request, db: DB, principal: OptionalPrincipal, interests: Text = "", skills: Text = "",
         activities: Many = [], free_slots: Many = [], max_km: Text = "2", party_member: Text = "",  # noqa: B006 - FastAPI copies defaults
         consent_to_contact: Text = "", phone: Text = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    form = {"interests": interests, "skills": skills, "activities": activities, "free_slots": free_slots,
            "max_km": max_km, "party_member": party_member, "consent_to_contact": consent_to_contact, "phone": phone}
    try:
        data = parse(SelfRegistration, {**form, "party_member": party_member == "1",
                                        "consent_to_contact": consent_to_contact == "1", "phone": phone.strip() or None})
        with db.begin_nested():
            service.register_self(db, resident=resident_of(db, resident.user), data=data, today=clock.today())
    except EstationError as exc:
        db.expire_all()
        return _page(request, db, resident, form=form, status_code=exc.status_code, error=exc.message,
                     error_field=exc.field)
    return RedirectResponse("/kiosk/me/volunteer?saved=1", status_code=303)

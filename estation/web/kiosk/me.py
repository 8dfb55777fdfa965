"""我的资料 (wishes, skills, consent) and 我的邀请 (employers' invitations, accepted or declined), signed in.

A form refused for a mistake comes back as the same page with the mistake named next to it and what the
resident chose or typed still there; the service call runs in a savepoint, so a refusal leaves nothing
half-written.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from estation.deps import DB, OptionalPrincipal, Principal
from estation.errors import EstationError, InvalidInput
from estation.jobs.invitations import DECLINE_REASONS, REASON_MAX
from estation.kiosk import opportunities, profile
from estation.kiosk.service import resident_of
from estation.schemas import PathId
from estation.web.kiosk.common import KioskRoute, kiosk_resident, page, signin_redirect
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk/me", include_in_schema=False, route_class=KioskRoute)

Choice = Annotated[str, Form(max_length=8)]
Words = Annotated[str, Form(max_length=4000)]
"""Typed text: the form's own limit is checked by the service, which names it in Chinese."""
OTHER = "其他"


def _number(value: str, field: str) -> float | None:
    """A chosen number from the form; empty means 不限."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{profile.FIELDS[field]}：请从按钮中选择", field=field)
    return number


def _sent(number: float | None) -> str:
    """A number as its button sends it ('' for 不限)."""
    return "" if number is None else f"{number:g}"


def _options(field: str, stored: float | None, choices: tuple[int, ...]) -> list[tuple[str, str]]:
    """The page's buttons (value sent, words shown): the usual choices, and the resident's own value if
    the counter set another."""
    numbers = sorted({float(c) for c in choices} | ({float(stored)} if stored else set()))
    return [(_sent(n), profile.shown(field, int(n) if field == "preferred_days_per_week" else n)) for n in numbers]


def _profile_page(request: Request, db: DB, principal: Principal, *, form: dict[str, str] | None = None,
                  status_code: int = 200, **extra: object) -> Response:
    person = profile.own_profile(db, user=principal.user)
    ctx = {
        "person": person,
        "form": form or {
            "hours": _sent(person.preferred_hours_per_day), "days": _sent(person.preferred_days_per_week),
            "travel": _sent(person.max_travel_km), "home_based": "1" if person.home_based_only else "0",
            "wishes": person.wishes or "", "skills": person.skills or "",
        },
        "hours_options": _options("preferred_hours_per_day", person.preferred_hours_per_day, profile.HOURS_CHOICES),
        "days_options": _options("preferred_days_per_week", person.preferred_days_per_week, profile.DAYS_CHOICES),
        "travel_options": _options("max_travel_km", person.max_travel_km, profile.TRAVEL_CHOICES),
        "changes": profile.recent_changes(person),
    } | extra
    return page(request, "kiosk/profile.html", ctx, principal=principal, status_code=status_code)


@router.get("/profile")
def my_profile(request: Request, db: DB, principal: OptionalPrincipal, saved: str = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    return _profile_page(request, db, resident, saved=saved[:20])


@router.post("/profile", dependencies=[CsrfChecked, SubmittedOnce])
def save_profile(
    request: Request, db: DB, principal: OptionalPrincipal,
    hours: Choice = "", days: Choice = "", travel: Choice = "", home_based: Choice = "0",
    wishes: Words = "", skills: Words = "",
):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    try:
        travel_km = _number(travel, "max_travel_km")
        if travel_km is None:
            raise InvalidInput("离家最远多远：请选择一项", field="max_travel_km")
        day_count = _number(days, "preferred_days_per_week")
        with db.begin_nested():
            changed = profile.change_wishes(
                db, user=resident.user, resident=resident_of(db, resident.user),
                hours=_number(hours, "preferred_hours_per_day"),
                days=None if day_count is None else int(day_count),
                travel_km=travel_km, home_based_only=home_based == "1", wishes=wishes, skills=skills)
    except EstationError as exc:
        db.expire_all()  # the page shows the record as it is, with what was sent in the form
        sent = {"hours": hours, "days": days, "travel": travel, "home_based": home_based, "wishes": wishes,
                "skills": skills}
        return _profile_page(request, db, resident, form=sent, status_code=exc.status_code, error=exc.message,
                             error_field=exc.field)
    return RedirectResponse(f"/kiosk/me/profile?saved={'wishes' if changed else 'same'}", status_code=303)


@router.post("/consent", dependencies=[CsrfChecked, SubmittedOnce])
def save_consent(request: Request, db: DB, principal: OptionalPrincipal, consent: Choice = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    if consent not in ("0", "1"):
        return _profile_page(request, db, resident, status_code=422, error="请选择同意或不同意")
    profile.set_consent(db, user=resident.user, resident=resident_of(db, resident.user), consent=consent == "1")
    return RedirectResponse(f"/kiosk/me/profile?saved={'shown' if consent == '1' else 'hidden'}#consent",
                            status_code=303)


def _invitations_page(request: Request, db: DB, principal: Principal, *, status_code: int = 200,
                      **extra: object) -> Response:
    rows = opportunities.my_invitations(db, user=principal.user)
    return page(request, "kiosk/invitations.html", {
        "rows": rows, "reasons": DECLINE_REASONS, "other": OTHER, "reason_max": REASON_MAX,
        "answerable": opportunities.answerable,
    } | extra, principal=principal, status_code=status_code)


@router.get("/invitations")
def my_invitations(request: Request, db: DB, principal: OptionalPrincipal, answered: str = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    return _invitations_page(request, db, resident, answered=answered[:20])


def _refused(request: Request, db: DB, principal: Principal, invitation_id: int, exc: EstationError,
             **sent: str) -> Response:
    """The invitations page again, the mistake named on the invitation it is about."""
    db.expire_all()
    return _invitations_page(request, db, principal, status_code=exc.status_code, error=exc.message,
                             error_for=invitation_id, sent=sent)


@router.post("/invitations/{invitation_id}/accept", dependencies=[CsrfChecked, SubmittedOnce])
def accept_invitation(request: Request, db: DB, principal: OptionalPrincipal, invitation_id: PathId,
                      share_phone: Choice = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    try:
        if share_phone not in ("0", "1"):
            raise InvalidInput("请先选择：能不能把您的电话号码告诉这家单位", field="share_phone")
        with db.begin_nested():
            opportunities.accept(db, user=resident.user, invitation_id=invitation_id, share_phone=share_phone == "1")
    except EstationError as exc:
        return _refused(request, db, resident, invitation_id, exc)
    return RedirectResponse(f"/kiosk/me/invitations?answered=accepted#inv-{invitation_id}", status_code=303)


@router.post("/invitations/{invitation_id}/decline", dependencies=[CsrfChecked, SubmittedOnce])
def decline_invitation(request: Request, db: DB, principal: OptionalPrincipal, invitation_id: PathId,
                       reason: Annotated[str, Form(max_length=40)] = "", own_words: Words = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    try:
        if reason and reason != OTHER and reason not in DECLINE_REASONS:
            raise InvalidInput("请从按钮中选择原因", field="reason")
        # A tapped reason and typed words are both kept; 其他 alone says nothing more than no reason.
        said = "；".join(part for part in (reason if reason in DECLINE_REASONS else "", own_words.strip()) if part)
        with db.begin_nested():
            opportunities.decline(db, user=resident.user, invitation_id=invitation_id, reason=said)
    except EstationError as exc:
        return _refused(request, db, resident, invitation_id, exc, reason=reason, own_words=own_words)
    return RedirectResponse(f"/kiosk/me/invitations?answered=declined#inv-{invitation_id}", status_code=303)

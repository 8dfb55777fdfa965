"""Attract screen, home tiles, signing in (card or ID number + PIN) and finishing; the demo card slot is demo.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from estation import clock, submissions
from estation.accounts import kiosk as kiosk_accounts
from estation.accounts import service as accounts
from estation.deps import CSRF_COOKIE, DB, SESSION_COOKIE, OptionalPrincipal, clear_cookie, client_address, parts, set_cookie
from estation.errors import EstationError
from estation.kiosk import opportunities
from estation.labour.service import get_resident
from estation.notices import service as notices
from estation.notifications import binding
from estation.ratings import service as ratings
from estation.web.kiosk.common import (
    KioskRoute, card_reader, kiosk_resident, page, safe_next, signin_redirect, terminal,
)
from estation.web.kiosk.ratings import level_of, rating_form
from estation.web.once import AlreadySubmitted, claim_submission
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@router.get("")
def attract(request: Request, db: DB, principal: OptionalPrincipal):
    # The attract screen runs no inactivity timer: it is where every timeout lands. It shows the notices
    # in force for where this terminal stands (ESTATION_KIOSK_PLACES: a community, else the service hall).
    place = parts(request).settings.kiosk_places.get(terminal(request))
    shown = notices.in_force(db, today=clock.today(), community_code=place)
    return page(request, "kiosk/attract.html", {"notices": shown}, principal=principal, timers=False)


@router.get("/home")
def home(request: Request, db: DB, principal: OptionalPrincipal):
    resident = kiosk_resident(principal)
    signed = resident is not None and resident.user.resident_id
    waiting = opportunities.open_invitations(db, resident_id=resident.user.resident_id) if signed else 0
    to_rate = len(ratings.unrated_cases(db, resident_id=resident.user.resident_id)) if signed else 0
    return page(request, "kiosk/home.html", {"open_invitations": waiting, "cases_to_rate": to_rate, **rating_form(of_case=False)},
                principal=principal)


@router.get("/signin")
def signin_choice(request: Request, principal: OptionalPrincipal, next: str = ""):
    return page(request, "kiosk/signin.html", {"next": safe_next(next)}, principal=principal)


@router.get("/signin/pin")
def signin_pin_page(request: Request, principal: OptionalPrincipal, next: str = ""):
    return page(request, "kiosk/signin_pin.html", {"next": safe_next(next)}, principal=principal)


def _signed_in(request: Request, db: DB, principal, token: str, next_url: str) -> RedirectResponse:
    if principal is not None:
        # Whoever was signed in on this terminal before is signed out first, on the server too.
        accounts.end_session(db, token=principal.token)
    response = RedirectResponse(safe_next(next_url) or "/kiosk/home", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.post("/signin/pin", dependencies=[CsrfChecked])
def signin_pin(
    request: Request, db: DB, principal: OptionalPrincipal,
    id_number: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=200)] = "",
):
    try:
        token, _, _ = kiosk_accounts.sign_in_with_pin(db, id_number=id_number, pin=pin,
                                                      address=client_address(request))
    except EstationError as exc:
        # The failure row must be committed (the request's unit of work commits a normal response),
        # and the id number is never echoed back into the form: the next person could read it.
        return page(request, "kiosk/signin_pin.html", {"error": exc.message, "next": safe_next(next)},
                    principal=principal, status_code=exc.status_code)
    return _signed_in(request, db, principal, token, next)


@router.get("/signin/card")
def signin_card_page(request: Request, principal: OptionalPrincipal, next: str = ""):
    return page(request, "kiosk/signin_card.html", {"next": safe_next(next)}, principal=principal)


@router.post("/signin/card", dependencies=[CsrfChecked])
def signin_card(
    request: Request, db: DB, principal: OptionalPrincipal,
    next: Annotated[str, Form(max_length=200)] = "",
):
    card = card_reader(request).read(terminal(request))
    if card is None:
        return page(request, "kiosk/signin_card.html",
                    {"error": "没有读到身份证，请把身份证平放在读卡区，再点“我已放好”", "next": safe_next(next)},
                    principal=principal, status_code=422)
    try:
        token, _, _ = kiosk_accounts.sign_in_with_card(db, id_number=card.id_number)
    except EstationError as exc:
        return page(request, "kiosk/signin_card.html", {"error": exc.message, "next": safe_next(next)},
                    principal=principal, status_code=exc.status_code)
    return _signed_in(request, db, principal, token, next)


@router.post("/finish", dependencies=[CsrfChecked])
def finish(request: Request, db: DB, principal: OptionalPrincipal,
           level: Annotated[str, Form(max_length=40)] = "", reason: Annotated[str, Form(max_length=40)] = "") -> Response:
    """结束: the server session goes, then every cookie, cached page and stored value in this browser.
    结束并评价 sends a rating of the session with it (once per session, however often it is sent)."""
    resident = kiosk_resident(principal)
    if resident is not None and resident.user.resident_id is not None:
        binding.expire_pending(db, resident_id=resident.user.resident_id)  # a QR code left on the screen
    if resident is not None and level:
        ratings.rate_kiosk_session(db, session_key=resident.auth.token_hash, resident_id=resident.user.resident_id,
                                   level=level_of(level), reason=reason)
    if principal is not None:
        accounts.end_session(db, token=principal.token)
    response = RedirectResponse("/kiosk", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    clear_cookie(request, response, CSRF_COOKIE)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/me/pin")
def pin_change_page(request: Request, principal: OptionalPrincipal, done: str = ""):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    return page(request, "kiosk/pin_change.html", {"done": bool(done)}, principal=principal)


@router.post("/me/pin", dependencies=[CsrfChecked])
def pin_change(
    request: Request, db: DB, principal: OptionalPrincipal,
    old_pin: Annotated[str, Form(max_length=40)] = "",
    new_pin: Annotated[str, Form(max_length=40)] = "",
    new_pin_again: Annotated[str, Form(max_length=40)] = "",
    submission_token: Annotated[str, Form(max_length=submissions.TOKEN_LENGTH)] = "",
):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    resident = get_resident(db, principal.user.resident_id)
    try:
        attempt = kiosk_accounts.reserve_pin_change(db, resident=resident, new_pin=new_pin, new_pin_again=new_pin_again,
                                                    address=client_address(request))
        # Done once, however often sent; the form is claimed only after the attempt is counted, which
        # commits on its own (on SQLite the claim would hold the write lock that count waits for).
        try:
            claim_submission(request, db, principal, submission_token)
        except AlreadySubmitted as again:
            if again.result_url is None:
                raise
            kiosk_accounts.pin_change_repeated(db, attempt=attempt)
            return RedirectResponse(again.result_url, status_code=303)
        kiosk_accounts.change_own_pin(db, user=principal.user, resident=resident, attempt=attempt, old_pin=old_pin,
                                      new_pin=new_pin)
    except EstationError as exc:
        # Returned, not raised: a wrong old PIN is recorded, and that record must be committed.
        return page(request, "kiosk/pin_change.html", {"error": exc.message, "field": exc.field},
                    principal=principal, status_code=exc.status_code)
    return RedirectResponse("/kiosk/me/pin?done=1", status_code=303)


@router.get("/ping")
def ping(principal: OptionalPrincipal) -> JSONResponse:
    """Touched by the page while someone is using it, so the server's idle clock matches the screen's."""
    return JSONResponse({"signed_in": kiosk_resident(principal) is not None},
                        headers={"Cache-Control": "no-store"})

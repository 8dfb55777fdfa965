"""Attract screen, home tiles, signing in (card or ID number + PIN), finishing, and the demo card slot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from estation.accounts import kiosk as kiosk_accounts
from estation.accounts import service as accounts
from estation.accounts.idcard import IdCard, SimulatedReader
from estation.deps import DB, SESSION_COOKIE, OptionalPrincipal
from estation.errors import EstationError, InvalidInput, NotFound
from estation.kiosk import service as kiosk
from estation.web.kiosk.common import KioskRoute, card_reader, kiosk_resident, page, safe_next, terminal
from estation.web.security import CSRF_COOKIE, CsrfChecked

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@router.get("")
def attract(request: Request, principal: OptionalPrincipal):  # noqa: ANN201
    # The attract screen runs no inactivity timer: it is where every timeout lands.
    return page(request, "kiosk/attract.html", principal=principal, timers=False)


@router.get("/home")
def home(request: Request, principal: OptionalPrincipal):  # noqa: ANN201
    return page(request, "kiosk/home.html", principal=principal)


@router.get("/signin")
def signin_choice(request: Request, principal: OptionalPrincipal, next: str = ""):  # noqa: ANN201, A002
    return page(request, "kiosk/signin.html", {"next": safe_next(next)}, principal=principal)


@router.get("/signin/pin")
def signin_pin_page(request: Request, principal: OptionalPrincipal, next: str = ""):  # noqa: ANN201, A002
    return page(request, "kiosk/signin_pin.html", {"next": safe_next(next)}, principal=principal)


def _signed_in(db: DB, principal, token: str, next_url: str) -> RedirectResponse:  # noqa: ANN001
    if principal is not None:
        # Whoever was signed in on this terminal before is signed out first, on the server too.
        accounts.end_session(db, token=principal.token)
    response = RedirectResponse(safe_next(next_url) or "/kiosk/home", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/signin/pin", dependencies=[CsrfChecked])
def signin_pin(
    request: Request, db: DB, principal: OptionalPrincipal,
    id_number: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=200)] = "",  # noqa: A002
):  # noqa: ANN201
    try:
        token, _, _ = kiosk_accounts.sign_in_with_pin(db, id_number=id_number, pin=pin)
    except EstationError as exc:
        # The failure row must be committed (the request's unit of work commits a normal response),
        # and the id number is never echoed back into the form: the next person could read it.
        return page(request, "kiosk/signin_pin.html", {"error": exc.message, "next": safe_next(next)},
                    principal=principal, status_code=exc.status_code)
    return _signed_in(db, principal, token, next)


@router.get("/signin/card")
def signin_card_page(request: Request, principal: OptionalPrincipal, next: str = ""):  # noqa: ANN201, A002
    return page(request, "kiosk/signin_card.html", {"next": safe_next(next)}, principal=principal)


@router.post("/signin/card", dependencies=[CsrfChecked])
def signin_card(
    request: Request, db: DB, principal: OptionalPrincipal,
    next: Annotated[str, Form(max_length=200)] = "",  # noqa: A002
):  # noqa: ANN201
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
    return _signed_in(db, principal, token, next)


@router.post("/finish", dependencies=[CsrfChecked])
def finish(db: DB, principal: OptionalPrincipal) -> Response:
    """结束: the server session goes, then every cookie, cached page and stored value in this browser."""
    if principal is not None:
        accounts.end_session(db, token=principal.token)
    response = RedirectResponse("/kiosk", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/ping")
def ping(principal: OptionalPrincipal) -> JSONResponse:
    """Touched by the page while someone is using it, so the server's idle clock matches the screen's."""
    return JSONResponse({"signed_in": kiosk_resident(principal) is not None},
                        headers={"Cache-Control": "no-store"})


# --- the simulated card reader (demo and tests only) ------------------------------------------

def _simulated(request: Request) -> SimulatedReader:
    settings = request.app.state.settings
    reader = card_reader(request)
    if settings.environment == "production" or not isinstance(reader, SimulatedReader):
        raise NotFound("没有这个页面")
    return reader


@router.get("/demo/card")
def demo_card_page(request: Request, db: DB, principal: OptionalPrincipal):  # noqa: ANN201
    reader = _simulated(request)
    return page(request, "kiosk/demo_card.html",
                {"cards": kiosk.demo_cards(db), "holding": reader.holds_card(terminal(request))},
                principal=principal, timers=False)


@router.post("/demo/card", dependencies=[CsrfChecked])
def demo_card_place(
    request: Request, db: DB,
    resident_id: Annotated[int | None, Form()] = None,
    id_number: Annotated[str, Form(max_length=40)] = "",
):  # noqa: ANN201
    reader = _simulated(request)
    if resident_id is not None:
        resident = next((r for r in kiosk.demo_cards(db, limit=50) if r.id == resident_id), None)
        if resident is None:
            raise NotFound("没有这张演示身份证")
        id_number = resident.id_number
    if not id_number.strip():
        raise InvalidInput("请选择一张演示身份证或输入身份证号", field="id_number")
    reader.place(terminal(request), IdCard(id_number=id_number.strip().upper()))
    return RedirectResponse("/kiosk/signin/card", status_code=303)

"""Shared pieces of the kiosk surface: rendering with the terminal's timers, who is signed in, links."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from estation.accounts.idcard import IdCardReader, SimulatedReader
from estation.accounts.models import Role
from estation.config import Settings
from estation.deps import OptionalPrincipal, Principal
from estation.web.pages import render

SIGNIN_URL = "/kiosk/signin"
DEFAULT_TERMINAL = "hall-1"
SERVICE_HALL = (36.6652, 117.0538)
"""甸柳街道为民服务大厅: where the terminal stands; distances start here until a resident signs in."""


def signin_redirect(request: Request) -> RedirectResponse:
    """Personal pages send a signed-out visitor to sign in, and back here afterwards.

    Returned rather than raised: an expired kiosk session is deleted while resolving it, and a raised
    error would roll that deletion back with the rest of the request's unit of work.
    """
    return RedirectResponse(f"{SIGNIN_URL}?next={request.url.path}", status_code=303)


def kiosk_resident(principal: Principal | None) -> Principal | None:
    """Only a resident's kiosk session counts as signed in here; a staff cookie does not."""
    if principal is not None and principal.role == Role.resident and principal.auth.kiosk:
        return principal
    return None


def safe_next(value: str | None) -> str:
    # Only the kiosk's own pages: anything else would make the sign-in form an open redirect.
    if value and value.startswith("/kiosk") and not value.startswith("//") and "\\" not in value:
        return value
    return ""


def terminal(request: Request) -> str:
    return (request.headers.get("x-kiosk-terminal") or DEFAULT_TERMINAL)[:40]


def card_reader(request: Request) -> IdCardReader:
    """The reader set on the app at start-up (a hardware adapter in the hall), else the simulated one."""
    reader = getattr(request.app.state, "card_reader", None)
    if reader is None:
        reader = request.app.state.card_reader = SimulatedReader()
    return reader


def page(request: Request, name: str, ctx: dict | None = None, *, principal: Principal | None = None,
         status_code: int = 200, timers: bool = True) -> HTMLResponse:
    """A kiosk page. Every kiosk page is ``no-store``: a page without a name on it today may carry
    one tomorrow, and the back button after 结束 must never bring any of them back from the cache."""
    settings: Settings = request.app.state.settings
    context = {
        "resident": kiosk_resident(principal),
        "idle_seconds": settings.kiosk_idle_seconds if timers else None,
        "warning_seconds": settings.kiosk_warning_seconds,
        "demo": settings.environment != "production",
    }
    context.update(ctx or {})
    return render(request, name, context, status_code=status_code, personal=True)


__all__ = ["OptionalPrincipal", "signin_redirect", "page", "kiosk_resident", "safe_next", "terminal", "card_reader"]

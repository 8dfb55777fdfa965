"""Shared pieces of the kiosk surface: rendering with the terminal's timers, who is signed in, links."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from estation.accounts.idcard import IdCardReader
from estation.accounts.models import Role
from estation.deps import OptionalPrincipal, Principal, parts, principal_for_page
from estation.errors import EstationError
from estation.web.pages import render
from estation.web.once import FormRoute
from estation.web.security import SignInRequired

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
    """The app's reader adapter (estation.composition chooses it)."""
    return parts(request).card_reader


def page(request: Request, name: str, ctx: dict | None = None, *, principal: Principal | None = None,
         status_code: int = 200, timers: bool = True) -> HTMLResponse:
    """A kiosk page. Every kiosk page is ``no-store``: a page without a name on it today may carry
    one tomorrow, and the back button after 结束 must never bring any of them back from the cache."""
    settings = parts(request).settings
    context = {
        "resident": kiosk_resident(principal),
        "idle_seconds": settings.kiosk_idle_seconds if timers else None,
        "warning_seconds": settings.kiosk_warning_seconds,
        "demo": settings.demo,
    }
    context.update(ctx or {})
    return render(request, name, context, status_code=status_code, personal=True)


__all__ = ["KioskRoute", "OptionalPrincipal", "signin_redirect", "page", "kiosk_resident", "safe_next", "terminal", "card_reader"]


class KioskRoute(FormRoute):
    """Errors on kiosk pages render in elder mode, inside the kiosk frame (结束 stays within reach).

    The app's handlers would render the staff surfaces' error page; this catches the same errors
    after the request's unit of work has rolled back, exactly as those handlers do.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequired:
                raise
            except EstationError as exc:
                return error_page(request, exc.status_code, exc.message)
            except RequestValidationError:
                return error_page(request, 422, "填写的内容有误，请返回重新选择。")

        return handler


ERROR_HEADINGS = {403: "操作没有完成", 404: "没有找到", 409: "已经办过了", 422: "填写有误", 429: "请稍后再试"}


def error_page(request: Request, status_code: int, message: str) -> Response:
    """The kiosk's own error page (big buttons back to 首页 and 找工作), for its routes and unknown addresses."""
    heading = ERROR_HEADINGS.get(status_code, "出错了")
    return page(request, "kiosk/error.html", {"heading": heading, "message": message},
                principal=principal_for_page(request), status_code=status_code)

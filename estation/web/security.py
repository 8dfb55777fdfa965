"""CSRF protection for every form (double-submit cookie) and role checks that redirect in the UIs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request

from estation.accounts.models import Role
from estation.deps import OptionalPrincipal, Principal
from estation.errors import EstationError, Forbidden

CSRF_COOKIE = "estation_csrf"


class CsrfFailed(EstationError):
    status_code = 403


class SignInRequired(EstationError):
    """Rendered as a redirect to the sign-in page of the surface."""

    status_code = 303

    def __init__(self, login_url: str) -> None:
        super().__init__("请先登录")
        self.login_url = login_url


def csrf_token(request: Request) -> str:
    """The token for this browser, minted once; templates put it in a hidden field."""
    token = getattr(request.state, "csrf_token", None) or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(24)
    request.state.csrf_token = token
    return token


def verify_csrf(request: Request, csrf_token: Annotated[str, Form(max_length=100)] = "") -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        raise CsrfFailed("页面已过期，请返回后重试")


CsrfChecked = Depends(verify_csrf)


def require_web_roles(*roles: Role, login_url: str = "/login") -> Callable[[Principal | None], Principal]:
    allowed = frozenset(roles)

    def check(principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise SignInRequired(login_url)
        if principal.role not in allowed:
            raise Forbidden("您没有权限访问此页面")
        return principal

    check.allowed_roles = allowed  # read by the generated access-control test
    return check

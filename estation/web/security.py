"""CSRF protection for every form (double-submit cookie) and role checks that redirect in the UIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request

from estation.accounts.models import Role
from estation.deps import CsrfFailed, OptionalPrincipal, Principal, RoleCheck, csrf_matches
from estation.errors import EstationError, Forbidden


class SignInRequired(EstationError):
    """Rendered as a redirect to the sign-in page of the surface."""

    status_code = 303

    def __init__(self, login_url: str) -> None:
        super().__init__("请先登录")
        self.login_url = login_url


async def verify_csrf(request: Request, csrf_token: Annotated[str, Form(max_length=100)] = "") -> None:
    """The form's hidden field (templates put ``estation.deps.csrf_token`` there) must echo the cookie."""
    if not csrf_matches(request, csrf_token):
        raise CsrfFailed("页面已过期，请返回后重试")


CsrfChecked = Depends(verify_csrf)


@dataclass(frozen=True)
class PageRoleCheck(RoleCheck):
    """A page's role check: nobody signed in is sent to the surface's sign-in page."""

    login_url: str = "/login"

    async def __call__(self, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise SignInRequired(self.login_url)
        if principal.role not in self.allowed_roles:
            raise Forbidden("您没有权限访问此页面")
        return principal


def require_web_roles(*roles: Role, login_url: str = "/login") -> PageRoleCheck:
    return PageRoleCheck(frozenset(roles), login_url)

"""The landing page and staff sign-in / sign-out shared by the counter, ledger, employer and admin UIs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation.accounts import service as accounts
from estation.accounts.models import Role
from estation.accounts.throttle import TooManyAttempts
from estation.deps import DB, SESSION_COOKIE, OptionalPrincipal, clear_cookie, client_address, set_cookie
from estation.web.pages import render
from estation.web.security import CsrfChecked

router = APIRouter(include_in_schema=False)

SURFACES = [
    {"url": "/kiosk", "name": "居民自助服务", "note": "找工作、查社保、办事指南（自助终端）"},
    {"url": "/counter", "name": "为民服务大厅", "note": "一窗通办：窗口工作人员"},
    {"url": "/ledger", "name": "干部联户台账", "note": "结对帮扶、走访、为家庭找工作"},
    {"url": "/employer", "name": "用人单位", "note": "发布岗位、查看候选人、残疾人按比例就业"},
    {"url": "/admin", "name": "系统管理", "note": "用户与权限、结对帮扶、单位审核、办事目录、数据导入"},
    {"url": "/docs", "name": "数据接口", "note": "供其他系统对接使用的说明"},
]

HOME_BY_ROLE = {
    Role.resident: "/kiosk",
    Role.counter_staff: "/counter",
    Role.community_staff: "/counter",
    Role.cadre: "/ledger",
    Role.leader: "/ledger",
    Role.employer: "/employer",
    Role.admin: "/admin",
}


@router.get("/")
def home(request: Request, principal: OptionalPrincipal):
    return render(request, "home.html", {"surfaces": SURFACES}, personal=False)


def _safe_next(value: str) -> str:
    # Only local paths: an absolute or scheme-relative URL would make the form an open redirect.
    return value if value.startswith("/") and not value.startswith("//") else ""


@router.get("/login")
def login_page(request: Request, principal: OptionalPrincipal, next: str = ""):
    return render(request, "auth/login.html", {"next": _safe_next(next)})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    db: DB,
    username: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=200)] = "",
):
    try:
        user = accounts.authenticate_password(db, username=username, password=password,
                                              address=client_address(request))
    except TooManyAttempts as exc:
        return render(request, "auth/login.html", {"error": exc.message, "username": username, "next": next},
                      status_code=429)
    if user is None:
        return render(request, "auth/login.html", {"error": "用户名或密码不正确", "username": username, "next": next},
                      status_code=401)
    token, _ = accounts.start_session(db, user=user)
    response = RedirectResponse(_safe_next(next) or HOME_BY_ROLE[user.role], status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, db: DB, principal: OptionalPrincipal):
    if principal is not None:
        accounts.end_session(db, token=principal.token)
    response = RedirectResponse("/", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response

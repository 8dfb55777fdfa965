"""Sign-in and sign-out for the JSON API (the same server-side session the UIs use), and counter staff
setting a resident's kiosk PIN."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from estation.accounts import kiosk, service
from estation.accounts.models import Role
from estation.deps import (
    CSRF_HEADER, DB, SESSION_COOKIE, CurrentPrincipal, Principal, clear_cookie, client_address, csrf_token,
    require_roles, set_cookie,
)
from estation.errors import error_body, error_responses
from estation.labour.access import ensure_can_see_resident
from estation.labour.service import get_resident
from estation.schemas import PathId

router = APIRouter(tags=["accounts"])


class LoginIn(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class SessionOut(BaseModel):
    token: str
    csrf_token: str = Field(description=f"用会话 Cookie（而不是令牌）调用时，每个写接口都要在 {CSRF_HEADER} 请求头中"
                                        "带上它")
    user_id: int
    role: Role
    display_name: str


class PinIn(BaseModel):
    pin: Annotated[str, Field(max_length=20, description="6位数字；相同、连续、重复的数字和出生日期不行")]
    id_card_checked: bool = Field(description="工作人员已核验居民本人的身份证原件")


Clerk = Annotated[Principal, Depends(require_roles(Role.counter_staff, Role.admin))]


class MeOut(BaseModel):
    user_id: int
    username: str
    role: Role
    display_name: str


@router.post("/api/v1/auth/login", response_model=SessionOut,
             summary="登录",
             description=("用用户名和密码登录（工作人员、社区干部、用人单位、管理员）。返回的 token 放在之后每个请"
                          "求的 Authorization: Bearer 请求头中；同时设置会话 Cookie，浏览器用 Cookie 调用写接口时"
                          "须在 X-CSRF-Token 请求头中带上返回的 csrf_token。连续输错会被要求等待一段时间。"),
             responses=error_responses((401, "用户名或密码不正确"),
                                       (429, "尝试次数过多，须等待后再试（msg 说明等多久）")))
def login(request: Request, db: DB, data: LoginIn, response: Response) -> SessionOut | JSONResponse:
    user = service.authenticate_password(db, username=data.username, password=data.password,
                                         address=client_address(request))
    if user is None:
        # Returned, not raised, so the unit of work commits the record of the failure.
        return JSONResponse(error_body("用户名或密码不正确", "password", "SignInFailed"), status_code=401)
    token, _ = service.start_session(db, user=user)
    set_cookie(request, response, SESSION_COOKIE, token)
    return SessionOut(token=token, csrf_token=csrf_token(request), user_id=user.id, role=user.role,
                      display_name=user.display_name)


@router.post("/api/v1/auth/logout", status_code=204,
             summary="退出登录",
             description="立即作废当前令牌（会话），并清除会话 Cookie。")
def logout(request: Request, db: DB, principal: CurrentPrincipal, response: Response) -> None:
    service.end_session(db, token=principal.token)
    clear_cookie(request, response, SESSION_COOKIE)


@router.get("/api/v1/auth/me", response_model=MeOut,
            summary="当前登录账号",
            description="返回当前令牌所属账号的编号、用户名、角色和姓名。")
def me(principal: CurrentPrincipal) -> MeOut:
    u = principal.user
    return MeOut(user_id=u.id, username=u.username, role=u.role, display_name=u.display_name)


@router.put("/api/v1/residents/{resident_id}/pin", status_code=204,
            summary="设置居民自助终端密码",
            description=("窗口工作人员核验居民本人身份证原件后，为居民设置或重置自助终端的6位密码（记入访问日志）"
                         "；设置后解除该居民的登录等待。过于简单的密码（相同、连续、重复的数字，出生日期，身份证号"
                         "后六位）不被接受。"),
            responses=error_responses((403, "没有权限：角色不符，或该居民不在您负责的范围内"),
                                      (404, "居民不存在"),
                                      (422, "密码过于简单，或未核验身份证")))
def set_resident_pin(db: DB, principal: Clerk, resident_id: PathId, data: PinIn) -> None:
    """Set or reset the resident's kiosk PIN at the counter, after checking their id card (logged)."""
    ensure_can_see_resident(db, principal.user, resident_id)
    kiosk.set_pin_at_counter(db, resident=get_resident(db, resident_id), pin=data.pin,
                             id_card_checked=data.id_card_checked, staff=principal.user)

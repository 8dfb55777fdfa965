"""Sign-in and sign-out for the JSON API (the same server-side session the UIs use)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from estation.accounts import service
from estation.accounts.models import Role
from estation.deps import DB, SESSION_COOKIE, CurrentPrincipal
from estation.errors import error_body

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])


class LoginIn(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class SessionOut(BaseModel):
    token: str
    user_id: int
    role: Role
    display_name: str


class MeOut(BaseModel):
    user_id: int
    username: str
    role: Role
    display_name: str


@router.post("/login", response_model=SessionOut, responses={401: {"description": "用户名或密码不正确"}})
def login(db: DB, data: LoginIn, response: Response) -> SessionOut | JSONResponse:
    user = service.authenticate_password(db, username=data.username, password=data.password)
    if user is None:
        # Returned, not raised, so the unit of work commits the recorded failure (it drives throttling).
        return JSONResponse(error_body("用户名或密码不正确", "password", "SignInFailed"), status_code=401)
    token, _ = service.start_session(db, user=user)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict")
    return SessionOut(token=token, user_id=user.id, role=user.role, display_name=user.display_name)


@router.post("/logout", status_code=204)
def logout(db: DB, principal: CurrentPrincipal, response: Response) -> None:
    service.end_session(db, token=principal.token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal) -> MeOut:
    u = principal.user
    return MeOut(user_id=u.id, username=u.username, role=u.role, display_name=u.display_name)

"""Users and roles: the list, a new staff account, an account's post (role, window, community), a new
password, disabling and restoring. The rules are estation.accounts.staff's, the ones `estation user add` uses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts import staff
from estation.accounts.models import Role, User
from estation.errors import EstationError, InvalidInput, duplicate_key
from estation.labour.service import communities
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, done, errors_of, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked
from estation.deps import DB

router = admin_router()

LABELS = {"username": "用户名", "display_name": "姓名", "role": "角色", "window": "窗口号", "community_code": "所在社区",
          "password": "密码", "password_confirm": "再输入一次密码", "reason": "原因", "form": ""}
STATES = {"active": ("在用", True), "disabled": ("已停用", False)}


def _role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        raise InvalidInput("请选择角色", field="role") from None
    if role not in staff.STAFF_ROLES:
        raise InvalidInput("请选择工作人员的角色", field="role")
    return role


def _window(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise InvalidInput(f"窗口号应为1到{staff.MAX_WINDOW}之间的整数", field="window")
    return int(value)


def _same_password(password: str, again: str) -> None:
    if password and password != again:
        raise InvalidInput("两次输入的密码不一致", field="password_confirm")


def _choices(db: Session) -> dict[str, Any]:
    return {"roles": staff.STAFF_ROLES, "communities": communities(db), "labels": LABELS}


@router.get("/users")
def users_page(request: Request, db: DB, admin: Admin, role: str = "", state: str = "", q: str = "") -> Response:
    chosen = next((r for r in staff.MANAGED_ROLES if r.value == role), None)
    rows = staff.accounts(db, role=chosen, active=STATES[state][1] if state in STATES else None, text=q[:40])
    return page(request, "admin/users.html", {
        "rows": rows, "managed_roles": staff.MANAGED_ROLES, "states": STATES, "role": role, "state": state,
        "q": q[:40], "communities": communities(db),
    })


def _new_page(request: Request, db: Session, form: dict[str, str], errors: dict[str, str],
              status_code: int = 200) -> Response:
    return page(request, "admin/user_new.html", {"form": form, "errors": errors, **_choices(db)},
                status_code=status_code)


@router.get("/users/new")
def new_user_page(request: Request, db: DB, admin: Admin) -> Response:
    return _new_page(request, db, {}, {})


@router.post("/users", dependencies=[CsrfChecked, SubmittedOnce])
def create_user(request: Request, db: DB, admin: Admin, username: Field = "", display_name: Field = "",
                role: Field = "", window: Field = "", community_code: Field = "", password: Field = "",
                password_confirm: Field = "") -> Response:
    form = {"username": username.strip(), "display_name": display_name, "role": role, "window": window,
            "community_code": community_code}
    try:
        chosen = _role(role)
        number = _window(window)
        _same_password(password, password_confirm)
        with db.begin_nested():  # refused: nothing of it is written
            user = staff.create_staff_account(db, username=username.strip(), password=password, role=chosen,
                                              display_name=display_name, window=number,
                                              community_code=community_code or None, by=admin.user)
    except IntegrityError as exc:  # another admin took the username a moment ago
        taken = duplicate_key(exc)
        if taken is None:
            raise
        return _new_page(request, db, form, errors_of(taken), status_code=taken.status_code)
    except EstationError as exc:
        return _new_page(request, db, form, errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/users/{user.id}", f"已建账号 {user.username}，请把密码当面告诉{user.display_name}")


def _user_page(request: Request, db: Session, admin: Admin, account: User, *, form: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    shown = {"display_name": account.display_name, "role": account.role.value, "window": str(account.window or ""),
             "community_code": account.community_code or ""} | (form or {})
    return page(request, "admin/user.html", {
        "account": account, "form": shown, "errors": errors or {}, "is_self": account.id == admin.user.id,
        "is_staff": account.role in staff.STAFF_ROLES, **_choices(db),
    }, status_code=status_code)


@router.get("/users/{user_id}")
def user_page(request: Request, db: DB, admin: Admin, user_id: PathId) -> Response:
    return _user_page(request, db, admin, staff.get_account(db, user_id))


@router.post("/users/{user_id}/post", dependencies=[CsrfChecked, SubmittedOnce])
def change_post(request: Request, db: DB, admin: Admin, user_id: PathId, display_name: Field = "",
                role: Field = "", window: Field = "", community_code: Field = "") -> Response:
    account = staff.get_account(db, user_id)
    form = {"display_name": display_name, "role": role, "window": window, "community_code": community_code}
    try:
        with db.begin_nested():
            staff.set_post(db, account=account, role=_role(role), display_name=display_name, window=_window(window),
                           community_code=community_code or None, by=admin.user)
    except EstationError as exc:
        db.refresh(account)
        return _user_page(request, db, admin, account, form=form, errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/users/{user_id}", "已保存岗位")


@router.post("/users/{user_id}/password", dependencies=[CsrfChecked, SubmittedOnce])
def reset_password(request: Request, db: DB, admin: Admin, user_id: PathId, password: Field = "",
                   password_confirm: Field = "") -> Response:
    account = staff.get_account(db, user_id)
    try:
        _same_password(password, password_confirm)
        with db.begin_nested():
            staff.reset_password(db, account=account, password=password, by=admin.user, keep_token=admin.token)
    except EstationError as exc:
        return _user_page(request, db, admin, account, errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/users/{user_id}", f"已设新密码，请当面告诉{account.display_name}；原来登录的设备已退出")


def _switch(request: Request, db: DB, admin: Admin, user_id: int, reason: str, *, enable: bool) -> Response:
    """Disable or restore an account, with the admin's reason; a refusal shows the page again with it."""
    account = staff.get_account(db, user_id)
    try:
        with db.begin_nested():
            (staff.enable if enable else staff.disable)(db, account=account, reason=reason, by=admin.user)
    except EstationError as exc:
        db.refresh(account)
        return _user_page(request, db, admin, account, form={"reason": reason}, errors=errors_of(exc),
                          status_code=exc.status_code)
    told = f"已恢复{account.display_name}的账号" if enable else f"已停用{account.display_name}的账号，已登录的设备也已退出"
    return done(f"/admin/users/{user_id}", told)


@router.post("/users/{user_id}/disable", dependencies=[CsrfChecked, SubmittedOnce])
def disable_user(request: Request, db: DB, admin: Admin, user_id: PathId, reason: Field = "") -> Response:
    return _switch(request, db, admin, user_id, reason, enable=False)


@router.post("/users/{user_id}/enable", dependencies=[CsrfChecked, SubmittedOnce])
def enable_user(request: Request, db: DB, admin: Admin, user_id: PathId, reason: Field = "") -> Response:
    return _switch(request, db, admin, user_id, reason, enable=True)

"""What every admin page shares: the admin-only role check, the navigation, the page renderer, form errors
and the record of what the admin did."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from estation.accounts.models import Role
from estation.accounts.service import log_access
from estation.deps import Principal
from estation.errors import EstationError
from estation.web.once import FormRoute
from estation.web.pages import render
from estation.web.security import require_web_roles

ADMIN_ONLY = require_web_roles(Role.admin)
Admin = Annotated[Principal, Depends(ADMIN_ONLY)]
Field = Annotated[str, Form()]
"""A form field as typed: the services check it and say what is wrong in Chinese (no bare 422 page)."""

# The admin navigation, in order: (address, name). A new screen adds its line here.
NAV: list[tuple[str, str]] = [
    ("/admin", "首页"),
    ("/admin/users", "用户和权限"),
    ("/admin/pairings", "结对帮扶"),
    ("/admin/employers", "单位审核"),
    ("/admin/suggestions", "居民留言"),
    ("/admin/ratings", "差评回访"),
    ("/admin/catalogue", "办事目录"),
    ("/admin/calendar", "工作日历"),
    ("/admin/reminders", "政策提醒"),
    ("/admin/imports", "批量导入"),
    ("/counter/notices", "通知公告"),
    ("/volunteers", "志愿服务"),
]


def admin_router() -> APIRouter:
    """The router of one admin screen's module, its paths under /admin; estation.web.admin includes it."""
    return APIRouter(prefix="/admin", include_in_schema=False, route_class=FormRoute)


def page(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    """An admin page: the layout's navigation marks the screen the address belongs to."""
    path = request.url.path
    current = max((url for url, _ in NAV if path == url or path.startswith(url + "/")), key=len, default="")
    ctx: dict[str, Any] = {"nav": NAV, "current": current, "msg": request.query_params.get("msg", "")[:80],
                           "errors": {}}
    ctx.update(context or {})
    return render(request, name, ctx, status_code=status_code)


def done(url: str, message: str, *, anchor: str = "") -> RedirectResponse:
    """After a change: back to the screen (at ``anchor``), which says what was done."""
    fragment = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}msg={quote(message)}{fragment}", status_code=303)


def errors_of(exc: EstationError) -> dict[str, str]:
    """A refused change as field -> message, shown beside the field and above the form."""
    return {exc.field or "form": exc.message}


def audit(db: Session, admin: Principal, *, action: str, what: str, reason: str) -> None:
    """What the admin changed goes into the access log, like every other change of record."""
    log_access(db, user=admin.user, resident_id=None, action=action, what=what[:120], reason=reason[:200])

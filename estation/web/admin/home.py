"""The admin's start page: the screens and what waits for the admin."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from estation.web.admin.common import NAV, Admin, admin_router, page

router = admin_router()


@router.get("")
def index(request: Request, admin: Admin) -> HTMLResponse:
    return page(request, "admin/index.html", {"screens": NAV[1:]})

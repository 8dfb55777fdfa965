"""Rendering shared by every UI surface."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from estation.deps import csrf_token, request_scope
from estation.web.templating import templates


def render(request: Request, name: str, context: dict | None = None, *, status_code: int = 200,
           personal: bool = True) -> HTMLResponse:
    """A page with the signed-in principal and a CSRF token; personal pages are never stored."""
    ctx = {"principal": request_scope(request).principal, "csrf_token": csrf_token(request)}
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if personal:
        response.headers["Cache-Control"] = "no-store"
    return response

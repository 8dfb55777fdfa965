"""The service catalogue (办事目录): each service's name, summary, conditions, steps, time limit and the
documents every resident brings. What the admin saves is what registry.document_list gives the kiosk's
办事指南, the printed 一次性告知单 and the counter's checklist: the page shows that list as it now reads.
The documents some residents need only in a certain situation are the case type's rules (code), shown
here with their condition."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from estation import clock
from estation.cases import registry, service
from estation.cases.models import ServiceType
from estation.cases.schemas import ServiceEdit
from estation.deps import DB
from estation.errors import EstationError
from estation.web.admin.common import Admin, admin_router, page
from estation.web.admin.forms import Posted, lines, logged, parsed, text
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

NAMES = {"name": "服务名称", "summary": "简要说明", "documents": "所有人都要带的材料", "conditions": "办理条件",
         "steps": "办理步骤", "time_limit_working_days": "办理时限"}


@router.get("/catalogue")
def catalogue(request: Request, db: DB, admin: Admin) -> HTMLResponse:
    services = service.service_types(db)
    rules = {s.code: registry.REGISTRY.get(s.code).conditional_documents for s in services}
    return page(request, "admin/catalogue.html", {"services": services, "rules": rules})


def _edit_page(request: Request, db: Session, item: ServiceType, form: dict[str, str], *, error: str = "",
               field: str | None = None, status_code: int = 200) -> HTMLResponse:
    anonymous = registry.situation(item.code, None, today=clock.today())
    return page(request, "admin/catalogue_edit.html", {
        "s": item, "form": form, "error": error, "field": field,
        "rules": registry.REGISTRY.get(item.code).conditional_documents,
        "shown": registry.document_list(item, anonymous),
    }, status_code=status_code)


def _current(item: ServiceType) -> dict[str, str]:
    return {"name": item.name, "summary": item.summary, "documents": "\n".join(item.documents),
            "conditions": "\n".join(item.conditions), "steps": "\n".join(item.steps),
            "time_limit_working_days": str(item.time_limit_working_days)}


@router.get("/catalogue/{code}")
def edit_form(request: Request, db: DB, admin: Admin, code: str) -> HTMLResponse:
    item = service.get_service_type(db, code)
    return _edit_page(request, db, item, _current(item))


@router.post("/catalogue/{code}", dependencies=[CsrfChecked, SubmittedOnce])
def save(request: Request, db: DB, admin: Admin, code: str, form: Posted) -> Response:
    item = service.get_service_type(db, code)
    values = {key: text(form, key) for key in NAMES}
    try:
        data = parsed(ServiceEdit, {
            "name": values["name"], "summary": values["summary"], "documents": lines(values["documents"]),
            "conditions": lines(values["conditions"]), "steps": lines(values["steps"]),
            "time_limit_working_days": values["time_limit_working_days"],
        }, NAMES)
        with db.begin_nested():
            service.edit_service_type(db, code=code, **data.model_dump())
            logged(db, admin.user, action="update", what=f"办事目录：{data.name}", reason="管理员修改服务事项")
    except EstationError as exc:
        db.refresh(item)
        return _edit_page(request, db, item, values, error=exc.message, field=exc.field, status_code=exc.status_code)
    done = quote(f"已保存“{data.name}”：自助终端、告知单和窗口清单即时按新内容显示")
    return RedirectResponse(f"/admin/catalogue/{code}?msg={done}", status_code=303)

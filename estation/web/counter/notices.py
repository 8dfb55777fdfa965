"""通知公告 for staff: write, change, withdraw and push notices (admins and counter staff for the street,
community staff for their own community). The kiosk's attract screen and the phone page show them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.deps import DB
from estation.errors import EstationError
from estation.labour.service import communities
from estation.notices import service as notices
from estation.notices.models import Notice, NoticeKind
from estation.notices.schemas import NAMES, NoticeIn
from estation.schemas import PathId
from estation.web.admin.forms import Posted, parsed, text
from estation.web.counter.profile import Keeper
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked

router = APIRouter(include_in_schema=False, route_class=FormRoute)

FIELDS = ("kind", "title", "body", "audience", "community_code", "valid_from", "valid_until")


def _choices(db: Session, user: User) -> dict[str, Any]:
    places = communities(db)
    return {
        "kinds": list(NoticeKind), "audiences": notices.audiences_for(user),
        "communities": [c for c in places.values() if user.community_code in (None, c.code)],
        "names": {code: c.name for code, c in places.items()}, "today": clock.today(),
    }


def _page(request: Request, db: Session, user: User, *, form: dict[str, Any], editing: Notice | None = None,
          error: str = "", field: str | None = None, status_code: int = 200, msg: str = "") -> Response:
    rows, today = notices.staff_list(db, user=user), clock.today()
    return render(request, "counter/notices.html", {
        **_choices(db, user), "form": form, "editing": editing, "error": error, "field": field, "msg": msg,
        "rows": rows, "states": {n.id: notices.state_of(n, today) for n in rows},
    }, status_code=status_code)


def _blank(user: User) -> dict[str, Any]:
    today = clock.today()
    return {"kind": NoticeKind.news.value, "audience": "community" if user.community_code else "everyone",
            "community_code": user.community_code or "", "valid_from": today.isoformat(),
            "valid_until": today.replace(day=28).isoformat() if today.day < 28 else today.isoformat()}


def _form_of(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind.value, "title": notice.title, "body": notice.body, "audience": notice.audience.value,
            "community_code": notice.community_code or "", "valid_from": notice.valid_from.isoformat(),
            "valid_until": notice.valid_until.isoformat()}


def _data(form: Posted) -> NoticeIn:
    values: dict[str, str | None] = {name: text(form, name) for name in FIELDS}
    values["community_code"] = values["community_code"] or None
    return parsed(NoticeIn, values, NAMES)


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/counter/notices?msg={quote(message)}", status_code=303)


@router.get("/notices")
def notice_list(request: Request, db: DB, principal: Keeper):
    return _page(request, db, principal.user, form=_blank(principal.user), msg=request.query_params.get("msg", "")[:40])


@router.post("/notices", dependencies=[CsrfChecked, SubmittedOnce])
def publish(request: Request, db: DB, principal: Keeper, form: Posted):
    try:
        with db.begin_nested():
            notice = notices.publish(db, user=principal.user, data=_data(form))
            sent = (notices.push(db, user=principal.user, notice_id=notice.id, today=clock.today())
                    if text(form, "push") and notices.is_in_force(notice, clock.today()) else None)
    except EstationError as exc:
        return _page(request, db, principal.user, form=dict(form), error=exc.message, field=exc.field,
                     status_code=exc.status_code)
    return _done("已发布" if sent is None else f"已发布，已推送给{sent}位订阅的居民")


@router.get("/notices/{notice_id}")
def edit_form(request: Request, db: DB, principal: Keeper, notice_id: PathId):
    notice = notices.editable(db, user=principal.user, notice_id=notice_id)
    return _page(request, db, principal.user, form=_form_of(notice), editing=notice)


@router.post("/notices/{notice_id}", dependencies=[CsrfChecked, SubmittedOnce])
def save(request: Request, db: DB, principal: Keeper, notice_id: PathId, form: Posted):
    try:
        with db.begin_nested():
            notices.edit(db, user=principal.user, notice_id=notice_id, data=_data(form))
    except EstationError as exc:
        return _page(request, db, principal.user, form=dict(form), error=exc.message, field=exc.field,
                     editing=notices.editable(db, user=principal.user, notice_id=notice_id), status_code=exc.status_code)
    return _done("已保存修改")


@router.post("/notices/{notice_id}/withdraw", dependencies=[CsrfChecked, SubmittedOnce])
def withdraw(db: DB, principal: Keeper, notice_id: PathId):
    notices.withdraw(db, user=principal.user, notice_id=notice_id)
    return _done("已撤下")


@router.post("/notices/{notice_id}/push", dependencies=[CsrfChecked, SubmittedOnce])
def push(db: DB, principal: Keeper, notice_id: PathId):
    sent = notices.push(db, user=principal.user, notice_id=notice_id, today=clock.today())
    return _done(f"已推送给{sent}位订阅的居民")

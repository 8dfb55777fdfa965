"""通知公告 on a phone: the notices in force, the street-wide ones and a chosen community's."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from estation import clock
from estation.deps import DB
from estation.errors import NotFound
from estation.labour.service import communities
from estation.notices import service as notices
from estation.schemas import PathId
from estation.web.pages import render

router = APIRouter(prefix="/m", include_in_schema=False)


@router.get("/notices")
def notice_list(request: Request, db: DB, community: str = Query(default="", max_length=12)):
    places = communities(db)
    if community and community not in places:
        raise NotFound("没有这个社区")
    rows = notices.in_force(db, today=clock.today(), community_code=community or None)
    return render(request, "phone/notices.html", {
        "notices": rows, "communities": list(places.values()), "community": places.get(community),
        "names": {code: c.name for code, c in places.items()},
    }, personal=False)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, db: DB, notice_id: PathId):
    notice = notices.public_notice(db, notice_id, today=clock.today())
    place = communities(db).get(notice.community_code or "")
    return render(request, "phone/notice.html", {"n": notice, "place": place}, personal=False)


@router.get("")
def phone_home():
    """/m, where an error page's 返回 leads: the notices are the phone pages' start."""
    return RedirectResponse("/m/notices", status_code=303)

"""The admin's start page: the screens, and what waits for the admin."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from estation.deps import DB
from estation.feedback import service as feedback
from estation.feedback.models import SuggestionStatus
from estation.jobs import service as jobs
from estation import clock
from estation.ratings import service as ratings
from estation.volunteers import service as volunteers
from estation.web.admin.common import NAV, Admin, admin_router, page

router = admin_router()


@router.get("")
def index(request: Request, db: DB, admin: Admin) -> HTMLResponse:
    pending, _ = jobs.employers_to_review(db, decided_limit=0)
    _, open_suggestions = feedback.listing(db, status=SuggestionStatus.open, limit=1, offset=0)
    waiting = {"/admin/employers": f"{len(pending)}家单位等待审核" if pending else "",
               "/admin/suggestions": f"{open_suggestions}条留言等待答复" if open_suggestions else ""}
    poor = ratings.open_follow_ups(db)
    waiting["/admin/ratings"] = f"{poor}条差评等待回访" if poor else ""
    applied = len(volunteers.applications(db, user=admin.user, today=clock.today()))
    waiting["/volunteers"] = f"{applied}份志愿者报名待核实" if applied else ""
    return page(request, "admin/index.html", {"screens": NAV[1:], "waiting": waiting})

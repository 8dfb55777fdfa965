"""我的消息 (/ledger/inbox): a cadre's (leader's, admin's) own messages, above all the daily summary of new
matches for the hardship households paired with them, each household linked to its 为这户找工作 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from estation.accounts.models import Role
from estation.deps import DB, Principal
from estation.ledger import service as ledger
from estation.matching.digest import household_links
from estation.notifications import service as notifications
from estation.web.once import FormRoute, SubmittedOnce
from estation.web.pages import render
from estation.web.security import CsrfChecked, require_web_roles

router = APIRouter(prefix="/ledger", include_in_schema=False, route_class=FormRoute)

Staff = Annotated[Principal, Depends(require_web_roles(Role.cadre, Role.leader, Role.admin, login_url="/login"))]


@router.get("/inbox")
def inbox(request: Request, db: DB, principal: Staff) -> Response:
    items = notifications.inbox(db, user=principal.user, limit=100)
    households = household_links(db, [n.id for n in items])
    return render(request, "ledger/inbox.html", {
        "items": items, "households": households,
        "heads": {h.id: ledger.head_name(h) for hs in households.values() for h in hs},
        "unread": sum(1 for n in items if n.read_at is None),
    })


@router.post("/inbox/read", dependencies=[CsrfChecked, SubmittedOnce])
def read_all(db: DB, principal: Staff) -> Response:
    notifications.mark_all_read(db, user=principal.user)
    return RedirectResponse("/ledger/inbox", status_code=303)

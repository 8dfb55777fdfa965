"""创业机会: shop spaces, projects, guaranteed loans and subsidies with their conditions, and asking about one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from estation.deps import DB, OptionalPrincipal
from estation.errors import EstationError
from estation.jobs.models import StartupKind
from estation.kiosk import opportunities
from estation.schemas import PathId
from estation.web.kiosk.common import SIGNIN_URL, KioskRoute, kiosk_resident, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk/startups", include_in_schema=False, route_class=KioskRoute)


@router.get("")
def startup_list(request: Request, db: DB, principal: OptionalPrincipal,
                 kind: Annotated[StartupKind | None, Query()] = None):
    rows = opportunities.startups(db, kind=kind)
    return page(request, "kiosk/startups.html", {"rows": rows, "kinds": list(StartupKind), "kind": kind,
                                                 "amount": opportunities.amount_text}, principal=principal)


def _detail(request: Request, db: DB, principal, startup_id: int, *, status_code: int = 200, **extra):
    opportunity = opportunities.startup(db, startup_id)
    resident = kiosk_resident(principal)
    asked = (opportunities.my_questions(db, resident_id=resident.user.resident_id, startup_id=opportunity.id)
             if resident and resident.user.resident_id else [])
    return page(request, "kiosk/startup_detail.html", {
        "s": opportunity, "amount": opportunities.amount_text(opportunity), "asked": asked,
        "question_max": opportunities.QUESTION_MAX,
    } | extra, principal=principal, status_code=status_code)


@router.get("/{startup_id}")
def startup_detail(request: Request, db: DB, principal: OptionalPrincipal, startup_id: PathId, done: str = ""):
    return _detail(request, db, principal, startup_id, done=bool(done))


@router.post("/{startup_id}/ask", dependencies=[CsrfChecked, SubmittedOnce])
def startup_ask(request: Request, db: DB, principal: OptionalPrincipal, startup_id: PathId,
                question: Annotated[str, Form(max_length=4000)] = ""):
    if (resident := kiosk_resident(principal)) is None:
        # Staff answer the resident they can reach: asking needs signing in; back here afterwards.
        return RedirectResponse(f"{SIGNIN_URL}?next=/kiosk/startups/{startup_id}", status_code=303)
    opportunity = opportunities.startup(db, startup_id)
    try:
        opportunities.ask(db, user=resident.user, opportunity=opportunity, question=question)
    except EstationError as exc:
        return _detail(request, db, principal, startup_id, status_code=exc.status_code, error=exc.message,
                       question=question)
    return RedirectResponse(f"/kiosk/startups/{startup_id}?done=1#asked", status_code=303)

"""我的申请, 我的办事进度, 我的社保 (signed in), 办事指南 and 留言建议 (open to everyone)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from estation.cases import service as cases
from estation.cases.models import QUERY_CODE_PATTERN
from estation.deps import DB, OptionalPrincipal
from estation.errors import EstationError, InvalidInput
from estation.feedback import service as feedback
from estation.feedback.models import SuggestionKind
from estation.kiosk import opportunities
from estation.kiosk import service as kiosk
from estation.ratings import service as ratings
from estation.web.kiosk.common import KioskRoute, kiosk_resident, page, signin_redirect
from estation.web.kiosk.ratings import rating_form
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk", include_in_schema=False, route_class=KioskRoute)
REFERENCE = re.compile(cases.REFERENCE_PATTERN)
CODE = re.compile(QUERY_CODE_PATTERN)


@router.get("/me/applications")
def my_applications(request: Request, db: DB, principal: OptionalPrincipal):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    rows = kiosk.applications(db, user=principal.user)
    invitations = opportunities.my_invitations(db, user=principal.user)
    return page(request, "kiosk/applications.html",
                {"rows": rows, "invitations": invitations, "answerable": opportunities.answerable,
                 "waiting": sum(map(opportunities.answerable, invitations))},
                principal=principal)


@router.get("/me/cases")
def my_cases(request: Request, db: DB, principal: OptionalPrincipal, rated: str = ""):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    resident_id = principal.user.resident_id
    to_rate = {c.reference for c in ratings.unrated_cases(db, resident_id=resident_id, limit=50)}
    return page(request, "kiosk/cases.html", {
        "rows": kiosk.cases(db, user=principal.user), "to_rate": to_rate, "rated": ratings.case_ratings(
            db, resident_id=resident_id), "just_rated": rated[:20], **rating_form(of_case=True)}, principal=principal)


@router.get("/progress")
def progress_form(request: Request, principal: OptionalPrincipal):
    """Case progress for whoever holds the receipt or slip (a relative, or someone without a PIN)."""
    return page(request, "kiosk/progress.html", {}, principal=principal)


@router.post("/progress", dependencies=[CsrfChecked])
def progress(request: Request, db: DB, principal: OptionalPrincipal, reference: Annotated[str, Form()] = "",
             code: Annotated[str, Form()] = ""):
    # Posted, not a query string: the code must not stay in the kiosk's address bar or history.
    reference, code = "".join(reference.split()).upper(), "".join(code.split())
    reference = reference if reference.startswith(cases.REFERENCE_PREFIX) else cases.REFERENCE_PREFIX + reference
    found, status = None, 422
    if not REFERENCE.fullmatch(reference):
        error = "办件编号是回执上“DL”后面的12位数字，请核对"
    elif not CODE.fullmatch(code):
        error = "查询码是8位数字，印在回执或告知单上"
    else:
        found = cases.public_status(db, reference, code)
        error, status = (None, 200) if found else ("没有找到这个办件，请核对办件编号和查询码", 404)
    shown = reference.removeprefix(cases.REFERENCE_PREFIX)
    return page(request, "kiosk/progress.html", {"case": found, "error": error, "reference": shown},
                principal=principal, status_code=status)


@router.get("/me/insurance")
def my_insurance(request: Request, db: DB, principal: OptionalPrincipal):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    schemes, transfers = kiosk.insurance(db, user=principal.user)
    return page(request, "kiosk/insurance.html", {"schemes": schemes, "transfers": transfers,
                                                  "guides": kiosk.pension_services(db)}, principal=principal)


@router.get("/me/readers")
def my_record_readers(request: Request, db: DB, principal: OptionalPrincipal):
    if kiosk_resident(principal) is None:
        return signin_redirect(request)
    return page(request, "kiosk/readers.html", {"rows": kiosk.record_readers(db, user=principal.user)},
                principal=principal)


@router.get("/guide")
def guide(request: Request, db: DB, principal: OptionalPrincipal):
    return page(request, "kiosk/guide.html", {"services": cases.service_types(db)}, principal=principal)


@router.get("/guide/{code}")
def guide_detail(request: Request, db: DB, principal: OptionalPrincipal, code: str):
    """一次告知: signed in, the resident's own list; anonymous, every document with its condition."""
    service = cases.get_service_type(db, code)
    resident = kiosk_resident(principal)
    person = kiosk.resident_of(db, resident.user) if resident else None
    documents = kiosk.guide_documents(db, service=service, resident=person, user=resident.user if resident else None)
    return page(request, "kiosk/guide_detail.html", {"service": service, "documents": documents, "person": person},
                principal=principal)


def _suggest_context(db: DB, principal) -> dict:
    resident = kiosk_resident(principal)
    mine = feedback.for_resident(db, resident_id=resident.user.resident_id) if resident and resident.user.resident_id else []
    return {"kinds": feedback.RESIDENT_KINDS, "mine": mine}


@router.get("/suggest")
def suggest_page(request: Request, db: DB, principal: OptionalPrincipal, done: str = ""):
    ctx = _suggest_context(db, principal)
    if done:
        ctx["done"] = feedback.by_reference(db, done[:20])
    return page(request, "kiosk/suggest.html", ctx, principal=principal)


@router.post("/suggest", dependencies=[CsrfChecked, SubmittedOnce])
def suggest(
    request: Request, db: DB, principal: OptionalPrincipal,
    kind: Annotated[SuggestionKind, Form()] = SuggestionKind.suggestion,
    text: Annotated[str, Form(max_length=2000)] = "",
    public: Annotated[str, Form(max_length=10)] = "",
):
    resident = kiosk_resident(principal)
    if kind not in feedback.RESIDENT_KINDS:
        raise InvalidInput("请选择您想说的是建议、投诉还是表扬", field="kind")
    try:
        row = feedback.leave(db, kind=kind, text=text, resident_id=resident.user.resident_id if resident else None,
                             public_consent=public == "yes")
    except EstationError as exc:
        ctx = _suggest_context(db, principal) | {"error": exc.message, "text": text[:2000], "kind": kind.value,
                                                 "public": public == "yes"}
        return page(request, "kiosk/suggest.html", ctx, principal=principal, status_code=exc.status_code)
    return RedirectResponse(f"/kiosk/suggest?done={row.reference}", status_code=303)

"""Employer approval: the registrations waiting for review, approve or refuse with a reason (the employer is
told, its drafted vacancies open on approval: estation.jobs.service.decide_employer)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from estation.deps import DB
from estation.errors import EstationError, InvalidInput
from estation.jobs import service
from estation.jobs.models import Employer
from estation.kit import get_or_404
from estation.labour.service import communities
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, audit, done, errors_of, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

DECISIONS = {"approve": "通过", "refuse": "不予通过"}
LABELS = {"decision": "审核结果", "reason": "不予通过的原因", "form": ""}


def _page(request: Request, db: Session, *, failed: int | None = None, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    pending, decided = service.employers_to_review(db)
    return page(request, "admin/employers.html", {
        "pending": pending, "decided": decided, "communities": communities(db), "failed": failed,
        "form": form or {}, "errors": errors or {}, "labels": LABELS,
    }, status_code=status_code)


@router.get("/employers")
def employers_page(request: Request, db: DB, admin: Admin) -> Response:
    return _page(request, db)


@router.post("/employers/{employer_id}", dependencies=[CsrfChecked, SubmittedOnce])
def decide(request: Request, db: DB, admin: Admin, employer_id: PathId, decision: Field = "",
           reason: Field = "") -> Response:
    employer = get_or_404(db, Employer, employer_id, "用人单位不存在")
    try:
        if decision not in DECISIONS:
            raise InvalidInput("请选择通过或不予通过", field="decision")
        why = reason.strip()
        if len(why) > 200:
            raise InvalidInput("原因请不要超过200字", field="reason")
        with db.begin_nested():
            service.decide_employer(db, employer=employer, approve=decision == "approve", reason=why or None)
            audit(db, admin, action="decide_employer", what=f"用人单位：{employer.name}",
                  reason=DECISIONS[decision] + (f"：{why}" if decision == "refuse" else ""))
    except EstationError as exc:
        db.refresh(employer)
        return _page(request, db, failed=employer_id, form={"reason": reason}, errors=errors_of(exc),
                     status_code=exc.status_code)
    return done("/admin/employers", f"{employer.name}：{DECISIONS[decision]}，已通知该单位")

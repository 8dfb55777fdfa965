"""差评回访: each 不满意 / 非常不满意 rating is an item for the supervisor (an admin), who records what was done
until it is closed. The rules are estation.ratings.service's; reading who rated is logged."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from estation.accounts.service import log_access
from estation.deps import DB
from estation.errors import EstationError
from estation.ratings import service
from estation.ratings.models import FollowUpStatus
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, audit, done, errors_of, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

LABELS = {"note": "处理情况", "status": "状态", "form": ""}
NEXT_STATUSES = (FollowUpStatus.in_progress, FollowUpStatus.closed)


@router.get("/ratings")
def follow_ups_page(request: Request, db: DB, admin: Admin, status: str = "") -> Response:
    chosen = next((s for s in FollowUpStatus if s.value == status), None)
    items = [service.follow_up_view(db, i) for i in service.follow_ups(db, status=chosen)]
    return page(request, "admin/follow_ups.html", {"items": items, "statuses": list(FollowUpStatus),
                                                   "status": chosen.value if chosen else ""})


def _item_page(request: Request, db: Session, admin: Admin, follow_up_id: int, *, form: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    view = service.follow_up_view(db, service.get_follow_up(db, follow_up_id))
    if view.resident_id is not None:
        audit_read(db, admin, view)
    return page(request, "admin/follow_up.html", {
        "v": view, "next_statuses": NEXT_STATUSES, "form": form or {}, "errors": errors or {}, "labels": LABELS,
        "max_note": service.MAX_NOTE}, status_code=status_code)


def audit_read(db: Session, admin: Admin, view: service.FollowUpView) -> None:
    """The page names the resident who rated (the supervisor calls them back): a read of personal data."""
    log_access(db, user=admin.user, resident_id=view.resident_id, action="view_rating_follow_up",
               what=f"差评回访 {view.item.id}", reason="处理差评回访")


@router.get("/ratings/{follow_up_id}")
def follow_up_page(request: Request, db: DB, admin: Admin, follow_up_id: PathId) -> Response:
    return _item_page(request, db, admin, follow_up_id)


@router.post("/ratings/{follow_up_id}", dependencies=[CsrfChecked, SubmittedOnce])
def record(request: Request, db: DB, admin: Admin, follow_up_id: PathId, note: Field = "",
           status: Field = FollowUpStatus.in_progress.value) -> Response:
    chosen = next((s for s in NEXT_STATUSES if s.value == status), FollowUpStatus.in_progress)
    try:
        with db.begin_nested():
            item = service.record_step(db, follow_up_id=follow_up_id, note=note, status=chosen, by=admin.user)
            audit(db, admin, action="rating_follow_up", what=f"差评回访 {item.id}", reason=f"记录处理情况：{chosen.label}")
    except EstationError as exc:
        if exc.status_code == 404:
            raise
        return _item_page(request, db, admin, follow_up_id, form={"note": note, "status": chosen.value},
                          errors=errors_of(exc), status_code=exc.status_code)
    return done(f"/admin/ratings/{follow_up_id}", f"已记录：{chosen.label}")

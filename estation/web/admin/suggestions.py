"""Residents' suggestions and complaints: read them and answer (a signed-in resident reads the answer at the
kiosk next time). The rules are estation.feedback.service's."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from estation.deps import DB
from estation.errors import EstationError
from estation.feedback import service
from estation.feedback.models import SuggestionStatus, SuggestionTopic
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, audit, done, errors_of, page
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

PAGE_SIZE = 30
LABELS = {"answer": "答复", "publish": "公开", "form": ""}


def _page(request: Request, db: Session, *, status: str, number: int, failed: int | None = None,
          form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          status_code: int = 200) -> Response:
    chosen = next((s for s in SuggestionStatus if s.value == status), None)
    number = max(1, number)
    rows, total = service.listing(db, status=chosen, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    previews = {r.id: service.public_copy(db, r, answer="")[0] for r in rows
                if r.public_consent and r.status == SuggestionStatus.open}
    return page(request, "admin/suggestions.html", {
        "rows": rows, "total": total, "previews": previews, "topics": list(SuggestionTopic), "status": chosen.value if chosen else "", "statuses": list(SuggestionStatus),
        "number": number, "pages": max(1, -(-total // PAGE_SIZE)), "failed": failed, "form": form or {},
        "errors": errors or {}, "labels": LABELS, "max_answer": service.MAX_ANSWER,
    }, status_code=status_code)


@router.get("/suggestions")
def suggestions_page(request: Request, db: DB, admin: Admin, status: str = SuggestionStatus.open.value,
                     page: str = "1") -> Response:
    number = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1
    return _page(request, db, status=status, number=number)


@router.post("/suggestions/{suggestion_id}/answer", dependencies=[CsrfChecked, SubmittedOnce])
def answer(request: Request, db: DB, admin: Admin, suggestion_id: PathId, answer: Field = "", publish: Field = "",
           topic: Field = "") -> Response:
    chosen = next((t for t in SuggestionTopic if t.value == topic), SuggestionTopic.other)
    try:
        with db.begin_nested():
            row = service.answer(db, suggestion_id=suggestion_id, text=answer, by=admin.user, publish=publish == "yes",
                                 topic=chosen)
            audit(db, admin, action="answer_suggestion", what=f"留言 {row.reference}", reason="答复居民留言")
    except EstationError as exc:
        if exc.status_code == 404:
            raise
        return _page(request, db, status=SuggestionStatus.open.value, number=1, failed=suggestion_id,
                     form={"answer": answer, "topic": chosen.value, "publish": publish}, errors=errors_of(exc),
                     status_code=exc.status_code)
    return done("/admin/suggestions", f"已答复留言 {row.reference}" + ("，已公开" if row.published else ""))

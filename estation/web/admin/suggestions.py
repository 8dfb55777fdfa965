"""Residents' suggestions and complaints: read them and answer, in public when the resident agreed (a signed-in
resident reads the answer at the kiosk next time). Counter staff answer on the same list at /counter/suggestions
(estation.web.counter.suggestions). The rules are estation.feedback.service's."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from estation.deps import DB, Principal
from estation.errors import EstationError
from estation.feedback import service
from estation.feedback.models import Suggestion, SuggestionStatus, SuggestionTopic
from estation.schemas import PathId
from estation.web.admin.common import Admin, Field, admin_router, done, errors_of
from estation.web.admin.common import page as page_
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()

PAGE_SIZE = 30
BASE = "/admin/suggestions"
LABELS = {"answer": "答复", "publish": "公开", "form": ""}


def listing_context(db: Session, *, base: str, status: str, number: int, failed: int | None = None,
                    form: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> dict:
    """What the suggestions list shows (admin/_suggestions.html), at the admin's or the counter's ``base``."""
    chosen = next((s for s in SuggestionStatus if s.value == status), None)
    number = max(1, number)
    rows, total = service.listing(db, status=chosen, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    previews = {r.id: service.public_copy(db, r, answer="")[0] for r in rows
                if r.public_consent and r.status == SuggestionStatus.open}
    return {
        "base": base, "rows": rows, "total": total, "previews": previews, "topics": list(SuggestionTopic),
        "status": chosen.value if chosen else "", "statuses": list(SuggestionStatus),
        "number": number, "pages": max(1, -(-total // PAGE_SIZE)), "failed": failed, "form": form or {},
        "errors": errors or {}, "labels": LABELS, "max_answer": service.MAX_ANSWER,
    }


def page_number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 1


def post_answer(db: Session, principal: Principal, *, suggestion_id: int, answer: str, publish: str,
                topic: SuggestionTopic) -> Suggestion:
    """The answer (and the public copy when chosen), logged with who answered (by the service); all or nothing."""
    with db.begin_nested():
        return service.answer(db, suggestion_id=suggestion_id, text=answer, by=principal.user,
                              publish=publish == "yes", topic=topic)


def answered(row: Suggestion) -> str:
    return f"已答复留言 {row.reference}" + ("，已公开" if row.published else "")


def topic_of(value: str) -> SuggestionTopic:
    return next((t for t in SuggestionTopic if t.value == value), SuggestionTopic.other)


@router.get("/suggestions")
def suggestions_page(request: Request, db: DB, admin: Admin, status: str = SuggestionStatus.open.value,
                     page: str = "1") -> Response:
    return page_(request, "admin/suggestions.html",
                 listing_context(db, base=BASE, status=status, number=page_number(page)))


def answer_form(db: Session, principal: Principal, *, base: str, suggestion_id: int, answer: str, publish: str,
                topic: str, show: Callable[[dict, int], Response]) -> Response:
    """The answer form's POST on either list (admin or counter): answered -> back to ``base`` with a line
    saying so; refused -> the list again through ``show`` (context, status) with the text kept."""
    chosen = topic_of(topic)
    try:
        row = post_answer(db, principal, suggestion_id=suggestion_id, answer=answer, publish=publish, topic=chosen)
    except EstationError as exc:
        if exc.status_code == 404:
            raise
        return show(listing_context(db, base=base, status=SuggestionStatus.open.value, number=1, failed=suggestion_id,
                                    form={"answer": answer, "topic": chosen.value, "publish": publish},
                                    errors=errors_of(exc)), exc.status_code)
    return done(base, answered(row))


@router.post("/suggestions/{suggestion_id}/answer", dependencies=[CsrfChecked, SubmittedOnce])
def answer(request: Request, db: DB, admin: Admin, suggestion_id: PathId, answer: Field = "", publish: Field = "",
           topic: Field = "") -> Response:
    return answer_form(db, admin, base=BASE, suggestion_id=suggestion_id, answer=answer, publish=publish, topic=topic,
                       show=lambda ctx, code: page_(request, "admin/suggestions.html", ctx, status_code=code))

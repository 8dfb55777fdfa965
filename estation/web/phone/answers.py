"""留言公开 (/m/answers): the answered suggestions residents agreed to show, by topic, for anyone (a phone, the kiosk).
Only the masked copies are read (estation.feedback.service.published)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from estation.deps import DB
from estation.feedback import service as feedback
from estation.feedback.models import SuggestionTopic
from estation.web.pages import render

router = APIRouter(prefix="/m", include_in_schema=False)


def answers_context(db: DB, topic: str) -> dict:
    """The chosen topic (an unknown one counts as all) and its answers grouped by topic, in the topics' order."""
    chosen = next((t for t in SuggestionTopic if t.value == topic), None)
    rows = feedback.published(db, topic=chosen)
    groups = [(t, [r for r in rows if r.topic is t]) for t in SuggestionTopic]
    return {"topics": list(SuggestionTopic), "topic": chosen.value if chosen else "",
            "groups": [(t, items) for t, items in groups if items], "count": len(rows)}


@router.get("/answers")
def public_answers(request: Request, db: DB, topic: str = "") -> Response:
    return render(request, "phone/answers.html", answers_context(db, topic[:20]), personal=False)

"""Leaving a suggestion or complaint, and staff answering it. Services only flush."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.db import utcnow
from estation.errors import Conflict, InvalidInput, NotFound
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus
from estation.kit import count
from estation.references import next_reference

MAX_TEXT = 1000
MAX_ANSWER = 2000
MIN_TEXT = 2


RESIDENT_KINDS = (SuggestionKind.suggestion, SuggestionKind.complaint, SuggestionKind.praise)
"""What a resident chooses on the 留言建议 page; a start-up question is asked from the opportunity's page."""


def leave(session: Session, *, kind: SuggestionKind, text: str, resident_id: int | None,
          channel: str = "kiosk", startup_id: int | None = None) -> Suggestion:
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise InvalidInput("请写下您的意见或建议", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"内容请不要超过{MAX_TEXT}字", field="text")
    row = Suggestion(reference=next_reference(session, prefix="LY", day=clock.today()), kind=kind, text=text,
                     resident_id=resident_id, channel=channel, status=SuggestionStatus.open, startup_id=startup_id)
    session.add(row)
    session.flush()
    return row


def for_resident(session: Session, *, resident_id: int, limit: int = 20) -> list[Suggestion]:
    return list(session.scalars(
        select(Suggestion).where(Suggestion.resident_id == resident_id)
        .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()).limit(limit)
    ))


def by_reference(session: Session, reference: str) -> Suggestion | None:
    return session.scalar(select(Suggestion).where(Suggestion.reference == reference.strip().upper()))


def listing(session: Session, *, status: SuggestionStatus | None, limit: int, offset: int) -> tuple[list[Suggestion], int]:
    stmt = select(Suggestion)
    if status is not None:
        stmt = stmt.where(Suggestion.status == status)
    total = count(session, stmt)
    rows = session.scalars(stmt.order_by(Suggestion.created_at.desc(), Suggestion.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def answer(session: Session, *, suggestion_id: int, text: str, by: User) -> Suggestion:
    # Locked: of two answers sent at once, the second waits here and then finds this one answered.
    row = session.get(Suggestion, suggestion_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound("没有这条留言")
    if row.status == SuggestionStatus.answered:
        raise Conflict("这条留言已经答复过了", field="answer")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写答复内容", field="answer")
    if len(text) > MAX_ANSWER:
        raise InvalidInput(f"答复请不要超过{MAX_ANSWER}字", field="answer")
    row.answer = text
    row.answered_by_id = by.id
    row.answered_at = utcnow()
    row.status = SuggestionStatus.answered
    session.flush()
    return row

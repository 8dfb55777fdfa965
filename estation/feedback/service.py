"""Leaving a suggestion or complaint, and staff answering it. Services only flush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import User
from estation.accounts.service import log_access
from estation.db import utcnow
from estation.errors import Conflict, InvalidInput, NotFound
from estation.feedback.masking import introduced_names, mask_public
from estation.feedback.models import Suggestion, SuggestionKind, SuggestionStatus, SuggestionTopic
from estation.kit import count
from estation.labour.models import Resident
from estation.references import next_reference

MAX_TEXT = 1000
MAX_ANSWER = 2000
MIN_TEXT = 2


RESIDENT_KINDS = (SuggestionKind.suggestion, SuggestionKind.complaint, SuggestionKind.praise)
"""What a resident chooses on the 留言建议 page; a start-up question is asked from the opportunity's page."""


def leave(session: Session, *, kind: SuggestionKind, text: str, resident_id: int | None,
          channel: str = "kiosk", startup_id: int | None = None, public_consent: bool = False) -> Suggestion:
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise InvalidInput("请写下您的意见或建议", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"内容请不要超过{MAX_TEXT}字", field="text")
    row = Suggestion(reference=next_reference(session, prefix="LY", day=clock.today()), kind=kind, text=text,
                     resident_id=resident_id, channel=channel, status=SuggestionStatus.open, startup_id=startup_id,
                     public_consent=public_consent)
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


def answer(session: Session, *, suggestion_id: int, text: str, by: User, publish: bool = False,
           topic: SuggestionTopic | None = None) -> Suggestion:
    """The answer, and with the resident's consent and the staff's choice, the masked public copy; logged
    with who answered (from the admin's or the counter's list, or the API), against the resident who wrote
    it if they were signed in."""
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
    if publish and not row.public_consent:
        raise Conflict("留言的居民没有同意公开，不能公开", field="publish")
    row.answer = text
    row.answered_by_id = by.id
    row.answered_at = utcnow()
    row.status = SuggestionStatus.answered
    row.topic = topic or SuggestionTopic.other
    if publish:
        row.published = True
        row.public_text, row.public_answer = public_copy(session, row, answer=text)
    log_access(session, user=by, resident_id=row.resident_id, action="answer_suggestion", what=f"留言 {row.reference}",
               reason="答复居民留言")
    session.flush()
    return row


def known_names(session: Session, row: Suggestion) -> list[str]:
    """The names a public copy must not carry: the resident who wrote it and their household's members."""
    if row.resident_id is None:
        return []
    resident = session.get(Resident, row.resident_id)
    if resident is None:
        return []
    return list(session.scalars(select(Resident.name).where(Resident.household_id == resident.household_id)))


def public_copy(session: Session, row: Suggestion, *, answer: str) -> tuple[str, str]:
    """The question and answer as the public page shows them (what the answer form previews, too)."""
    names = known_names(session, row) + introduced_names(row.text, answer)
    return mask_public(row.text, names=names), mask_public(answer, names=names)


@dataclass(frozen=True)
class PublicAnswer:
    reference: str
    topic: SuggestionTopic
    kind: SuggestionKind
    asked_on: date
    answered_on: date
    text: str
    answer: str


def published(session: Session, *, topic: SuggestionTopic | None = None, limit: int = 200) -> list[PublicAnswer]:
    """The answered suggestions shown in public, newest answer first: only their masked copies."""
    stmt = (select(Suggestion.reference, Suggestion.topic, Suggestion.kind, Suggestion.created_at,
                   Suggestion.answered_at, Suggestion.public_text, Suggestion.public_answer)
            .where(Suggestion.published.is_(True), Suggestion.status == SuggestionStatus.answered))
    if topic is not None:
        stmt = stmt.where(Suggestion.topic == topic)
    rows = session.execute(stmt.order_by(Suggestion.answered_at.desc(), Suggestion.id.desc()).limit(limit))
    return [PublicAnswer(reference=ref, topic=t or SuggestionTopic.other, kind=k, asked_on=_day(asked),
                         answered_on=_day(answered), text=text or "", answer=ans or "")
            for ref, t, k, asked, answered, text, ans in rows]


def _day(at: datetime) -> date:
    return at.astimezone(clock.BEIJING).date()


@dataclass(frozen=True)
class MonthResponse:
    """One month's suggestions (by the month they were left) and how fast they were answered."""

    month: date
    received: int
    answered: int
    median_days: float | None
    """Calendar days (Beijing) from leaving to the answer, over the answered ones; None when none is."""
    max_days: int | None

    @property
    def answered_share(self) -> float:
        return self.answered / self.received if self.received else 0.0


def month_start(day: date) -> datetime:
    return datetime.combine(day.replace(day=1), time(0), clock.BEIJING)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def response_times(session: Session, *, first: date, last: date) -> list[MonthResponse]:
    """Per month from ``first`` to ``last`` (both months included): received, answered, median and longest
    days to the answer. Start-up questions count too: they are answered from the same queue."""
    end = next_month(last)
    rows = session.execute(select(Suggestion.created_at, Suggestion.answered_at)
                           .where(Suggestion.created_at >= month_start(first), Suggestion.created_at < month_start(end)))
    by_month: dict[date, list[int | None]] = {}
    for created, answered in rows:
        asked = _day(created)
        by_month.setdefault(asked.replace(day=1), []).append(None if answered is None else (_day(answered) - asked).days)
    out, month = [], first.replace(day=1)
    while month < end:
        days = by_month.get(month, [])
        done = [d for d in days if d is not None]
        out.append(MonthResponse(month=month, received=len(days), answered=len(done),
                                 median_days=float(median(done)) if done else None, max_days=max(done, default=None)))
        month = next_month(month)
    return out

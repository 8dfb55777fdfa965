"""Rating a counter case or a kiosk session once, the monthly report, and the follow-up of poor ratings.
Services only flush."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.cases.models import Case, CaseStatus, ServiceType
from estation.db import utcnow
from estation.errors import Conflict, InvalidInput, NotFound
from estation.feedback.masking import mask_public
from estation.feedback.service import month_start, next_month
from estation.kit import count, get_or_404
from estation.labour.models import Resident
from estation.ratings.models import (
    POOR, SATISFIED, FollowUpStatus, Rating, RatingChannel, RatingFollowUp, RatingFollowUpStep, Satisfaction,
)

CASE_REASONS = ("等候时间长", "办事手续繁琐", "工作人员态度不好", "材料要求没讲清楚", "没有办成")
KIOSK_REASONS = ("终端不好用", "找不到要的信息", "字太小看不清", "等候时间长")
REASONS = frozenset(CASE_REASONS + KIOSK_REASONS)
"""The reasons a resident can tap (optional) for a case and for the kiosk; a few words of their own may follow."""
MAX_REASON = 120
MAX_NOTE = 1000
RATEABLE = (CaseStatus.completed, CaseStatus.refused)


def _reason(chosen: str, words: str) -> str | None:
    chosen = chosen.strip() if chosen.strip() in REASONS else ""
    words = " ".join((words or "").split())
    if len(words) > MAX_REASON:
        raise InvalidInput(f"原因请不要超过{MAX_REASON}字", field="reason")
    text = "；".join(p for p in (chosen, mask_public(words)) if p)
    return text or None


def _insert_once(session: Session, row: Rating, existing) -> tuple[Rating, bool]:
    """The row, or the one a parallel request wrote first (the unique key decides): never two."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
    if row.level in POOR:
        session.add(RatingFollowUp(rating_id=row.id, status=FollowUpStatus.open))
        session.flush()
    return row, True


def case_rating(session: Session, case_id: int) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.case_id == case_id))


def _closing_window(case: Case) -> int | None:
    closing = [e for e in case.events if e.status in RATEABLE]
    return (closing[-1].window if closing and closing[-1].window else None) or case.window


def rate_case(session: Session, *, case: Case, level: Satisfaction, channel: RatingChannel, reason: str = "",
              words: str = "") -> tuple[Rating, bool]:
    """The resident's rating of a finished case, once: a second one (a double tap, the kiosk after the
    counter) returns the first and ``False``."""
    if case.status not in RATEABLE:
        raise Conflict("办件办结后才能评价", field="level")
    found = case_rating(session, case.id)
    if found is not None:
        return found, False
    row = Rating(case_id=case.id, level=level, reason=_reason(reason, words), channel=channel,
                 window=_closing_window(case), service_code=case.service_code, resident_id=case.resident_id,
                 rated_at=utcnow())
    return _insert_once(session, row, lambda: case_rating(session, case.id))


def rate_kiosk_session(session: Session, *, session_key: str, resident_id: int | None, level: Satisfaction,
                       reason: str = "", words: str = "") -> tuple[Rating, bool]:
    """A rating of one kiosk session, given at 结束, once per session."""
    def existing() -> Rating | None:
        return session.scalar(select(Rating).where(Rating.kiosk_session == session_key))

    found = existing()
    if found is not None:
        return found, False
    row = Rating(kiosk_session=session_key, level=level, reason=_reason(reason, words), channel=RatingChannel.kiosk,
                 resident_id=resident_id, rated_at=utcnow())
    return _insert_once(session, row, existing)


def unrated_cases(session: Session, *, resident_id: int, limit: int = 5) -> list[Case]:
    """The resident's finished cases not yet rated, newest first (the kiosk asks about them)."""
    rated = select(Rating.case_id).where(Rating.case_id.is_not(None))
    return list(session.scalars(
        select(Case).where(Case.resident_id == resident_id, Case.status.in_(RATEABLE), Case.id.not_in(rated))
        .order_by(Case.closed_on.desc(), Case.id.desc()).limit(limit)))


def case_ratings(session: Session, *, resident_id: int) -> dict[str, Satisfaction]:
    """The resident's rated cases: reference -> the rating given."""
    return dict(session.execute(select(Case.reference, Rating.level).join(Rating, Rating.case_id == Case.id)
                                .where(Case.resident_id == resident_id)).tuples().all())


# --- the monthly report ---------------------------------------------------------------------------

KIOSK_ROW = "自助终端"
NO_WINDOW = "未记窗口"


@dataclass
class Tally:
    counts: dict[Satisfaction, int] = field(default_factory=lambda: dict.fromkeys(Satisfaction, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(n for level, n in self.counts.items() if level in SATISFIED)

    @property
    def poor(self) -> int:
        return sum(n for level, n in self.counts.items() if level in POOR)

    @property
    def rate(self) -> float | None:
        """The satisfaction rate (基本满意 and better over all ratings); None with no rating."""
        return self.satisfied / self.total if self.total else None


@dataclass
class MonthlyRatings:
    month: date
    totals: Tally
    by_window: list[tuple[str, Tally]]
    """(row name, tally): 1号窗口 ..., then 未记窗口 and 自助终端 when they have ratings; they add up to the totals."""
    by_service: list[tuple[str, Tally]]
    """(service name, tally), 自助终端 last: they add up to the totals."""


def monthly(session: Session, *, month: date) -> MonthlyRatings:
    rows = session.execute(
        select(Rating.level, Rating.channel, Rating.case_id, Rating.window, Rating.service_code)
        .where(Rating.rated_at >= month_start(month), Rating.rated_at < month_start(next_month(month))))
    names = dict(session.execute(select(ServiceType.code, ServiceType.name)).tuples().all())
    totals = Tally()
    windows: dict[tuple[int, str], Tally] = {}
    services: dict[tuple[int, str], Tally] = {}
    for level, _channel, case_id, window, code in rows:
        totals.counts[level] += 1
        if case_id is None:
            w_key: tuple[int, str] = (10**6, KIOSK_ROW)
            s_key: tuple[int, str] = (1, KIOSK_ROW)
        else:
            w_key = (window, f"{window}号窗口") if window else (10**6 - 1, NO_WINDOW)
            s_key = (0, names.get(code or "", code or ""))
        windows.setdefault(w_key, Tally()).counts[level] += 1
        services.setdefault(s_key, Tally()).counts[level] += 1
    return MonthlyRatings(month=month.replace(day=1), totals=totals,
                          by_window=[(name, t) for (_, name), t in sorted(windows.items())],
                          by_service=[(name, t) for (_, name), t in sorted(services.items())])


# --- follow-up of poor ratings ---------------------------------------------------------------------

def follow_ups(session: Session, *, status: FollowUpStatus | None) -> list[RatingFollowUp]:
    stmt = select(RatingFollowUp)
    if status is not None:
        stmt = stmt.where(RatingFollowUp.status == status)
    return list(session.scalars(stmt.order_by(RatingFollowUp.opened_at.desc(), RatingFollowUp.id.desc())))


def open_follow_ups(session: Session) -> int:
    """Items not yet closed (the admin home names them)."""
    return count(session, select(RatingFollowUp).where(RatingFollowUp.status != FollowUpStatus.closed))


def get_follow_up(session: Session, follow_up_id: int) -> RatingFollowUp:
    return get_or_404(session, RatingFollowUp, follow_up_id, "没有这条差评回访")


def record_step(session: Session, *, follow_up_id: int, note: str, status: FollowUpStatus, by: User) -> RatingFollowUp:
    """What the supervisor did, and where the item stands now; a closed item takes no more steps."""
    item = session.get(RatingFollowUp, follow_up_id, with_for_update=True, populate_existing=True)
    if item is None:
        raise NotFound("没有这条差评回访")
    if item.status == FollowUpStatus.closed:
        raise Conflict("这条差评回访已经办结", field="status")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请写下做了什么", field="note")
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"处理情况请不要超过{MAX_NOTE}字", field="note")
    if status == FollowUpStatus.open:
        status = FollowUpStatus.in_progress
    item.status = status
    item.closed_at = utcnow() if status == FollowUpStatus.closed else None
    item.steps.append(RatingFollowUpStep(by_user_id=by.id, status=status, note=note, at=utcnow()))
    session.flush()
    return item


def case_references(session: Session, case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    return dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).tuples().all())


@dataclass(frozen=True)
class FollowUpView:
    item: RatingFollowUp
    case_reference: str | None
    service_name: str
    resident_id: int | None
    resident_name: str | None


def follow_up_view(session: Session, item: RatingFollowUp) -> FollowUpView:
    """What a supervisor needs to call the resident back: the case, the service and who rated."""
    r = item.rating
    case = session.get(Case, r.case_id) if r.case_id else None
    service = session.get(ServiceType, r.service_code) if r.service_code else None
    resident = session.get(Resident, r.resident_id) if r.resident_id else None
    return FollowUpView(item=item, case_reference=case.reference if case else None,
                        service_name=service.name if service else KIOSK_ROW, resident_id=r.resident_id,
                        resident_name=resident.name if resident else None)

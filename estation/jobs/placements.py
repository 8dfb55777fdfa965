"""From application to retained job: one state machine per application, the placement it ends in, and
the follow-ups at 1, 3 and 6 months that ask whether the person still works there.

::

    new ──┬── contacted ──┐
          └───────────────┴── interview (time, place; attended or not) ── offered ── hired ── left
    every step before hired ── not_hired (reason) | withdrawn (the resident)

Every step is written to the application's log (who, when, note). A step is taken by compare-and-set
on the status the caller saw: of two people taking a step at once, one succeeds and the other is told
the application has moved on (409). A refused step raises before anything is written, and the request
rolls back as a whole. A hire starts a :class:`Placement`, which makes the resident employed (through
the labour service, so the change log says who and why) and with it their household; a follow-up that
finds the person out of work ends the placement and restores their former status. Placements reported
by a cadre from a ledger job referral start here too (:func:`start_placement`). Services only flush.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from estation import clock
from estation.accounts.models import Role, User
from estation.accounts.service import log_access
from estation.db import utcnow
from estation.errors import Conflict, InvalidInput, NotFound
from estation.jobs.service import minimum_wage_for
from estation.jobs.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ContractType,
    Placement,
    PlacementFollowUp,
    Vacancy,
)
from estation.labour.models import EmploymentStatus, Resident
from estation.labour.schemas import ResidentUpdate
from estation.labour.service import update_resident
from estation.notifications.models import Audience
from estation.notifications.service import notify

S = ApplicationStatus
MOVES: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.new: frozenset({S.contacted, S.interview, S.not_hired, S.withdrawn}),
    S.contacted: frozenset({S.interview, S.not_hired, S.withdrawn}),
    S.interview: frozenset({S.interview, S.offered, S.not_hired, S.withdrawn}),
    S.offered: frozenset({S.hired, S.not_hired, S.withdrawn}),
    S.hired: frozenset({S.left}),
    S.not_hired: frozenset(),
    S.withdrawn: frozenset(),
    S.left: frozenset(),
}
"""Where each status may go (``interview -> interview`` is a new time or place)."""
EMPLOYER_STEPS = (S.contacted, S.interview, S.offered, S.hired, S.not_hired)
"""The steps an employer takes; withdrawing is the resident's, leaving is found by a follow-up."""
FOLLOW_UP_MONTHS = (1, 3, 6)
EARLY_DAYS = 7
"""A follow-up may be answered this many days before it is due (and is listed as a duty from then)."""
INTERVIEW_AHEAD = timedelta(days=90)
PUBLIC_WELFARE_TERM_YEARS = 3
LATE_HIRE = timedelta(days=180)

_WITH_DETAILS = {
    S.interview: ("约面试请填写面试时间和地点", "interview_at"),
    S.hired: ("录用请填写上岗日期、月工资和用工形式", "started_on"),
    S.left: ("离职由上岗跟踪登记", "status"),
}


def _refusal(current: ApplicationStatus, to: ApplicationStatus) -> str:
    if not MOVES[current]:
        return f"这份申请已经“{current.label}”，不能再改为“{to.label}”"
    if to == S.offered and current in (S.new, S.contacted):
        return "请先约面试并登记求职者已参加面试，再发录用通知"
    if to == S.hired and current != S.offered:
        return "请先发录用通知，求职者同意后再登记录用"
    return f"申请目前是“{current.label}”，不能直接改为“{to.label}”"


def _step(session: Session, application: Application, to: ApplicationStatus, *, user: User | None,
          note: str | None, same_attendance: bool = False, **values: object) -> Application:
    """Move ``application`` to ``to`` if it still has the status it was read with (and, ``same_attendance``,
    the interview's attendance as read), and log the step."""
    seen = application.status
    if to not in MOVES[seen]:
        raise Conflict(_refusal(seen, to), field="status")
    still = [Application.interview_attended.is_(application.interview_attended)] if same_attendance else []
    moved = session.execute(
        update(Application).where(Application.id == application.id, Application.status == seen, *still)
        .values(status=to, status_reason=note if to in (S.not_hired, S.withdrawn, S.left) else None,
                updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult has it
        session.expire(application)
        raise Conflict(f"这份申请刚被他人更新（现在是“{application.status.label}”），请刷新页面后再看", field="status")
    session.expire(application, ["status", "status_reason", "updated_at", *values])
    application.history.append(ApplicationEvent(status=to, by_user_id=user.id if user else None, note=note))
    session.flush()
    return application


def _logged(session: Session, application: Application, *, user: User | None, action: str, words: str) -> None:
    """An employer's (or staff member's) decision on an application goes into the access log: the resident
    reads it at the kiosk (谁看过我的信息), so the words are theirs."""
    title = application.vacancy.title
    log_access(session, user=user, resident_id=application.resident_id, action=f"application_{action}",
               what="您的求职申请", reason=f"“{title}”：{words}（申请编号{application.reference}）"[:200])


def _note(text: str | None, *, required: str = "", field: str = "reason") -> str | None:
    text = " ".join((text or "").split())
    if len(text) > 200:
        raise InvalidInput("说明请不要超过200字", field=field)
    if required and not text:
        raise InvalidInput(required, field=field)
    return text or None


def move(session: Session, *, application: Application, status: ApplicationStatus, reason: str | None,
         user: User | None) -> Application:
    """A step that carries no details: contacted, offered, not_hired (reason required), withdrawn."""
    if status in _WITH_DETAILS:
        message, field = _WITH_DETAILS[status]
        raise InvalidInput(message, field=field)
    if status == S.offered and application.status == S.interview and application.interview_attended is not True:
        raise Conflict("求职者参加面试后才能发录用通知；请先登记面试是否参加", field="status")
    required = "未录用时请说明原因" if status == S.not_hired else ""
    _step(session, application, status, user=user, note=_note(reason, required=required))
    _logged(session, application, user=user, action=status.value, words=status.label)
    _notify(session, application=application, user=user)
    return application


def _beijing(at: datetime) -> datetime:
    return at.replace(tzinfo=clock.BEIJING) if at.tzinfo is None else at


def schedule_interview(session: Session, *, application: Application, at: datetime, place: str,
                       user: User | None) -> Application:
    """Set the interview's time and place: change it before it took place, or make a new one after the
    resident did not come. A naive time is Beijing time."""
    at = _beijing(at)
    place = " ".join(place.split())
    if not 2 <= len(place) <= 120:
        raise InvalidInput("请填写面试地点（2至120字）", field="interview_place")
    if at < application.created_at:
        raise InvalidInput("面试时间不能早于求职者提交申请的时间", field="interview_at")
    if at > utcnow() + INTERVIEW_AHEAD:
        raise InvalidInput("面试时间最多约在90天以内", field="interview_at")
    if application.status == S.interview and application.interview_attended is True:
        raise Conflict("求职者已参加这次面试，不能再改时间；请发录用通知或记为未录用", field="interview_at")
    when = at.astimezone(clock.BEIJING).strftime("%Y年%m月%d日 %H:%M")
    _step(session, application, S.interview, user=user, note=f"面试：{when}，{place}", same_attendance=True,
          interview_at=at, interview_place=place, interview_attended=None)
    _logged(session, application, user=user, action="interview", words=f"约面试（{when}）")
    _notify(session, application=application, user=user)
    return application


def record_attendance(session: Session, *, application: Application, attended: bool, note: str | None,
                      user: User | None) -> Application:
    """Whether the resident came to the interview; once, after it was due to start."""
    if application.status != S.interview:
        raise Conflict(f"申请目前是“{application.status.label}”，没有待登记的面试", field="attended")
    if application.interview_attended is not None:
        raise Conflict("这次面试已经登记过是否参加", field="attended")
    if application.interview_at is not None and application.interview_at > utcnow():
        raise InvalidInput("面试时间还没到，到时再登记是否参加", field="attended")
    text = ("已参加面试" if attended else "未参加面试") + (f"：{n}" if (n := _note(note, field="note")) else "")
    _step(session, application, S.interview, user=user, note=text, same_attendance=True, interview_attended=attended)
    _logged(session, application, user=user, action="attendance", words="登记" + ("已参加面试" if attended else "未参加面试"))
    return application


@dataclass(frozen=True)
class Hire:
    started_on: date
    monthly_wage: int
    contract_type: ContractType
    public_welfare: bool = False
    term_until: date | None = None
    note: str = ""


def hire(session: Session, *, application: Application, data: Hire, user: User, minimum_wage: int,
         today: date) -> Placement:
    """The resident took the offered job: the application is hired and a placement starts."""
    if application.status != S.offered:
        raise Conflict(_refusal(application.status, S.hired), field="status")
    vacancy = application.vacancy
    floor = minimum_wage_for(hours_per_day=vacancy.hours_per_day, days_per_week=vacancy.days_per_week,
                             monthly_minimum=minimum_wage)
    if data.monthly_wage < floor:
        raise InvalidInput(f"月工资不得低于当地最低工资标准（按工时折算为每月{floor}元）", field="monthly_wage")
    if data.started_on < application.created_at.astimezone(clock.BEIJING).date():
        raise InvalidInput("上岗日期不能早于求职者提交申请的日期", field="started_on")
    resident = session.get(Resident, application.resident_id)
    if resident is None:
        raise NotFound("居民不存在")
    term_until = _check_start(resident, started_on=data.started_on, today=today, public_welfare=data.public_welfare,
                              term_until=data.term_until)
    note = f"录用上岗：{data.started_on:%Y年%m月%d日}起，月工资{data.monthly_wage}元，{data.contract_type.label}"
    note += "，公益性岗位" if data.public_welfare else ""
    note += f"。{n}" if (n := _note(data.note, field="note")) else ""
    _step(session, application, S.hired, user=user, note=note[:200])
    placement = _write_placement(session, resident=resident, vacancy=vacancy, started_on=data.started_on, user=user,
                                 application=application, monthly_wage=data.monthly_wage,
                                 contract_type=data.contract_type, public_welfare=data.public_welfare,
                                 term_until=term_until)
    _logged(session, application, user=user, action="hired", words=f"登记录用上岗（{data.started_on:%Y年%m月%d日}起）")
    _notify(session, application=application, user=user)
    return placement


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 month = 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_placement(session: Session, *, resident: Resident | None, vacancy: Vacancy, started_on: date, user: User,
                    today: date) -> Placement:
    """A person started a job without an application here (a cadre reports it after a ledger job referral):
    the placement, its follow-ups, the resident employed."""
    if resident is None:
        raise NotFound("居民不存在")
    _check_start(resident, started_on=started_on, today=today, public_welfare=False, term_until=None)
    return _write_placement(session, resident=resident, vacancy=vacancy, started_on=started_on, user=user)


def _check_start(resident: Resident, *, started_on: date, today: date, public_welfare: bool,
                 term_until: date | None) -> date | None:
    """Every rule of a placement's start, before anything is written; the 公益性岗位 term to keep."""
    if started_on > today:
        raise InvalidInput("上岗日期不能晚于今天；上岗当天或之后再登记录用", field="started_on")
    if started_on < today - LATE_HIRE:
        raise InvalidInput("上岗日期不能早于半年以前", field="started_on")
    if not public_welfare:
        return None
    if term_until is None:
        raise InvalidInput("公益性岗位请填写岗位期限", field="term_until")
    if not started_on < term_until <= add_months(started_on, 12 * PUBLIC_WELFARE_TERM_YEARS):
        raise InvalidInput("公益性岗位期限应晚于上岗日期，且最长三年", field="term_until")
    return term_until


def _write_placement(session: Session, *, resident: Resident, vacancy: Vacancy, started_on: date, user: User,
                     application: Application | None = None, monthly_wage: int | None = None,
                     contract_type: ContractType | None = None, public_welfare: bool = False,
                     term_until: date | None = None) -> Placement:
    """The placement, its follow-ups at 1, 3 and 6 months, and the resident's employment status (their
    household's follows from it, estation.labour.households)."""
    placement = Placement(resident_id=resident.id, vacancy_id=vacancy.id, application=application,
                          started_on=started_on, monthly_wage=monthly_wage, contract_type=contract_type,
                          public_welfare=public_welfare, term_until=term_until,
                          previous_status=resident.employment_status.value, recorded_by_id=user.id)
    session.add(placement)
    for months in FOLLOW_UP_MONTHS:
        placement.follow_ups.append(PlacementFollowUp(
            household_id=resident.household_id, resident_id=resident.id, vacancy_id=vacancy.id,
            months_after=months, due_on=add_months(started_on, months)))
    employer = vacancy.employer.name
    # A status recorded after the job began (a registration entered late) is not rewritten: the new status
    # starts when that one did, the placement keeps the real start.
    current = next((r.start_date for r in resident.status_history if r.end_date is None), started_on)
    since = max(started_on, current)
    update_resident(session, resident=resident, user=user, reason=f"录用上岗：{employer}·{vacancy.title}"[:200],
                    data=ResidentUpdate(employment_status=EmploymentStatus.employed, status_since=since))
    record = resident.status_history[-1]
    if record.end_date is None and record.start_date == since and record.status == EmploymentStatus.employed:
        record.employer_name = employer[:120]
    session.flush()
    return placement


def visible_follow_up(session: Session, follow_up_id: int) -> PlacementFollowUp:
    follow_up = session.get(PlacementFollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound("上岗跟踪记录不存在")
    return follow_up


def answer_follow_up(session: Session, *, follow_up: PlacementFollowUp, still_employed: bool, note: str | None,
                     on: date | None, user: User, today: date) -> PlacementFollowUp:
    """Is the person still in the job? Once per follow-up, from a week before it is due. A lost job ends
    the placement (the application is ``left``), restores the resident's former status and drops the
    later follow-ups from everyone's duties."""
    placement = follow_up.placement
    on = on or today
    if follow_up.answered_on is not None:
        raise Conflict("这次上岗跟踪已经登记过了", field="still_employed")
    if placement.ended_on is not None:
        raise Conflict("该居民已离开这个岗位，不需要再跟踪", field="still_employed")
    if on > today:
        raise InvalidInput("跟踪日期不能晚于今天", field="on")
    if on < follow_up.due_on - timedelta(days=EARLY_DAYS):
        raise InvalidInput(f"还未到上岗{follow_up.months_after}个月跟踪的时间（{follow_up.due_on:%Y年%m月%d日}）",
                           field="on")
    text = _note(note, field="note")
    claimed = session.execute(
        update(PlacementFollowUp).where(PlacementFollowUp.id == follow_up.id, PlacementFollowUp.answered_on.is_(None))
        .values(answered_on=on, still_employed=still_employed, answered_by_id=user.id, note=text)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult has it
        raise Conflict("这次上岗跟踪刚刚已由他人登记", field="still_employed")
    session.expire(follow_up)
    # The application's log (which the employer reads) says the answer; the note, which may speak of the
    # household, stays on the follow-up (and in the ledger).
    log = f"上岗{follow_up.months_after}个月跟踪：{'仍在岗' if still_employed else '已不在岗'}"
    application = placement.application
    if still_employed:
        if application is not None:
            application.history.append(ApplicationEvent(status=application.status, by_user_id=user.id, note=log))
    else:
        placement.ended_on = on
        placement.end_reason = text or log
        if application is not None:
            _step(session, application, S.left, user=user, note=log)
        resident = session.get(Resident, placement.resident_id)
        if resident is not None and resident.employment_status == EmploymentStatus.employed:
            before = EmploymentStatus(placement.previous_status or EmploymentStatus.registered_unemployed.value)
            if before == EmploymentStatus.employed:
                before = EmploymentStatus.registered_unemployed
            update_resident(session, resident=resident, user=user, reason=log[:200],
                            data=ResidentUpdate(employment_status=before, status_since=on))
    session.flush()
    return follow_up


def follow_ups_of(session: Session, household_ids: list[int] | None, *, open_only: bool,
                  due_by: date | None = None) -> list[PlacementFollowUp]:
    """Follow-ups of the given households (``None``: all), soonest first. ``open_only``: unanswered ones
    of placements still running; ``due_by``: those answerable by that day (due within a week of it)."""
    if household_ids is not None and not household_ids:
        return []
    stmt = select(PlacementFollowUp).join(Placement)
    if household_ids is not None:
        stmt = stmt.where(PlacementFollowUp.household_id.in_(household_ids))
    if open_only:
        stmt = stmt.where(PlacementFollowUp.answered_on.is_(None), Placement.ended_on.is_(None))
    if due_by is not None:
        stmt = stmt.where(PlacementFollowUp.due_on <= due_by + timedelta(days=EARLY_DAYS))
    return list(session.scalars(stmt.order_by(PlacementFollowUp.due_on, PlacementFollowUp.id)))


def steps_for(application: Application) -> list[ApplicationStatus]:
    """The employer's next steps for the page (the same table the services enforce)."""
    steps = [s for s in EMPLOYER_STEPS if s in MOVES[application.status]]
    if application.status == S.interview and application.interview_attended is not True:
        steps = [s for s in steps if s != S.offered]
    if application.status == S.interview and application.interview_attended is True:
        steps = [s for s in steps if s != S.interview]
    return steps


def step_authors(session: Session, applications: list[Application], *, viewer: User) -> dict[int, str]:
    """Who took the logged steps, as ``viewer`` may read them: the resident is 求职者本人; an employer sees
    its own people by name and the street's staff as 街道工作人员 (a cadre's role would tell of a hardship
    household); staff see everyone's name and role."""
    ids = {e.by_user_id for a in applications for e in a.history if e.by_user_id is not None}
    users: list[User] = list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []

    def shown(u: User) -> str:
        if u.role == Role.resident:
            return "求职者本人"
        if viewer.role == Role.employer and u.employer_id != viewer.employer_id:
            return "街道工作人员"
        return f"{u.display_name}（{u.role.label}）"
    return {u.id: shown(u) for u in users}


def _notify(session: Session, *, application: Application, user: User | None) -> None:
    """Everyone concerned hears of the step, except whoever took it."""
    vacancy = application.vacancy
    label = application.status.label
    detail = application.history[-1].note if application.history else None
    body = f"{vacancy.title}（申请编号 {application.reference}）：{label}" + (f"；{detail}" if detail else "")
    if user is None or user.role != Role.resident:
        notify(session, audience=Audience.resident, resident_id=application.resident_id, kind="application.status",
               title=f"您的求职申请状态：{label}", body=body, link="/kiosk")
    if user is None or user.role != Role.employer:
        notify(session, audience=Audience.employer, employer_id=vacancy.employer_id, kind="application.status",
               title=f"申请状态更新：{label}", body=body, link=f"/employer/vacancies/{vacancy.id}/candidates")
    notify(session, audience=Audience.staff, kind="application.status", title=f"求职跟踪：{label}",
           body=f"{vacancy.employer.name} · {body}", link=None)

"""The working-day calendar the counter's time limits count by: ``chinese-calendar``'s official data
plus the years an admin has entered from the State Council's notice.

Entering a year also settles the cases whose due date was provisional (accepted while that year's
holidays were unknown, so counted on weekdays only): each is counted again from its acceptance day,
and the case's history says how the date moved.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from estation.accounts.models import User
from estation.cases.models import OPEN_STATUSES, Case, CaseEvent, HolidaySchedule, ServiceType
from estation.cases.working_days import WorkingCalendar, due_date, package_years
from estation.errors import InvalidInput


def current_calendar(session: Session) -> WorkingCalendar:
    rows = session.scalars(select(HolidaySchedule)).all()
    return WorkingCalendar({r.year: (frozenset(map(date.fromisoformat, r.holidays)),
                                     frozenset(map(date.fromisoformat, r.workdays))) for r in rows})


def schedule_of(session: Session, year: int) -> dict:
    """The year's days off on weekdays and weekend days worked, and where they come from."""
    entered = session.get(HolidaySchedule, year)
    if entered is not None:
        return {"year": year, "entered": True, "source": entered.source,
                "holidays": sorted(map(date.fromisoformat, entered.holidays)),
                "workdays": sorted(map(date.fromisoformat, entered.workdays))}
    first, last = package_years()
    if not first <= year <= last:
        return {"year": year, "entered": False, "source": None, "holidays": [], "workdays": []}
    days = [date.fromordinal(n) for n in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1)]
    return {"year": year, "entered": False, "source": f"chinese-calendar（{first}-{last}年官方安排）",
            "holidays": [d for d in days if d.weekday() < 5 and not chinese_calendar.is_workday(d)],
            "workdays": [d for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]}


def enter_schedule(session: Session, *, year: int, holidays: list[date], workdays: list[date], source: str,
                   user: User | None) -> tuple[HolidaySchedule, list[Case]]:
    """Save the year's official schedule; returns it and the cases whose due date was settled by it."""
    for name, days in (("holidays", holidays), ("workdays", workdays)):
        if any(d.year != year for d in days):
            raise InvalidInput(f"日期必须都在{year}年内", field=name)
        if len(set(days)) != len(days):
            raise InvalidInput("有重复的日期", field=name)
    if set(holidays) & set(workdays):
        raise InvalidInput("同一天不能既放假又上班", field="workdays")
    if any(d.weekday() < 5 for d in workdays):
        raise InvalidInput("调休上班日应是周六或周日（周一至周五本来就上班）", field="workdays")
    row = session.get(HolidaySchedule, year) or HolidaySchedule(year=year)
    row.holidays = [d.isoformat() for d in sorted(holidays)]
    row.workdays = [d.isoformat() for d in sorted(workdays)]
    row.source = source
    row.entered_by_user_id = user.id if user else None
    session.add(row)
    session.flush()
    return row, settle_provisional(session, current_calendar(session), user=user)


def settle_provisional(session: Session, calendar: WorkingCalendar, *, user: User | None) -> list[Case]:
    """Count again the provisional due dates the calendar now covers, noting each change on the case."""
    settled = []
    cases = session.scalars(select(Case).where(Case.due_on_provisional.is_(True), Case.status.in_(OPEN_STATUSES))).all()
    for case in cases:
        if case.accepted_on is None:
            continue
        limit = session.get(ServiceType, case.service_code).time_limit_working_days
        due, provisional = due_date(case.accepted_on, limit, calendar=calendar)
        if provisional:
            continue  # still reaches into a year nobody has entered
        before = case.due_on
        case.due_on, case.due_on_provisional = due, False
        note = (f"法定节假日安排已录入，应办结日期由{before:%Y年%m月%d日}调整为{due:%Y年%m月%d日}" if before != due
                else f"法定节假日安排已录入，应办结日期{due:%Y年%m月%d日}不变")
        case.events.append(CaseEvent.step(case.status, user, note))
        settled.append(case)
    session.flush()
    return settled

"""Working days in mainland China: weekends off, public holidays off, make-up workdays (调休) on.

The official calendar is published by the State Council each year, usually in November for the next
year. ``chinese-calendar`` ships it for the years it knows; for a year it does not know the answer
would be a guess, so :class:`CalendarNotCovered` is raised instead. An admin enters a year's official
schedule when it is published (estation.cases.calendar, kept in the database); an entered year is the
whole truth for that year, ahead of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from estation.errors import EstationError

MAX_WORKING_DAYS = 3660


class CalendarNotCovered(EstationError):
    status_code = 503

    def __init__(self, year: int, first: int, last: int) -> None:
        super().__init__(
            f"工作日历只包含{first}年至{last}年，{year}年的法定节假日安排尚未录入，无法计算办理时限；"
            "请更新 chinese-calendar 或由管理员录入该年的节假日和调休上班日"
        )
        self.year = year


@lru_cache(maxsize=1)
def package_years() -> tuple[int, int]:
    """First and last year the installed ``chinese-calendar`` has official data for."""
    known = list(chinese_calendar.constants.holidays) + list(chinese_calendar.constants.workdays)
    return min(known).year, max(known).year


@dataclass(frozen=True)
class WorkingCalendar:
    entered: dict[int, tuple[frozenset[date], frozenset[date]]] = field(default_factory=dict)
    """Year -> (holidays, make-up workdays) of an official schedule entered by an admin."""

    def covers(self, year: int) -> bool:
        first, last = package_years()
        return first <= year <= last or year in self.entered

    def is_working_day(self, day: date) -> bool:
        if day.year in self.entered:
            holidays, workdays = self.entered[day.year]
            return day in workdays or (day.weekday() < 5 and day not in holidays)
        first, last = package_years()
        if first <= day.year <= last:
            return chinese_calendar.is_workday(day)
        raise CalendarNotCovered(day.year, first, last)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted; 0 gives ``start``).

        This is how a time limit of N working days from acceptance runs: accepted on a Friday with a
        limit of 1, the case is due on the next working day.
        """
        if days < 0 or days > MAX_WORKING_DAYS:
            raise ValueError("工作日数应在0到3660之间")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


DEFAULT_CALENDAR = WorkingCalendar()


def due_date(start: date, working_days: int, *, calendar: WorkingCalendar) -> tuple[date, bool]:
    """The due date and whether it is provisional. Past the official calendar the case is not turned
    away: weekdays are counted and the due date is marked provisional until the holidays are known."""
    try:
        return calendar.add_working_days(start, working_days), False
    except CalendarNotCovered:
        current, remaining = start, working_days
        while remaining:
            current += timedelta(days=1)
            try:
                working = calendar.is_working_day(current)
            except CalendarNotCovered:
                working = current.weekday() < 5
            if working:
                remaining -= 1
        return current, True


def add_working_days(start: date, days: int, *, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> date:
    return calendar.add_working_days(start, days)


def is_working_day(day: date, *, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> bool:
    return calendar.is_working_day(day)

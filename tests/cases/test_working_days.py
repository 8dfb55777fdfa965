"""Working-day arithmetic with the official calendar: holidays off, make-up workdays on."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estation.cases.working_days import (
    CalendarNotCovered,
    WorkingCalendar,
    add_working_days,
    is_working_day,
    package_years,
)

FIRST, LAST = package_years()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 27), True),    # a Friday
        (date(2026, 11, 28), False),   # a Saturday
        (date(2026, 10, 1), False),    # National Day
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),    # a Saturday made a workday
        (date(2026, 1, 1), False),     # New Year's Day, a Thursday
        (date(2025, 1, 26), True),     # a Sunday made a workday before the Spring Festival
        (date(2025, 1, 28), False),    # Spring Festival eve, a Tuesday
    ],
)
def test_official_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),   # Friday + 1 skips the weekend
        (date(2026, 9, 30), 1, date(2026, 10, 8)),     # skips the National Day week
        (date(2026, 9, 30), 2, date(2026, 10, 9)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),    # the make-up Saturday counts
        (date(2026, 11, 2), 15, date(2026, 11, 23)),   # a 15-working-day limit of art. 8
    ],
)
def test_add_working_days(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_a_year_the_calendar_does_not_know_fails_clearly() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        add_working_days(date(LAST, 12, 20), 30)
    assert caught.value.year == LAST + 1
    assert f"{LAST + 1}年" in caught.value.message
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(FIRST - 1, 6, 1))


def test_an_admin_supplied_year_is_used() -> None:
    # 2099-01-01 is a Thursday; say the 1st and 2nd are holidays and Saturday the 3rd is a make-up day.
    cal = WorkingCalendar({2099: (frozenset([date(2099, 1, 1), date(2099, 1, 2)]), frozenset([date(2099, 1, 3)]))})
    assert cal.covers(2099) and not WorkingCalendar().covers(2099)
    assert not cal.is_working_day(date(2099, 1, 2))
    assert cal.add_working_days(date(2098, 12, 31), 1) == date(2099, 1, 3)
    assert cal.add_working_days(date(2098, 12, 31), 2) == date(2099, 1, 5)
    with pytest.raises(CalendarNotCovered):
        cal.is_working_day(date(2100, 1, 1))


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


days_in_range = st.dates(min_value=date(FIRST, 1, 1), max_value=date(LAST, 9, 30))


@given(days_in_range, st.integers(1, 40))
def test_due_date_is_a_working_day_after_start(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert due > start
    assert is_working_day(due)


@given(days_in_range, st.integers(0, 30), st.integers(0, 30))
def test_adding_working_days_composes(start: date, a: int, b: int) -> None:
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@given(days_in_range, st.integers(0, 40))
def test_counting_back_gives_the_same_number(start: date, n: int) -> None:
    from estation.cases.working_days import DEFAULT_CALENDAR

    assert DEFAULT_CALENDAR.working_days_between(start, add_working_days(start, n)) == n

"""The working calendar of a year (工作日历): the days off on weekdays and the weekend days worked, as the
counter's time limits count them. An admin enters a year from the State Council's notice when it is
published; the cases whose due date was only estimated for want of it are counted again at once."""

from __future__ import annotations

import calendar as months
import re
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from estation import clock
from estation.cases import calendar
from estation.cases.schemas import HolidayScheduleIn
from estation.deps import DB
from estation.errors import EstationError, InvalidInput
from estation.web.admin.common import Admin, admin_router, page
from estation.web.admin.forms import Posted, logged, parsed, text
from estation.web.once import SubmittedOnce
from estation.web.security import CsrfChecked

router = admin_router()
Year = Annotated[int, Query(ge=2000, le=2100)]

NAMES = {"holidays": "放假日期", "workdays": "调休上班日期", "source": "依据"}
_DAY = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_SPAN = re.compile(rf"{_DAY}(?:\s*(?:至|到|~|～|—|－|--)\s*{_DAY})?")
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_LEADING = re.compile(r"^[\s,，、;；]+")
WEEKDAYS = "一二三四五六日"


def days_in(value: str, field: str) -> list[date]:
    """Dates written one by one or as spans (2027-02-10至2027-02-16, 2027年10月1日), separated by lines,
    commas or 、; InvalidInput naming ``field`` and the first piece that is not one."""
    days: list[date] = []
    rest = value.strip()
    while rest:
        match = _SPAN.match(rest)
        if match is None:
            piece = _SEPARATORS.split(rest, maxsplit=1)[0]
            raise InvalidInput(f"“{NAMES[field]}”中“{piece[:20]}”不是日期，请按2027-01-01的样式填写", field=field)
        numbers = [int(n) for n in match.groups() if n is not None]
        try:
            first = date(*numbers[:3])
            last = date(*numbers[3:]) if len(numbers) == 6 else first
        except ValueError:
            raise InvalidInput(f"“{NAMES[field]}”中“{match.group(0)}”不是有效的日期", field=field) from None
        if last < first or (last - first).days > 31:
            raise InvalidInput(f"“{NAMES[field]}”中“{match.group(0)}”的起止日期不对", field=field)
        days += [first + timedelta(days=n) for n in range((last - first).days + 1)]
        rest = _LEADING.sub("", rest[match.end():])
    return sorted(set(days))


def _month_grids(schedule: dict) -> list[dict]:
    """Each month as weeks of (day, kind): kind off (a holiday), swap (a weekend day worked), weekend or work."""
    off, swap = set(schedule["holidays"]), set(schedule["workdays"])
    year = schedule["year"]
    grids = []
    for month in range(1, 13):
        weeks = []
        for week in months.Calendar().monthdatescalendar(year, month):
            weeks.append([(d, "swap" if d in swap else "off" if d in off else "weekend" if d.weekday() >= 5 else "work")
                          if d.month == month else (None, "") for d in week])
        grids.append({"month": month, "weeks": weeks})
    return grids


def _page(request: Request, db: Session, year: int, form: dict[str, str] | None = None, *, error: str = "",
          field: str | None = None, status_code: int = 200) -> HTMLResponse:
    schedule = calendar.schedule_of(db, year)
    known = schedule["source"] is not None
    form = form or {
        "holidays": "\n".join(d.isoformat() for d in schedule["holidays"]),
        "workdays": "\n".join(d.isoformat() for d in schedule["workdays"]),
        "source": schedule["source"] if schedule["entered"] else f"国务院办公厅关于{year}年部分节假日安排的通知",
    }
    return page(request, "admin/calendar.html", {
        "year": year, "schedule": schedule, "known": known, "grids": _month_grids(schedule) if known else [],
        "weekdays": WEEKDAYS, "form": form, "error": error, "field": field, "this_year": clock.today().year,
    }, status_code=status_code)


@router.get("/calendar")
def calendar_page(request: Request, db: DB, admin: Admin, year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> HTMLResponse:
    return _page(request, db, year or clock.today().year)


@router.post("/calendar", dependencies=[CsrfChecked, SubmittedOnce])
def enter(request: Request, db: DB, admin: Admin, form: Posted, year: Year) -> Response:
    values = {key: text(form, key) for key in NAMES}
    try:
        data = parsed(HolidayScheduleIn, {"holidays": days_in(values["holidays"], "holidays"),
                                          "workdays": days_in(values["workdays"], "workdays"),
                                          "source": values["source"]}, NAMES)
        with db.begin_nested():
            _row, settled = calendar.enter_schedule(db, year=year, holidays=data.holidays, workdays=data.workdays,
                                                    source=data.source, user=admin.user)
            logged(db, admin.user, action="update", what=f"工作日历：{year}年",
                   reason=f"录入节假日安排（{data.source}）")
    except EstationError as exc:
        return _page(request, db, year, values, error=exc.message, field=exc.field, status_code=exc.status_code)
    done = f"已保存{year}年的节假日安排" + (f"，{len(settled)}个办件的应办结日期已重新计算" if settled else "")
    return RedirectResponse(f"/admin/calendar?year={year}&msg={quote(done)}", status_code=303)

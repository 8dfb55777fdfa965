"""The admin's working calendar: a year's holidays and weekend workdays entered from the State Council's
notice in the browser; the cases whose due date was only estimated for want of it are counted again."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.cases import service
from estation.cases.catalogue import load_catalogue
from estation.cases.models import Case, HolidaySchedule
from estation.cases.types import continued_contribution
from tests.admin.plain import assert_plain
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident, create_user

pytestmark = pytest.mark.browser
YEAR = 2027  # chinese-calendar knows up to 2026: the year an admin must enter this December
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def hall(api):
    with api.db() as s:
        load_catalogue(s)
        admin = create_user(s, role=Role.admin)
        clerk = create_user(s, role=Role.counter_staff, window=1)
        resident = create_resident(s)
        kind = service.get_service_type(s, continued_contribution.TYPE.code)
        everything = [i.name for i in service.checklist(s, service=kind, resident=resident, today=date(2026, 12, 28))]
        # accepted on Monday 28 December 2026 with 3 working days: due on Thursday 31 December
        # accepted on Wednesday 30 December: 31 Dec, then 1 and 4 January counted as weekdays, provisionally
        case = service.open_case(s, resident=resident, service_code=kind.code, handed_in=everything, user=clerk,
                                 window=1, today=date(2026, 12, 30))
        assert case.due_on == date(2027, 1, 4) and case.due_on_provisional
        s.commit()
        return {"admin": admin, "case_id": case.id}


def test_entering_a_year_settles_the_estimated_due_dates(api, live, page, hall) -> None:
    base = live.url
    sign_in(page, base, hall["admin"].username, f"/admin/calendar?year={YEAR}")
    assert "2027年的节假日安排尚未录入" in page.locator("#calendar-source").inner_text()
    assert page.locator("table.month").count() == 0
    page.fill("#holidays", "2027-01-01\n2027-10-01至2027-10-07")
    page.fill("#workdays", "2027-09-26、2027-10-09")
    page.fill("#source", NOTICE)
    page.get_by_role("button", name="保存2027年的安排").click()
    page.wait_for_url(re.compile(r".*/admin/calendar\?year=2027&msg=.*"))
    assert page.locator(".notice").inner_text() == "已保存2027年的节假日安排，1个办件的应办结日期已重新计算"
    assert NOTICE in page.locator("#calendar-source").inner_text()
    january = page.locator("table.month").nth(0)
    assert january.locator("td.day-off").all_inner_texts() == ["1"]
    assert page.locator("table.month").nth(8).locator("td.day-swap").all_inner_texts() == ["26"]
    assert_plain(page.locator("main").inner_text())

    with api.db() as s:
        case = s.get(Case, hall["case_id"])
        assert case.due_on == date(2027, 1, 5) and not case.due_on_provisional
        assert "由2027年01月04日调整为2027年01月05日" in case.events[-1].note
        entered = s.get(HolidaySchedule, YEAR)
        assert entered.source == NOTICE and len(entered.holidays) == 8 and entered.workdays == ["2027-09-26", "2027-10-09"]
        assert s.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.what == "工作日历：2027年")) == 1


def test_a_known_year_shows_its_months(api, live, page, hall) -> None:
    sign_in(page, live.url, hall["admin"].username, "/admin/calendar?year=2026")
    assert "系统内置" in page.locator("#calendar-source").inner_text()
    october = page.locator("table.month").nth(9)
    assert october.locator("td.day-off").all_inner_texts()[:3] == ["1", "2", "5"]  # 国庆: the weekdays off
    assert_plain(page.locator("main").inner_text())
    screenshot(page, "admin-calendar.png")


@pytest.mark.parametrize(("holidays", "workdays", "message"), [
    ("2028-02-30", "", "“放假日期”中“2028-02-30”不是有效的日期"),
    ("2028-01-01 元旦", "", "“放假日期”中“元旦”不是日期"),
    ("2028-01-03", "2028-01-04", "调休上班日应是周六或周日"),
    ("", "", "“放假日期”"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, hall, holidays, workdays, message) -> None:
    admin = api.client_for(hall["admin"])
    form = admin.get("/admin/calendar?year=2028").text
    answer = admin.post("/admin/calendar?year=2028", data={
        "csrf_token": _csrf(form), "holidays": holidays, "workdays": workdays, "source": NOTICE}, follow_redirects=False)
    assert answer.status_code == 422 and message in answer.text, answer.text[-2000:]
    assert 'aria-invalid="true"' in answer.text
    with api.db() as s:
        assert s.get(HolidaySchedule, 2028) is None


def test_a_form_sent_twice_is_entered_once(api, hall) -> None:
    admin = api.client_for(hall["admin"])
    form = admin.get("/admin/calendar?year=2029").text
    data = {"csrf_token": _csrf(form), "submission_token": _token(form), "holidays": "2029-01-01", "workdays": "",
            "source": "国务院办公厅关于2029年部分节假日安排的通知"}
    first = admin.post("/admin/calendar?year=2029", data=data, follow_redirects=False)
    second = admin.post("/admin/calendar?year=2029", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.what == "工作日历：2029年")) == 1

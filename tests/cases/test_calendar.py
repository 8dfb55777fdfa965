"""The working-day calendar an admin completes when the State Council publishes next year's holidays:
provisional due dates are settled, new cases count by it, and a wrong schedule is refused by field."""

from __future__ import annotations

from datetime import date

import pytest

from estation.accounts.models import Role
from estation.cases import calendar, service
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution
from estation.cases.models import CaseStatus
from estation.errors import InvalidInput
from tests.factories import create_resident, create_user

# A schedule in the shape of the notice (not the real 2027 one, which is not out as this is written):
# New Year's Day on Friday 1 January; Spring Festival Monday 8 to Friday 12 February, worked back on
# Sunday 14 and Saturday 20 February.
HOLIDAYS_2027 = [date(2027, 1, 1), *(date(2027, 2, d) for d in range(8, 13))]
WORKDAYS_2027 = [date(2027, 2, 14), date(2027, 2, 20)]


@pytest.fixture
def clerk(session):
    load_catalogue(session)
    return create_user(session, role=Role.counter_staff, window=2)


def _accept(session, clerk, day: date):
    spec = service.get_service_type(session, continued_contribution.TYPE.code)
    return service.open_case(session, resident=create_resident(session), service_code=continued_contribution.TYPE.code,
                             handed_in=spec.documents, user=clerk, window=2, today=day)


def test_entering_next_year_settles_provisional_due_dates(session, clerk) -> None:
    # Accepted on Wednesday 30 December 2026 with 3 working days: the count runs into 2027.
    case = _accept(session, clerk, date(2026, 12, 30))
    assert case.status == CaseStatus.accepted and case.due_on_provisional
    assert case.due_on == date(2027, 1, 4)  # weekdays only: Thu 31, Fri 1, Mon 4
    admin = create_user(session, role=Role.admin)
    _row, settled = calendar.enter_schedule(session, year=2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027,
                                            source="国务院办公厅关于2027年部分节假日安排的通知", user=admin)
    assert settled == [case]
    assert case.due_on == date(2027, 1, 5) and not case.due_on_provisional  # 1 January is a holiday
    assert "由2027年01月04日调整为2027年01月05日" in case.events[-1].note
    # A case accepted now counts by the entered year: over the Spring Festival, back on Sunday the 14th.
    later = _accept(session, clerk, date(2027, 2, 5))
    assert later.due_on == date(2027, 2, 16) and not later.due_on_provisional  # Sun 14, Mon 15, Tue 16


def test_a_wrong_schedule_is_refused_naming_the_field(session) -> None:
    cases = [
        ({"holidays": [date(2028, 1, 3)], "workdays": []}, "holidays"),             # another year
        ({"holidays": [date(2027, 1, 1), date(2027, 1, 1)], "workdays": []}, "holidays"),
        ({"holidays": HOLIDAYS_2027, "workdays": [date(2027, 2, 15)]}, "workdays"),  # a Monday
        ({"holidays": HOLIDAYS_2027, "workdays": [date(2027, 2, 8)]}, "workdays"),   # also a holiday
    ]
    for body, field in cases:
        with pytest.raises(InvalidInput) as err:
            calendar.enter_schedule(session, year=2027, source="测试用的通知", user=None, **body)
        assert err.value.field == field
    assert calendar.schedule_of(session, 2027)["entered"] is False


def test_the_package_years_are_listed_as_the_counter_counts_them(session) -> None:
    year = calendar.schedule_of(session, 2026)
    assert year["entered"] is False and year["source"].startswith("chinese-calendar")
    assert date(2026, 10, 1) in year["holidays"] and date(2026, 10, 10) in year["workdays"]
    assert all(d.weekday() < 5 for d in year["holidays"]) and all(d.weekday() >= 5 for d in year["workdays"])


def test_the_api_enters_a_year_for_admins_only(api) -> None:
    with api.db() as s:
        admin, clerk = create_user(s, role=Role.admin), create_user(s, role=Role.counter_staff)
        s.commit()
    body = {"holidays": [d.isoformat() for d in HOLIDAYS_2027], "workdays": [d.isoformat() for d in WORKDAYS_2027],
            "source": "国务院办公厅关于2027年部分节假日安排的通知"}
    staff = api.client_for(clerk)
    assert staff.get("/api/v1/working-calendar/2027").json()["entered"] is False
    assert staff.put("/api/v1/working-calendar/2027", json=body).status_code == 403
    boss = api.client_for(admin)
    bad = boss.put("/api/v1/working-calendar/2027", json=body | {"workdays": ["2027-02-15"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "workdays"
    assert boss.put("/api/v1/working-calendar/2027", json=body | {"holidays": ["2027-13-01"]}).status_code == 422
    ok = boss.put("/api/v1/working-calendar/2027", json=body)
    assert ok.status_code == 200, ok.text
    got = staff.get("/api/v1/working-calendar/2027").json()
    assert got["entered"] is True and got["holidays"][0] == "2027-01-01" and got["workdays"] == ["2027-02-14", "2027-02-20"]

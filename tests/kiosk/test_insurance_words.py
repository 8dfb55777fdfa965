"""我的社保 in plain words (issue 16.4): how far the pension is from the 15 years a monthly pension needs, and
what a temporary account (临时缴费账户) is, with the figures read from the resident's own periods."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from estation.accounts.kiosk import set_pin
from estation.labour.models import InsurancePeriod, Payer, Scheme
from tests.factories import create_resident
from tests.kiosk.conftest import PIN, sign_in

# (scheme, province, first month, last month, temporary account)
HISTORY = [
    (Scheme.pension, "41", date(2004, 7, 1), date(2011, 12, 1), False),  # 河南省, 90 months
    (Scheme.pension, "37", date(2012, 1, 1), date(2014, 4, 1), True),  # 山东省, 28 months, temporary account
    (Scheme.pension, "37", date(2014, 4, 1), date(2014, 9, 1), True),  # one month overlaps: counted once
    (Scheme.medical, "37", date(2012, 1, 1), date(2019, 12, 1), False),  # another scheme: not counted
]


def _months(first: date, last: date) -> set[tuple[int, int]]:
    out, y, m = set(), first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.add((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _text(months: int) -> str:
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")


def _plain(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def resident_with(world):
    def make(history: list[tuple[Scheme, str, date, date, bool]]) -> str:
        with world.harness.db() as s:
            resident = create_resident(s, name="赵建国")
            set_pin(s, resident=resident, pin=PIN)
            s.add_all([InsurancePeriod(resident_id=resident.id, scheme=scheme, province=province, start_month=first,
                                       end_month=last, monthly_wage_base=Decimal("3800"), payer=Payer.employer,
                                       temporary_account=temporary)
                       for scheme, province, first, last, temporary in history])
            s.commit()
            return resident.id_number
    return make


def test_years_short_of_fifteen_and_the_temporary_account_follow_the_data(world, resident_with) -> None:
    client = world.client()
    sign_in(client, resident_with(HISTORY))
    page = _plain(client.get("/kiosk/me/insurance").text)

    paid = set().union(*(_months(f, la) for scheme, _, f, la, _ in HISTORY if scheme == Scheme.pension))
    short = 15 * 12 - len(paid)
    assert (len(paid), short) == (123, 57)  # the figures below are these, worked out from the periods
    assert f"您已经缴了{_text(len(paid))}，还差{_text(short)}。" in page, page
    assert "还差4年9个月" in page and "一共缴满15年（180个月）" in page

    temporary = set().union(*(_months(f, la) for scheme, _, f, la, t in HISTORY if scheme == Scheme.pension and t))
    assert f"您在山东省有{len(temporary)}个月缴进的是临时缴费账户" in page and len(temporary) == 33
    assert "养老保险关系不转过去" in page and "临时账户的缴费凭证" in page
    assert "河南省有" not in page  # no temporary account there


def test_fifteen_years_paid_says_so_and_no_temporary_account_is_explained(world, resident_with) -> None:
    client = world.client()
    sign_in(client, resident_with([(Scheme.pension, "37", date(2005, 1, 1), date(2020, 3, 1), False)]))
    page = _plain(client.get("/kiosk/me/insurance").text)
    assert "您已经缴了15年3个月，满了15年" in page and "还差" not in page
    assert "临时缴费账户" not in page

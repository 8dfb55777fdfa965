"""One whole case at the counter in a real browser: find, view, accept with a slip, complete."""

from __future__ import annotations

import re
from datetime import date

import pytest

from estation.accounts.models import Role
from estation.cases.catalogue import load_catalogue
from estation.cases.types import continued_contribution
from tests.conftest import screenshot, sign_in
from tests.factories import create_resident, create_user, new_id_number

pytestmark = pytest.mark.browser
DOCS = continued_contribution.TYPE.documents


@pytest.fixture
def counter_live(api, live):
    return live


def test_one_whole_case_at_the_counter(api, counter_live, page) -> None:
    with api.db() as s:
        load_catalogue(s)
        clerk = create_user(s, role=Role.counter_staff, window=2)
        create_resident(s, name="赵桂兰")
        s.commit()
    base = counter_live.url
    sign_in(page, base, clerk.username, "/counter")

    page.fill("#q", "赵贵兰")  # a near spelling finds her
    page.click("form.search button")
    page.click("table.results button")  # with the default reason
    page.get_by_role("link", name="灵活就业人员续保").click()
    page.get_by_label(DOCS[0]).check()
    page.get_by_role("button", name="受理").click()
    assert page.locator(".case-status").inner_text() == "待补材料"
    reference = re.search(r"DL\d{12}", page.content()).group(0)
    code = page.locator(".query-code").inner_text()

    for doc in DOCS[1:]:
        page.get_by_label(doc).check()
    page.get_by_role("button", name="收取补交材料").click()
    assert page.locator(".case-status").inner_text() == "已受理"
    screenshot(page, "counter-case.png")
    page.get_by_role("button", name="开始审核").click()
    page.fill("#note", "已办理续保登记")
    page.get_by_role("button", name="办结").click()
    assert page.locator(".case-status").inner_text() == "已办结"
    assert "已办理续保登记" in page.locator(".history").inner_text()

    page.goto(f"{base}/api/v1/cases/status/{reference}?code={code}")
    assert "已办结" in page.content()


def test_searching_by_id_number_keeps_it_out_of_the_address_bar(api, counter_live, page) -> None:
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=3)
        resident = create_resident(s, name="钱玉珍", id_number=new_id_number(birth=date(1969, 2, 14)))
        number, resident_id = resident.id_number, resident.id
        s.commit()
    base = counter_live.url
    sign_in(page, base, clerk.username, "/counter")
    page.fill("#q", number)
    with page.expect_navigation():
        page.click("form.search button")
    assert page.url == f"{base}/counter"  # posted: nothing after the path
    assert page.locator("table.results").is_visible() and f"/counter/residents/{resident_id}" in page.content()
    cell = page.locator("table.results td").nth(1).inner_text()
    assert cell == number[0] + "*" * 16 + number[-1]
    history = page.evaluate("() => performance.getEntriesByType('navigation').map(e => e.name)")
    assert not any(number in url for url in history)

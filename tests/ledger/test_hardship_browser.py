"""The 零就业家庭 page in a real browser: a cadre on a phone marks a policy reminder, the leader on a desktop
sees the community's count change; screenshots for docs/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from estation.accounts.models import Role
from estation.labour.models import EmploymentStatus
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user, new_id_number
from tests.ledger.helpers import hold, new_item, pair
from tests.ledger.test_hardship import TODAY, welfare_hire

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
COMMUNITY, COMMUNITY_NAME = "370102009006", "甸北社区"


@pytest.fixture(scope="module")
def people(api) -> dict[str, str]:
    with api.db() as s:
        cadre, leader = create_user(s, role=Role.cadre), create_user(s, role=Role.leader)
        cadre.display_name, leader.display_name = "张晓燕", "刘主任"
        hold(s, leader, COMMUNITY)
        zero = create_household(s, community_code=COMMUNITY, hardship=True)
        create_resident(s, household=zero, name="马建华", id_number=new_id_number(birth=date(1979, 4, 2), sex="male"))
        create_resident(s, household=zero, name="马老太", relation="parent", employment_status=EmploymentStatus.retired,
                        id_number=new_id_number(birth=date(TODAY.year - 83, 2, 1)))
        pair(s, cadre, zero)
        new_item(s, cadre, zero, raised_on=TODAY - timedelta(days=20), due_on=TODAY + timedelta(days=40),
                 problem="户主失业半年，想找离家近的工作")
        unpaired = create_household(s, community_code=COMMUNITY, hardship=True)
        create_resident(s, household=unpaired, name="牛丽丽")
        welfare = create_household(s, community_code=COMMUNITY, hardship=True)
        welfare_hire(s, welfare, "吴凤", started=TODAY - timedelta(days=150), term_until=TODAY + timedelta(days=20))
        pair(s, cadre, welfare)
        s.commit()
        return {"cadre": cadre.username, "leader": leader.username}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_cadre_on_a_phone_sees_the_list_and_marks_a_reminder_the_leader_sees_the_count(live, page, people) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live.url, people["cadre"], "/ledger/hardship")
    body = page.inner_text("main")
    assert "当前零就业家庭（1户）" in body  # the cadre's own: the unpaired household is not theirs
    card = page.locator(".zero-household")
    assert "马建华" in card.inner_text() and "张晓燕" in card.inner_text() and "待办" in card.inner_text()
    assert "牛丽丽" not in body
    assert "吴凤" in body and "还有20天到期" in body
    assert card.get_by_role("link", name="为这户找工作").get_attribute("href").endswith("/work")
    assert "政策落实情况" not in body  # the counts are the leader's
    no_sideways_scroll(page)
    screenshot(page, "ledger-hardship-cadre.png")

    card.get_by_role("link", name="家庭台账").click()
    page.wait_for_selector("#reminders")
    reminder = page.locator(".reminder", has_text="老龄补贴")
    reminder.locator("summary").click()
    reminder.get_by_label("已享受").check()
    reminder.get_by_role("button", name="保存").click()
    page.wait_for_selector(".flash")
    assert "政策提醒已标记为已享受" in page.inner_text(".flash")
    assert "已核实：已享受" in page.locator(".reminder", has_text="老龄补贴").inner_text()
    no_sideways_scroll(page)
    screenshot(page, "ledger-hardship-reminders.png")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, live.url, people["leader"], "/ledger/hardship")
    body = page.inner_text("main")
    assert "当前零就业家庭（2户）" in body and "牛丽丽" in body and "尚未结对" in body
    [row] = page.locator("table.coverage tbody tr").all()  # the one community this leader holds
    assert row.locator("th").inner_text() == COMMUNITY_NAME
    assert "已享受 1 / 1 户" in row.inner_text() and "待核实" in row.inner_text()  # 老龄补贴 done, 居家养老 to check
    assert "None" not in body and "old_age" not in page.content()
    screenshot(page, "ledger-hardship-leader.png")

"""Issue 19 point 1 and 2 in headless Chromium, on the real app: a resident joins the volunteer alliance at
the kiosk, the paired cadre posts a weekly visit to an elderly neighbour living alone from the household's
ledger page, the platform proposes the new volunteer with true reasons, the cadre takes her on, and the
household's ledger shows who visits and when. Screenshots for the README with ESTATION_SCREENSHOT_DIR set."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from estation import clock
from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from estation.ledger.models import HouseholdPairing
from estation.volunteers.models import Volunteer, VolunteerAssignment
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user, new_id_number
from tests.volunteers.helpers import THIRD

pytestmark = pytest.mark.browser
PIN = "246810"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def world(api):
    with api.db() as s:
        household = create_household(s, community_code=THIRD)
        elder = create_resident(s, household=household, name="张桂兰", id_number=new_id_number(birth=date(1938, 5, 2)))
        neighbour = create_resident(s, household=create_household(s, community_code=THIRD), name="刘秀兰", phone="13705319876",
                                    id_number=new_id_number(birth=date(1976, 3, 12)))
        set_pin(s, resident=neighbour, pin=PIN)
        cadre = create_user(s, role=Role.cadre)
        s.add(HouseholdPairing(cadre_id=cadre.id, household_id=household.id, start_date=date(2024, 1, 1)))
        keeper = create_user(s, role=Role.community_staff, community_code=THIRD)
        ids = {"household": household.id, "elder": elder.id, "neighbour": neighbour.id,
               "neighbour_id_number": neighbour.id_number, "cadre": cadre.username, "keeper": keeper.username}
        s.commit()
    api.app.state.parts.matching.matcher()  # the model loads once, before the pages that propose
    return ids


def _keys(page, digits: str) -> None:
    for digit in digits:
        page.locator("#osk button", has_text=re.compile(f"^{digit}$")).click()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_volunteer_joins_is_proposed_for_an_elderly_visit_and_shows_on_the_ledger(api, live, page, world) -> None:
    base = live.url
    # 1. The neighbour joins at the kiosk.
    page.goto(f"{base}/kiosk/signin/pin?next=/kiosk/me/volunteer")
    page.fill("#id_number", world["neighbour_id_number"])
    page.click("#pin")
    _keys(page, PIN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/kiosk/me/volunteer")
    page.get_by_label("邻里守望关爱").check()
    page.get_by_label("周六上午").check()
    page.get_by_label("周日下午").check()
    page.fill("#interests", "陪老人聊天、包饺子")
    page.fill("#skills", "量血压")
    page.get_by_label("同意社区打电话联系我安排志愿服务").check()
    screenshot(page, "kiosk-volunteer.png")
    page.get_by_role("button", name="加入志愿者联盟").click()
    page.wait_for_selector("#saved")
    assert "您已是联盟成员" in page.inner_text("#membership")
    with api.db() as s:
        member = s.scalars(select(Volunteer).where(Volunteer.resident_id == world["neighbour"])).one()
        assert member.free_slots == ["sat:morning", "sun:afternoon"] and member.activities == ["neighbour_watch"]
        assert member.consent_to_contact and member.phone == "13705319876"
        volunteer_id = member.id

    # 2. The paired cadre, on a phone, asks for a weekly visit from the household's ledger page.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    household_url = f"/ledger/households/{world['household']}"
    sign_in(page, base, world["cadre"], household_url)
    assert "还没有志愿者定期探访这户" in page.inner_text("#volunteer-visits")
    page.get_by_role("link", name="请志愿者定期探访").click()
    page.wait_for_selector("#post-h")
    assert page.input_value("#n-household") == str(world["household"])  # the household came along
    today = clock.today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    page.fill("#n-first", saturday.isoformat())
    page.fill("#n-req", "陪老人聊天，帮忙买菜")
    page.fill("#n-hours", "1.5")
    page.get_by_role("button", name="发布并推荐志愿者").click()
    page.wait_for_selector("#proposals")
    _no_sideways_scroll(page)
    proposal = page.locator(f"#p-{volunteer_id}")
    reasons = proposal.locator(".reasons li").all_inner_texts()
    # every reason the page gives is a fact of what she registered (tests/volunteers/test_service.py checks
    # the same for every reason kind against the data)
    assert reasons[:3] == ["周六上午有空", "住处离服务地点不到1公里", "愿意参加邻里守望关爱"]
    assert "兴趣“陪老人聊天”正是需求所说" in reasons
    proposal.get_by_role("button", name="安排刘秀兰").click()
    page.wait_for_selector(".flash")
    assert page.inner_text(".flash").strip() == "已安排" and "刘秀兰" not in page.url  # no name in the address
    with api.db() as s:
        assert s.scalars(select(VolunteerAssignment).where(VolunteerAssignment.volunteer_id == volunteer_id)).one()

    # 3. The household's ledger shows who visits and when.
    page.goto(base + household_url)
    visits = page.inner_text("#volunteer-visits")
    assert "刘秀兰" in visits and "137****9876" in visits and f"每周六上午（{saturday:%Y-%m-%d}起）" in visits
    assert "13705319876" not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "ledger-volunteer-visits.png")

    # 4. The community's ledger and the street's summary count her.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, world["keeper"], "/volunteers")
    card = page.locator(f"#v-{volunteer_id}")
    assert "刘秀兰" in card.inner_text() and "137****9876" in card.inner_text() and "周六上午、周日下午" in card.inner_text()
    page.goto(f"{base}/volunteers/summary")
    assert page.inner_text("#s-volunteers") == "1"

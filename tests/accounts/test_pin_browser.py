"""The kiosk PIN change (on-screen keyboard, elder mode) and the counter PIN reset, in headless Chromium."""

from __future__ import annotations

import pytest

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        home = create_household(s, community_code="370102009001")
        kiosk_user = create_resident(s, household=home, name="孔秀云")
        set_pin(s, resident=kiosk_user, pin="386214")
        counter_visitor = create_resident(s, household=home, name="曹德胜")
        staff = create_user(s, role=Role.counter_staff, window=1)
        s.commit()
        return {"kiosk": kiosk_user.id_number, "visitor": counter_visitor.id, "staff": staff.username}


def _keys(page, digits: str) -> None:
    for d in digits:
        page.locator("#osk button", has_text=d).first.click()


def test_a_resident_changes_the_pin_with_the_on_screen_keyboard(page, live, people) -> None:
    page.goto(f"{live.url}/kiosk/signin/pin")
    page.fill("#id_number", people["kiosk"])
    page.click("#pin")
    _keys(page, "386214")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/kiosk/home")
    page.get_by_role("link", name="修改密码").click()
    page.wait_for_url("**/kiosk/me/pin")
    assert page.locator("#osk").is_visible()
    page.click("#old_pin")
    _keys(page, "386214")  # six digits fill a field; the keyboard moves on to the next one by itself
    _keys(page, "123456")
    _keys(page, "123456")
    assert page.input_value("#new_pin_again") == "123456"
    page.get_by_role("button", name="确认修改").click()
    error = page.locator("#pin-error")
    assert "太简单" in error.inner_text()
    screenshot(page, "kiosk-pin-refused.png")
    page.click("#old_pin")
    _keys(page, "386214570318570318")
    page.get_by_role("button", name="确认修改").click()
    page.wait_for_url("**/kiosk/me/pin?done=1")
    assert "密码已经改好了" in page.locator("#pin-done").inner_text()
    # Elder mode: the page's text is large.
    size = page.eval_on_selector("#pin-done", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 22, size
    screenshot(page, "kiosk-pin-changed.png")


def test_counter_staff_reset_a_pin_after_checking_the_card(page, live, people) -> None:
    sign_in(page, live.url, people["staff"], f"/counter/residents/{people['visitor']}/pin")
    assert "还没有设置密码" in page.content()
    page.fill("#pin", "570318")
    page.fill("#pin_again", "570318")
    page.get_by_role("button", name="设置密码").click()
    assert "请先核验居民本人的身份证原件" in page.locator("#pin-error").inner_text()
    screenshot(page, "counter-pin-refused.png")
    page.check("input[name=id_card_checked]")
    page.fill("#pin", "570318")
    page.fill("#pin_again", "570318")
    page.get_by_role("button", name="设置密码").click()
    page.wait_for_url("**/pin?done=1")
    assert "密码已设置" in page.locator("#pin-done").inner_text()
    assert "已设置过密码" in page.content()
    screenshot(page, "counter-pin-set.png")

"""An old resident walks issue 15 points 2 and 3 on the kiosk in headless Chromium: signs in with the
on-screen keyboard, answers two invitations, changes wishes and consent and the PIN, asks about a shop
space, and the employer then sees what she agreed to. Every screen is measured for elder mode at both
orientations and scanned by axe-core; screenshots with ESTATION_SCREENSHOT_DIR set."""

from __future__ import annotations

import re

import pytest

from tests.conftest import LiveServer, screenshot
from tests.conftest import sign_in as staff_sign_in
from tests.kiosk.conftest import PIN, make_world
from tests.kiosk.loop import Loop, plain, seed_loop
from tests.kiosk.elder import VIEWPORTS, axe_problems, elder_problems

pytestmark = pytest.mark.browser
NEW_PIN = "570318"


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    loop = seed_loop(make_world(tmp_path_factory))
    server = LiveServer(loop.world.harness)
    yield loop, server
    server.stop()


def _keys(page, digits: str) -> None:
    for digit in digits:
        page.locator("#osk button", has_text=re.compile(f"^{digit}$")).click()


def _sign_in(page, base: str, loop: Loop, pin: str) -> None:
    page.goto(f"{base}/kiosk/signin/pin?next=/kiosk/home")
    page.fill("#id_number", loop.world.pin_id_number)
    assert page.locator("#osk button", has_text="X").count() == 1  # an id number may end in X
    page.click("#pin")
    _keys(page, pin)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/kiosk/home")


def test_an_old_resident_walks_invitations_profile_pin_and_start_ups(browser, walk) -> None:
    loop, server = walk
    base = server.url
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["portrait"])
    page = context.new_page()
    problems: list[str] = []

    def look(name: str) -> str:
        """The screen as it stands: elder-mode figures, its words, a screenshot."""
        problems.extend(elder_problems(page, name))
        screenshot(page, f"kiosk-{name}.png")
        return plain(page.content())

    try:
        _sign_in(page, base, loop, PIN)
        assert "有3个邀请等您答复" in page.inner_text("#tile-invitations")
        look("home-invitations")

        page.locator("#tile-invitations").click()
        page.wait_for_url(f"{base}/kiosk/me/invitations")
        text = look("invitations")
        assert "这个岗位已经停止招聘，不用答复了" in text and "单位对您说： 您好，欢迎来看看" in text
        home = page.locator(f"#inv-{loop.invitation['home']}")
        home.get_by_text("可以，让单位打电话给我").click()
        home.get_by_role("button", name="接受邀请").click()
        page.wait_for_url(re.compile(r"answered=accepted"))
        assert "已接受邀请" in page.inner_text("#answered")
        typist = page.locator(f"#inv-{loop.invitation['typist']}")
        typist.get_by_text("工作时间不合适").click()
        typist.get_by_label("自己写原因").fill("下午要接孙子")
        typist.get_by_role("button", name="婉拒").click()
        page.wait_for_url(re.compile(r"answered=declined"))
        text = look("invitations-answered")
        assert "单位可以看到您的姓名和电话" in text and "原因：工作时间不合适；下午要接孙子" in text

        page.goto(f"{base}/kiosk/me/applications")
        text = look("applications")
        assert "邀请已接受" in text and "邀请已婉拒（工作时间不合适；下午要接孙子）" in text and "去答复1个邀请" in text

        page.goto(f"{base}/kiosk/home")
        page.get_by_role("link", name=re.compile("我的资料")).click()
        page.wait_for_url(f"{base}/kiosk/me/profile")
        look("profile")
        page.get_by_text("6小时").click()
        page.get_by_text("是，只在家干").click()
        page.fill("#wishes", "在家做手工，缝缝补补")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"saved=wishes"))
        assert "已经保存好了" in page.inner_text("#saved")
        assert page.is_checked("input[name=hours][value='6']") and page.input_value("#wishes") == "在家做手工，缝缝补补"
        page.get_by_role("button", name="同意让用人单位看到我").click()
        page.wait_for_url(re.compile(r"saved=shown"))
        assert "现在：同意展示" in page.inner_text("#consent-state")
        text = look("profile-saved")
        assert "您本人在自助终端修改" in text and "让用人单位看到我" in text

        page.get_by_role("link", name="修改自助终端登录密码").click()
        page.wait_for_url(f"{base}/kiosk/me/pin")
        look("pin")
        assert page.locator("#osk button", has_text="X").count() == 0  # PINs are digits: no X key to puzzle over
        page.click("#old_pin")
        _keys(page, PIN + NEW_PIN + NEW_PIN)
        page.get_by_role("button", name="确认修改").click()
        page.wait_for_url(f"{base}/kiosk/me/pin?done=1")
        assert "密码已经改好了" in page.inner_text("#pin-done")

        page.goto(f"{base}/kiosk/home")
        page.get_by_role("link", name=re.compile("创业机会")).click()
        page.wait_for_url(f"{base}/kiosk/startups")
        assert "社区食堂面食档口" in look("startups")
        page.get_by_role("link", name="创业场地", exact=True).click()
        page.wait_for_url(re.compile(r"kind=shop_space"))
        page.get_by_role("link", name=re.compile("社区食堂面食档口")).click()
        text = look("startup-detail")
        assert "本街道户籍或常住居民，持健康证" in text and "每月租金约1,200元" in text
        page.fill("#question", "要交押金吗？")
        page.get_by_role("button", name="向工作人员咨询").click()
        page.wait_for_url(re.compile(r"done=1"))
        text = look("startup-asked")
        assert "已经替您问了" in text and "要交押金吗？" in text
        page.get_by_role("button", name="结束").click()
        page.wait_for_url(f"{base}/kiosk")

        # The employer sees her with her phone (she agreed), and on the declined job only the reason.
        staff_sign_in(page, base, loop.employer_user.username, "/employer")
        # The first page that needs the matcher loads the real model: on a busy machine that takes a while.
        page.goto(f"{base}/employer/vacancies/{loop.world.homework_id}/candidates", timeout=180_000)
        main = page.inner_text("main")
        assert "王秀英" in main and "13805310000" in main
        screenshot(page, "employer-candidates-invitations.png")
        page.goto(f"{base}/employer/vacancies/{loop.world.typist_id}/candidates")
        main = page.inner_text("main")
        assert "原因：工作时间不合适；下午要接孙子" in main and "王秀英" not in main
    finally:
        context.close()
    assert not problems, "\n".join(problems)

    # The same screens lying down, scanned by axe-core too (which needs the CSP bypassed to load).
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["landscape"], bypass_csp=True)
    page = context.new_page()
    try:
        _sign_in(page, base, loop, NEW_PIN)
        for name, path in (("home", "/kiosk/home"), ("invitations", "/kiosk/me/invitations"),
                           ("applications", "/kiosk/me/applications"), ("profile", "/kiosk/me/profile"),
                           ("pin", "/kiosk/me/pin"), ("startups", "/kiosk/startups"),
                           ("startup detail", f"/kiosk/startups/{loop.shop_id}"), ("readers", "/kiosk/me/readers")):
            page.goto(base + path)
            plain(page.content())
            problems += elder_problems(page, f"landscape {name}") + axe_problems(page, name)
    finally:
        context.close()
    assert not problems, "\n".join(problems)

"""The kiosk in a real browser: the whole path, the shared-terminal clean-up and the inactivity timeout."""

from __future__ import annotations

import re

import pytest

from tests.conftest import LiveServer
from tests.kiosk.conftest import PIN, make_world, pin_sign_in

pytestmark = pytest.mark.browser


def _context(browser):
    return browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})


def test_sign_in_search_apply_print_finish_and_nothing_is_left(browser, world, live_kiosk) -> None:
    base = live_kiosk.url
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{base}/kiosk")
    page.get_by_role("link", name="轻触这里开始").click()
    page.get_by_role("link", name=re.compile("^登录")).first.click()
    page.get_by_role("link", name=re.compile("输入身份证号和密码")).click()
    page.fill("#id_number", world.pin_id_number)
    # The PIN goes in on the on-screen keyboard, as at the terminal.
    page.click("#pin")
    for digit in PIN:
        page.locator("#osk button", has_text=re.compile(f"^{digit}$")).click()
    assert page.input_value("#pin") == PIN
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/kiosk/home")
    assert "王**，您好" in page.inner_text("header")

    page.get_by_role("link", name=re.compile("^找工作")).click()
    page.fill("#q", "保安")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/kiosk/jobs/results\?"))
    page.get_by_role("link", name=re.compile("小区保安")).first.click()
    page.wait_for_url(f"{base}/kiosk/jobs/{world.guard_id}")
    page.get_by_role("button", name="我有意向").click()
    page.wait_for_url(re.compile(r"applied=1"))
    reference = page.inner_text(".success .ref")
    assert reference.startswith("YX")
    page.get_by_role("button", name="打印").click()
    page.wait_for_url(re.compile(r"/kiosk/prints/DY\d+"))
    assert page.locator(".slip-qr svg").count() == 1
    assert reference in page.inner_text(".slip")

    page.get_by_role("button", name="结束").click()
    page.wait_for_url(f"{base}/kiosk")
    assert not [c for c in context.cookies() if c["name"] == "estation_session"]

    # Back from the attract screen stays there: the last person's pages and search words stay behind.
    for _ in range(3):
        page.go_back()
        assert page.url == f"{base}/kiosk"
        assert reference not in page.content() and "您好" not in page.content()
    # And their pages, asked for again (as a back button without the guard would), are fetched anew
    # (no-store) and show nothing of them.
    for url in (f"/kiosk/jobs/{world.guard_id}?applied=1", "/kiosk/home", "/kiosk/signin/pin"):
        page.goto(base + url)
        text = page.content()
        assert reference not in text and "您好" not in text and world.pin_id_number not in text
        for field in page.locator("input:not([type=hidden])").all():
            assert field.input_value() == ""

    # A new session on the same terminal sees nothing of the old one.
    page.goto(f"{base}/kiosk/me/applications")
    assert "/kiosk/signin" in page.url
    world.app.state.parts.card_reader.place("hall-1", __import__("estation.accounts.idcard", fromlist=["IdCard"]).IdCard(
        id_number=world.card_id_number))
    page.goto(f"{base}/kiosk/signin/card")
    page.get_by_role("button", name="我已放好").click()
    page.wait_for_url(f"{base}/kiosk/home")
    assert "李**，您好" in page.inner_text("header")
    page.goto(f"{base}/kiosk/me/applications")
    assert reference not in page.content() and "您还没有登记过求职意向" in page.content()
    context.close()


@pytest.fixture(scope="module")
def short_world(tmp_path_factory):
    return make_world(tmp_path_factory, kiosk_idle_seconds=30, kiosk_warning_seconds=20)


def test_inactivity_warns_in_the_page_then_ends_the_session(browser, short_world) -> None:
    server = LiveServer(short_world.harness)
    try:
        context = _context(browser)
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.clock.install()
        pin_sign_in(page, server.url, short_world.pin_id_number)
        page.goto(f"{server.url}/kiosk/me/insurance")
        banner = page.locator("#idle-banner")
        assert banner.is_hidden()
        page.clock.run_for(11_000)  # idle 30 s, warning 20 s: the banner shows after 10 s
        assert banner.is_visible()
        count = int(page.inner_text("#idle-count"))
        assert 17 <= count <= 20
        assert banner.get_attribute("role") == "alert" and page.locator("dialog[open]").count() == 0
        page.get_by_role("button", name="继续使用").click()  # one tap
        assert banner.is_hidden()
        assert "我的社保" in page.inner_text("h1")
        page.clock.run_for(12_000)
        assert banner.is_visible()
        page.clock.run_for(20_000)
        page.wait_for_url(f"{server.url}/kiosk")
        assert not [c for c in context.cookies() if c["name"] == "estation_session"]
        page.goto(f"{server.url}/kiosk/me/insurance")
        assert "/kiosk/signin" in page.url
        assert dialogs == []  # no alert(), confirm() or any other pop-up
        context.close()
    finally:
        server.stop()


def test_core_paths_work_with_javascript_off(browser, world, live_kiosk) -> None:
    base = live_kiosk.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/kiosk/jobs")
    page.locator("label.filter", has_text="时间短").click()
    page.get_by_role("button", name="搜索").click()
    assert "short=1" in page.url
    page.get_by_role("link", name=re.compile("社区数据录入员")).first.click()
    page.get_by_role("button", name="我有意向").click()  # not signed in: off to sign in, then back here
    assert "/kiosk/signin?next=" in page.url
    page.get_by_role("link", name=re.compile("输入身份证号和密码")).click()
    assert page.locator("#osk button").count() == 0  # the on-screen keyboard needs JS; typing still works
    page.fill("#id_number", world.card_id_number)
    page.fill("#pin", "000000")
    page.get_by_role("button", name="登录").click()
    assert "身份证号或密码不正确" in page.content()
    page.fill("#id_number", world.pin_id_number)
    page.fill("#pin", PIN)
    page.get_by_role("button", name="登录").click()
    assert page.url == f"{base}/kiosk/jobs/{world.typist_id}"
    page.get_by_role("button", name="打印").click()
    assert "/kiosk/prints/DY" in page.url
    page.get_by_role("button", name="结束").click()
    assert page.url == f"{base}/kiosk"
    assert not [c for c in context.cookies() if c["name"] == "estation_session"]
    context.close()


def test_the_on_screen_keyboard_can_be_switched_off(browser, world, live_kiosk) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{live_kiosk.url}/kiosk/signin/pin")
    assert page.locator("#osk").is_visible()
    assert page.get_attribute("#id_number", "inputmode") == "none"  # the system keyboard stays away
    page.get_by_role("button", name="关闭屏幕键盘").click()
    assert page.locator("#osk").is_hidden()
    assert page.get_attribute("#id_number", "inputmode") == "numeric"
    page.get_by_role("button", name="打开屏幕键盘").click()
    assert page.locator("#osk").is_visible()
    page.click("#id_number")
    for key in "37010":
        page.locator("#osk button", has_text=re.compile(f"^{key}$")).click()
    page.get_by_role("button", name="删除一位").click()
    assert page.input_value("#id_number") == "3701"
    context.close()

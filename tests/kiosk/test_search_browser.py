"""The kiosk's job search in a real browser: filters apply on tap and survive category changes (with and
without scripts), the empty page says what was searched, and the on-screen pinyin keyboard types words."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import screenshot
from tests.kiosk.elder import VIEWPORTS, axe_problems, elder_problems

pytestmark = pytest.mark.browser

PORTRAIT = VIEWPORTS["portrait"]


def _asked(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _found(page) -> set[int]:
    return {int(m) for m in re.findall(r'href="/kiosk/jobs/(\d+)"', page.content())}


def _ticked(page) -> set[str]:
    return {el.get_attribute("name") for el in page.locator(".filters input:checked").all()}


def test_filters_apply_on_tap_and_survive_category_changes(browser, world, live_kiosk) -> None:
    context = browser.new_context(locale="zh-CN", viewport=PORTRAIT)
    page = context.new_page()
    page.goto(f"{live_kiosk.url}/kiosk/jobs")
    # One tap on 轻活 and the results are there: no 搜索 needed.
    with page.expect_navigation():
        page.locator("label.filter", has_text="轻活").click()
    assert "/kiosk/jobs/results" in page.url and _asked(page.url).get("light") == "1"
    assert _ticked(page) == {"light"}
    assert _found(page) == {world.guard_id, world.typist_id, world.homework_id}
    with page.expect_navigation():
        page.locator("label.filter", has_text="坐着干").click()
    assert _ticked(page) == {"light", "seated"}
    assert _found(page) == {world.typist_id, world.homework_id}

    # A category keeps both filters; nothing fits, and the page says what was searched and what to drop.
    with page.expect_navigation():
        page.get_by_role("button", name="保安门卫").click()
    assert _asked(page.url) == {"cat": "guard", "light": "1", "seated": "1"}  # (the empty q= is left out)
    assert _ticked(page) == {"light", "seated"} and _found(page) == set()
    empty = page.inner_text(".empty")
    assert "类别：保安门卫" in empty and "坐着干：只看多半坐着、偶尔站一站的岗位" in empty and "轻活" in empty
    screenshot(page, "kiosk-search-empty.png")
    with page.expect_navigation():
        page.get_by_role("link", name="去掉“坐着干”再找").click()
    assert _found(page) == {world.guard_id} and _ticked(page) == {"light"}
    assert page.get_attribute(".cats button[value=guard]", "aria-current") == "true"
    with page.expect_navigation():
        page.get_by_role("button", name="全部岗位").click()
    assert _ticked(page) == {"light"} and "cat" not in _asked(page.url)

    # The resident's words: the page says how they were understood, and the filter button is on.
    page.fill("#q", "不用站着的")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _ticked(page) == {"light", "seated"} and page.input_value("#q") == ""
    assert "已按“不用站着”只看多半坐着、偶尔站一站的岗位" in page.inner_text(".understood")
    screenshot(page, "kiosk-search-understood.png")
    context.close()


def test_without_scripts_the_form_still_carries_the_filters(browser, world, live_kiosk) -> None:
    context = browser.new_context(locale="zh-CN", viewport=PORTRAIT, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_kiosk.url}/kiosk/jobs")
    assert page.locator("#pinyin-toggle").is_hidden()  # the keyboard needs scripts; the text box does not
    page.locator("label.filter", has_text="在家干").click()
    assert page.url.endswith("/kiosk/jobs")  # no script: the tick waits for 搜索 or a category
    with page.expect_navigation():
        page.get_by_role("button", name="手工制作").click()
    assert _asked(page.url) == {"cat": "craft", "home": "1"}
    assert _ticked(page) == {"home"}
    with page.expect_navigation():
        page.get_by_role("button", name="全部岗位").click()
    assert _ticked(page) == {"home"} and _found(page) == {world.homework_id}
    context.close()


def test_the_pinyin_keyboard_types_job_words(browser, world, live_kiosk) -> None:
    context = browser.new_context(locale="zh-CN", viewport=PORTRAIT)
    page = context.new_page()
    page.goto(f"{live_kiosk.url}/kiosk/jobs")
    page.get_by_role("button", name="用拼音打字").click()
    keyboard = page.locator("#pinyin")
    assert keyboard.is_visible()
    for letter in "kanmen":
        keyboard.locator(".pinyin-key", has_text=re.compile(f"^{letter}$")).click()
    assert "拼音：kanmen" in keyboard.inner_text()
    assert keyboard.locator(".pinyin-word").first.inner_text() == "看门"
    keyboard.locator(".pinyin-word", has_text="看门").click()
    assert page.input_value("#q") == "看门"
    # Initials are enough: "bj" offers 保洁; 删除 takes back a letter, then a character of the box.
    for letter in "bj":
        keyboard.locator(".pinyin-key", has_text=re.compile(f"^{letter}$")).click()
    assert "保洁" in keyboard.locator(".pinyin-words").inner_text()
    keyboard.get_by_role("button", name="删除一个字母或一个字").click()
    assert "拼音：b" in keyboard.inner_text()
    screenshot(page, "kiosk-search-keyboard.png")
    # Elder mode: every key and word on the keyboard is a big target.
    for box in [b.bounding_box() for b in keyboard.locator("button").all()]:
        assert box["width"] >= 64 and box["height"] >= 64, box
    page.locator("label.filter", has_text="离家近").click()  # applies at once, keeping the typed word
    page.wait_for_url(re.compile(r"/kiosk/jobs/results\?"))
    assert _asked(page.url) == {"q": "看门", "near": "1"}
    assert world.guard_id in _found(page)
    with page.expect_navigation():
        page.get_by_role("button", name="用拼音打字").click()
        page.locator("#pinyin").get_by_role("button", name="按输入的词搜索").click()
    assert _asked(page.url) == {"q": "看门", "near": "1"}
    context.close()


@pytest.mark.parametrize("orientation", sorted(VIEWPORTS))
def test_search_screens_keep_elder_mode_and_pass_axe(browser, world, live_kiosk, orientation: str) -> None:
    # axe-core goes in as an inline script, which the pages' Content-Security-Policy rightly refuses.
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[orientation], bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    for name, path in [("understood", "/kiosk/jobs/results?q=离家近的轻活"),
                       ("nothing found", "/kiosk/jobs/results?q=火箭&seated=1&cat=guard"),
                       ("keyboard", "/kiosk/jobs")]:
        page.goto(live_kiosk.url + path)
        if name == "keyboard":
            page.get_by_role("button", name="用拼音打字").click()
            for letter in "bj":
                page.locator("#pinyin .pinyin-key", has_text=re.compile(f"^{letter}$")).click()
        problems += elder_problems(page, f"{orientation} {name}") + axe_problems(page, f"{orientation} {name}")
        screenshot(page, f"kiosk-search-{name.replace(' ', '-')}-{orientation}.png")
    context.close()
    assert not problems, "\n".join(problems)

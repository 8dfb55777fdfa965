"""A suggestion answered in public, walked in headless Chromium: a resident at the kiosk writes it with a
name, a phone and an id number and agrees that it may be public; the admin answers it and publishes it
under a topic; on a phone the public page lists it under that topic with none of the three (nor the kiosk's)."""

from __future__ import annotations

import re

import pytest

from estation.accounts.models import Role
from tests.admin.helpers import make_user
from tests.conftest import screenshot, sign_in

ID_NUMBER = "370102198608203331"
PHONE = "13905317788"


@pytest.mark.browser
def test_a_suggestion_answered_in_public_appears_masked(api, live, page, browser) -> None:
    admin = make_user(api, Role.admin, "许管理")
    base = live.url
    kiosk = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    at_kiosk = kiosk.new_page()
    at_kiosk.goto(f"{base}/kiosk/suggest")
    at_kiosk.get_by_label("投诉").check()
    at_kiosk.fill("#text", f"我叫张志强，身份证{ID_NUMBER}，电话{PHONE}。轮椅进大厅的坡道太陡，能不能改一改？")
    at_kiosk.get_by_label("同意把我的留言和答复公开").check()
    at_kiosk.get_by_role("button", name="提交").click()
    at_kiosk.wait_for_url(re.compile(r"done=LY"))
    reference = at_kiosk.inner_text(".success .ref")

    sign_in(page, base, admin.username, "/admin/suggestions")
    card = page.locator("article", has_text=reference)
    preview = card.locator("p.muted", has_text="公开时留言显示为").inner_text()
    assert "张某某" in preview and PHONE not in preview and ID_NUMBER not in preview
    card.get_by_label("答复").fill("已在坡道加装扶手，张志强先生可拨打13905317788以外的服务电话86012345预约陪同。")
    card.get_by_label("主题").select_option(label="窗口服务")
    assert card.get_by_label("公开到“留言公开”").is_checked()
    card.get_by_role("button", name="答复").click()
    page.wait_for_selector(".notice")
    assert f"已答复留言 {reference}，已公开" in page.inner_text(".notice")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    on_phone = phone.new_page()
    on_phone.goto(f"{base}/m/answers")
    on_phone.get_by_role("link", name="窗口服务").click()
    section = on_phone.locator("section.topic", has_text="窗口服务")
    text = section.inner_text()
    assert "我叫张某某，身份证[证件号已隐去]，电话[号码已隐去]。轮椅进大厅的坡道太陡" in text
    assert "已在坡道加装扶手，张某某先生可拨打[号码已隐去]以外的服务电话[号码已隐去]预约陪同" in text
    body = on_phone.content()
    for secret in (ID_NUMBER, PHONE, "志强", "8203331", "7788", "86012345"):
        assert secret not in body, secret
    assert on_phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    screenshot(on_phone, "phone-answers.png")

    at_kiosk.goto(f"{base}/kiosk/answers?topic=counter")
    assert "坡道太陡" in at_kiosk.inner_text("main") and PHONE not in at_kiosk.content()
    kiosk.close()
    phone.close()

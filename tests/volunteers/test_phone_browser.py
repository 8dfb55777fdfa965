"""志愿者报名 on a phone (390 px), in headless Chromium on the real app: a person applies on /m/volunteer without
signing in (a wrong phone number comes back named, with what was typed), the community's staff confirm the
application in the ledger, and from then on the person is a member there. The same form sent twice at once
makes one application. Screenshots with ESTATION_SCREENSHOT_DIR set."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from estation.accounts.models import Role
from estation.privacy import lookup_hash
from estation.volunteers.models import Volunteer, VolunteerStatus
from tests.conftest import screenshot, sign_in
from tests.factories import create_user
from tests.server import at_once, form_tokens
from tests.volunteers.helpers import THIRD

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
NUMBER = "13953107241"


@pytest.fixture(scope="module")
def keeper(api) -> str:
    with api.db() as s:
        user = create_user(s, role=Role.community_staff, community_code=THIRD)
        s.commit()
        return user.username


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _rows(api, number: str) -> list[Volunteer]:
    with api.db() as s:
        return list(s.scalars(select(Volunteer).where(Volunteer.phone_hash == lookup_hash(number))))


def test_a_person_applies_on_a_phone_and_community_staff_confirm(api, live, page, keeper) -> None:
    base = live.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/m/notices")
    page.get_by_role("link", name="志愿者报名").click()
    page.wait_for_url(f"{base}/m/volunteer")
    _no_sideways_scroll(page)
    page.fill("#v-name", "孙晓梅")
    page.fill("#v-phone", NUMBER)
    page.select_option("#v-community", THIRD)
    page.get_by_label("45-59岁").check()
    page.get_by_label("邻里守望关爱").check()
    page.get_by_label("周六上午").check()
    page.get_by_label("周日下午").check()
    page.fill("#v-interests", "包饺子、唱歌")
    page.get_by_label("同意社区按登记的电话联系本人安排志愿服务").check()
    screenshot(page, "phone-volunteer.png")
    page.fill("#v-phone", "1395310")  # three digits short
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_selector("#form-error")
    assert page.inner_text("#form-error").startswith("“手机”：")
    assert page.get_attribute("#v-phone", "aria-invalid") == "true"
    assert page.input_value("#v-name") == "孙晓梅" and page.input_value("#v-interests") == "包饺子、唱歌"
    assert page.is_checked("input[name=free_slots][value='sun:afternoon']")
    assert page.input_value("#v-community") == THIRD
    assert _rows(api, "1395310") == []
    page.screenshot(path="/tmp/shots/volunteer-apply/1-phone-error.png", full_page=True)

    page.fill("#v-phone", NUMBER)
    page.get_by_role("button", name="提交报名").click()
    page.wait_for_selector("#sent")
    assert page.url == f"{base}/m/volunteer?sent=1"  # nothing personal in the address
    assert "社区工作人员会在几天内打电话向您核实" in page.inner_text("#sent")
    page.screenshot(path="/tmp/shots/volunteer-apply/2-phone-sent.png", full_page=True)
    [applied] = _rows(api, NUMBER)
    assert (applied.status, applied.name, applied.community_code, applied.id_number) == (
        VolunteerStatus.pending, "孙晓梅", THIRD, None)
    assert applied.free_slots == ["sat:morning", "sun:afternoon"] and applied.activities == ["neighbour_watch"]

    # The community's staff, on a phone too: the application waits above the ledger, masked, and is not in it.
    page.context.clear_cookies()
    sign_in(page, base, keeper, "/volunteers")
    card = page.locator(f"#a-{applied.id}")
    assert "孙晓梅" in card.inner_text() and "139****7241" in card.inner_text() and "待社区核实" in page.inner_text("#applications-h")
    assert NUMBER not in page.content()
    assert page.locator(f"#v-{applied.id}").count() == 0
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/shots/volunteer-apply/3-ledger-waiting.png", full_page=True)
    screenshot(page, "volunteers-applications.png")
    card.get_by_role("button", name="已电话核实，确认").click()
    page.wait_for_selector(".flash")
    assert "已确认" in page.inner_text(".flash")
    member = page.locator(f"#v-{applied.id}")
    assert "孙晓梅" in member.inner_text() and "45-59岁" in member.inner_text() and "手机报名" in member.inner_text()
    assert "周六上午、周日下午" in member.inner_text()
    assert page.locator(f"#a-{applied.id}").count() == 0
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/shots/volunteer-apply/4-ledger-member.png", full_page=True)
    assert [r.status for r in _rows(api, NUMBER)] == [VolunteerStatus.member]


def test_the_form_sent_twice_at_once_makes_one_application(api, live) -> None:
    number = "13853104455"
    with httpx.Client(base_url=live.url, follow_redirects=False) as client:
        form = form_tokens(client, "/m/volunteer") | {
            "name": "高建国", "phone": number, "community_code": THIRD, "age_band": "from_60",
            "activities": ["mediation"], "free_slots": ["tue:afternoon"], "consent_to_contact": "1"}
        answers = at_once(2, lambda i: client.post("/m/volunteer", data=form))
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    assert {a.headers["location"] for a in answers} == {"/m/volunteer?sent=1"}
    assert len(_rows(api, number)) == 1

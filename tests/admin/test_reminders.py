"""The admin's policy-reminder rules: written in the browser in plain Chinese, and what the cadre's
household ledger reminds by from the next page on."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import AccessLog, Role
from estation.ledger.models import PolicyRuleRow
from estation.ledger.rules import DEFAULT_RULES
from tests.admin.plain import assert_plain
from tests.conftest import screenshot, sign_in
from tests.factories import create_household, create_resident, create_user, new_id_number

pytestmark = pytest.mark.browser
REASON = "【姓名】【年龄】岁，家庭困难：可申请临时救助。"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def hall(api):
    with api.db() as s:
        admin = create_user(s, role=Role.admin)
        cadre = create_user(s, role=Role.cadre)
        household = create_household(s, hardship=True)
        born = date(clock.today().year - 85, 1, 2)
        create_resident(s, household=household, name="李桂芳", id_number=new_id_number(birth=born))
        s.commit()
        return {"admin": admin, "cadre": cadre, "household_id": household.id}


def _reminded(api, hall) -> dict[str, str]:
    answer = api.client_for(hall["admin"]).get(f"/api/v1/ledger/households/{hall['household_id']}/reminders")
    assert answer.status_code == 200, answer.text
    return {r["policy"]: r["reason"] for r in answer.json()}


def test_a_new_rule_and_a_rule_switched_off_change_the_ledger(api, live, page, hall) -> None:
    before = _reminded(api, hall)
    assert "老龄补贴" in before and "临时救助" not in before
    base = live.url
    sign_in(page, base, hall["admin"].username, "/admin/reminders")
    assert page.locator("#rules tbody tr").count() == len(DEFAULT_RULES)
    assert "年龄80岁及以上" in page.locator("#rules").inner_text()
    assert_plain(page.locator("main").inner_text())

    page.get_by_role("link", name="新增规则").click()
    page.fill("#policy", "临时救助")
    page.fill("#min_age", "70")
    page.select_option("#hardship", label="只提醒困难家庭的成员")
    page.fill("#reason", REASON)
    page.fill("#action", "协助到街道社会救助窗口申请临时救助。")
    assert_plain(page.locator("main").inner_text())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/admin/reminders\?msg=.*"))
    row = page.get_by_role("row", name=re.compile("临时救助"))
    assert "年龄70岁及以上" in row.inner_text() and "家庭困难" in row.inner_text() and REASON in row.inner_text()

    page.get_by_role("row", name=re.compile("已满【年龄】岁")).get_by_role("button", name="停用").click()
    page.wait_for_url(re.compile(r".*/admin/reminders\?msg=.*"))
    assert "已停用“老龄补贴”" in page.locator(".notice").inner_text()
    assert_plain(page.locator("main").inner_text())
    screenshot(page, "admin-reminders.png")

    after = _reminded(api, hall)
    assert after["临时救助"] == "李桂芳85岁，家庭困难：可申请临时救助。"
    assert "老龄补贴" not in after
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(PolicyRuleRow)) == len(DEFAULT_RULES) + 1
        logged = s.scalars(select(AccessLog.reason).where(AccessLog.what.like("政策提醒规则：%"))).all()
        assert logged == ["管理员新增提醒规则", "管理员停用提醒规则"]


def test_the_ledger_page_shows_the_admins_rules(api, hall) -> None:
    shown = api.client_for(hall["admin"]).get(f"/ledger/households/{hall['household_id']}").text
    assert "可申请临时救助" in shown and "高龄老人补贴" not in shown
    cadre = api.client_for(hall["cadre"])
    assert cadre.get("/admin/reminders", follow_redirects=False).status_code == 403


@pytest.mark.parametrize(("changes", "message"), [
    ({"min_age": "70", "max_age": "60"}, "最低年龄不能大于最高年龄"),
    ({"min_age": "七十"}, "“最低年龄”"),
    ({"min_age": "", "hardship": ""}, "请至少设定一个条件"),
    ({"reason": "{住址}可申请"}, "提醒原因中只能用【姓名】【年龄】【劳动能力】【残疾等级】【疾病】"),
    ({"policy": ""}, "“政策名称”"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, hall, changes, message) -> None:
    admin = api.client_for(hall["admin"])
    form = admin.get("/admin/reminders/new").text
    with api.db() as s:
        count = s.scalar(select(func.count()).select_from(PolicyRuleRow))
    data = {"csrf_token": _csrf(form), "policy": "就业援助", "min_age": "50", "hardship": "yes", "reason": REASON,
            "action": "", **changes}
    answer = admin.post("/admin/reminders/new", data=data, follow_redirects=False)
    assert answer.status_code == 422 and message in answer.text, answer.text[-1500:]
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(PolicyRuleRow)) == count


def test_a_new_rule_sent_twice_is_added_once(api, hall) -> None:
    admin = api.client_for(hall["admin"])
    form = admin.get("/admin/reminders/new").text
    data = {"csrf_token": _csrf(form), "submission_token": _token(form), "policy": "助残就业", "max_disability_grade": "4",
            "work_capacity": ["full", "partial"], "reason": "【姓名】持【残疾等级】级残疾人证：可推荐助残就业岗位。"}
    first = admin.post("/admin/reminders/new", data=data, follow_redirects=False)
    second = admin.post("/admin/reminders/new", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    listing = admin.get("/admin/reminders").text
    assert listing.count("可推荐助残就业岗位") == 1
    assert "劳动能力：完全劳动能力、部分劳动能力" in listing and "持任何等级的残疾人证" in listing

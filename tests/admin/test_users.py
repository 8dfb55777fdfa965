"""Users and roles at /admin/users: create, post, new password, disable and restore, with the rules
`estation user add` uses, Chinese errors that keep the input, one account per submission, and a log line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from estation.accounts.models import AuthSession, Role, User
from tests.admin.helpers import log_lines, make_user, signed_in, tokens
from tests.admin.plain import assert_plain
from tests.factories import TEST_PASSWORD, create_user

NEW_PASSWORD = "qingshan-lvshui-2026"


@pytest.fixture(scope="module")
def admin(api) -> User:
    return make_user(api, Role.admin, "赵管理")


def account(api, username: str) -> User | None:
    with api.db() as s:
        return s.scalar(select(User).where(User.username == username))


def test_a_weak_password_is_refused_by_name_and_the_form_keeps_the_input(api, admin) -> None:
    client = signed_in(api, admin)
    form = tokens(client, "/admin/users/new") | {
        "username": "chuangkou7", "display_name": "钱窗口", "role": "counter_staff", "window": "7",
        "community_code": "", "password": "short", "password_confirm": "short"}
    r = client.post("/admin/users", data=form)
    assert r.status_code == 422
    assert "密码：密码至少要10位" in r.text  # the field named in the box above the form
    assert 'value="chuangkou7"' in r.text and 'value="钱窗口"' in r.text and 'value="7"' in r.text
    assert "short" not in r.text  # a password is never sent back
    assert account(api, "chuangkou7") is None


@pytest.mark.parametrize(("change", "message"), [
    ({"window": "七"}, "窗口号：窗口号应为1到99之间的整数"),
    ({"window": ""}, "窗口号：窗口工作人员要写明窗口号"),
    ({"role": "resident"}, "角色：请选择工作人员的角色"),
    ({"role": ""}, "角色：请选择角色"),
    ({"username": "钱 窗口"}, "用户名：用户名应为3-40位字母、数字、下划线、点或减号"),
    ({"display_name": " "}, "姓名：请填写姓名"),
    ({"password_confirm": "another-password-1"}, "再输入一次密码：两次输入的密码不一致"),
    ({"password": "chuangkou8-abc", "password_confirm": "chuangkou8-abc"}, "密码：密码不能包含用户名"),
])
def test_every_refusal_names_its_field_and_writes_nothing(api, admin, change, message) -> None:
    client = signed_in(api, admin)
    form = tokens(client, "/admin/users/new") | {
        "username": "chuangkou8", "display_name": "孙窗口", "role": "counter_staff", "window": "8",
        "community_code": "", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD} | change
    r = client.post("/admin/users", data=form)
    assert r.status_code == 422, r.text[:300]
    assert message in r.text
    assert account(api, form["username"]) is None


def test_a_form_sent_twice_makes_one_account_and_one_log_line(api, admin) -> None:
    client = signed_in(api, admin)
    form = tokens(client, "/admin/users/new") | {
        "username": "sheqv9", "display_name": "李社区", "role": "community_staff", "window": "",
        "community_code": "370102009002", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    first = client.post("/admin/users", data=form)
    second = client.post("/admin/users", data=form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "sheqv9")) == 1
    made = [line for line in log_lines(api, "create_account") if "sheqv9" in line.what]
    assert len(made) == 1 and made[0].user_id == admin.id and made[0].reason == "新建社区工作人员账号"
    page = client.get(first.headers["location"])
    assert "已建账号 sheqv9" in page.text and "社区工作人员" in page.text


def test_disabling_ends_the_sessions_and_restoring_lets_the_person_back(api, admin) -> None:
    with api.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=3)
        clerk.display_name = "周窗口"
        s.commit()
    clerk_client = signed_in(api, clerk)
    assert clerk_client.get("/counter").status_code == 200
    client = signed_in(api, admin)
    url = f"/admin/users/{clerk.id}"
    refused = client.post(f"{url}/disable", data=tokens(client, url) | {"reason": "走"})
    assert refused.status_code == 422 and "原因：请写明原因（2到200个字）" in refused.text
    r = client.post(f"{url}/disable", data=tokens(client, url) | {"reason": "调离本岗位"})
    assert r.status_code == 303
    assert clerk_client.get("/counter").status_code == 303  # signed out at once
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == clerk.id)) == 0
    assert TestClient(api.app).post("/api/v1/auth/login", json={"username": clerk.username,
                                                                "password": TEST_PASSWORD}).status_code == 401
    assert log_lines(api, "disable_account")[-1].reason == "停用：调离本岗位"
    page = client.get(url)
    assert "已停用，不能登录" in page.text and "恢复使用" in page.text
    assert client.post(f"{url}/enable", data=tokens(client, url) | {"reason": "回到本岗位"}).status_code == 303
    assert TestClient(api.app).post("/api/v1/auth/login", json={"username": clerk.username,
                                                                "password": TEST_PASSWORD}).status_code == 200


def test_the_admin_cannot_lock_themselves_out(api, admin) -> None:
    client = signed_in(api, admin)
    url = f"/admin/users/{admin.id}"
    page = client.get(url)
    assert "停用账号" not in page.text
    r = client.post(f"{url}/disable", data=tokens(client, url) | {"reason": "试一试"})
    assert r.status_code == 422 and "不能停用自己的账号" in r.text
    form = tokens(client, url) | {"display_name": "赵管理", "role": "cadre", "window": "", "community_code": ""}
    r = client.post(f"{url}/post", data=form)
    assert r.status_code == 422 and "不能取消自己的管理员身份" in r.text
    assert account(api, admin.username).role is Role.admin and account(api, admin.username).active


def test_a_post_change_and_a_new_password_are_logged_and_apply(api, admin) -> None:
    with api.db() as s:
        cadre = create_user(s, role=Role.cadre)
        cadre.display_name = "吴干部"
        s.commit()
    old_session = signed_in(api, cadre)
    client = signed_in(api, admin)
    url = f"/admin/users/{cadre.id}"
    missing = client.post(f"{url}/post", data=tokens(client, url) | {
        "display_name": "吴干部", "role": "leader", "window": "", "community_code": ""})
    assert missing.status_code == 422 and "所在社区：社区工作人员和社区领导要写明所在社区" in missing.text
    assert account(api, cadre.username).role is Role.cadre  # nothing half-changed
    r = client.post(f"{url}/post", data=tokens(client, url) | {
        "display_name": "吴干部", "role": "leader", "window": "", "community_code": "370102009003"})
    assert r.status_code == 303
    changed = account(api, cadre.username)
    assert changed.role is Role.leader and changed.community_code == "370102009003"
    assert log_lines(api, "change_post")[-1].reason.startswith("调整岗位：包户干部 → 联居领导，")
    weak = client.post(f"{url}/password", data=tokens(client, url) | {"password": "12345678901",
                                                                      "password_confirm": "12345678901"})
    assert weak.status_code == 422 and "新密码" not in weak.text.split("没有保存")[0]
    assert "这个密码太常见" in weak.text or "密码至少要10位" in weak.text
    r = client.post(f"{url}/password", data=tokens(client, url) | {"password": NEW_PASSWORD,
                                                                   "password_confirm": NEW_PASSWORD})
    assert r.status_code == 303
    assert old_session.get("/ledger").status_code == 303  # the old password's sessions ended
    login = TestClient(api.app).post("/api/v1/auth/login", json={"username": cadre.username, "password": NEW_PASSWORD})
    assert login.status_code == 200
    assert log_lines(api, "reset_password")[-1].what == f"账号 {cadre.username}（吴干部）"


def test_only_managed_accounts_are_listed_and_filtered(api, admin) -> None:
    with api.db() as s:
        resident = create_user(s, role=Role.resident)
        create_user(s, role=Role.counter_staff, window=9)
        s.commit()
    client = signed_in(api, admin)
    everyone = client.get("/admin/users")
    assert admin.username in everyone.text and resident.username not in everyone.text
    assert client.get(f"/admin/users/{resident.id}").status_code == 404
    admins = client.get("/admin/users?role=admin&state=active")
    assert admin.username in admins.text and "<td>窗口工作人员</td>" not in admins.text
    assert "<td>窗口工作人员</td>" in everyone.text


@pytest.mark.browser
def test_admin_signs_in_lands_on_admin_and_creates_an_account(api, live, page, admin) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#username", admin.username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/admin")
    assert page.locator("nav[aria-label=系统管理] a[aria-current=page]").inner_text() == "首页"
    assert_plain(page.inner_text("body"))
    page.get_by_role("link", name="用户和权限").first.click()
    page.wait_for_url(f"{live.url}/admin/users")
    page.get_by_role("link", name="新建工作人员账号").click()
    page.fill("#username", "chuangkou5")
    page.fill("#display_name", "郑窗口")
    page.select_option("#role", label="窗口工作人员")
    page.fill("#window", "5")
    page.fill("#password", "chuangkou")
    page.fill("#password_confirm", "chuangkou")
    page.get_by_role("button", name="建立账号").click()
    page.wait_for_selector(".error-box")
    assert "密码：密码至少要10位" in page.inner_text(".error-box")
    assert page.input_value("#username") == "chuangkou5" and page.input_value("#window") == "5"
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert_plain(page.inner_text("main"), allowed=("chuangkou5",))
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="建立账号").click()
    page.wait_for_selector(".notice")
    assert "已建账号 chuangkou5" in page.inner_text(".notice")
    assert "5号窗口" in page.inner_text(".facts")
    page.fill("#reason", "借调到区人社局")
    page.get_by_role("button", name="停用账号").click()
    page.wait_for_selector(".notice")
    assert "已停用郑窗口的账号" in page.inner_text(".notice")
    page.goto(f"{live.url}/admin/users")
    row = page.locator("tr", has_text="chuangkou5")
    assert "已停用" in row.inner_text()
    names = tuple(page.locator("table.users td:nth-child(2)").all_inner_texts())
    assert_plain(page.inner_text("main"), allowed=names)

"""Issue 15 point 5 at the kiosk: 短信和微信提醒 (/kiosk/me/alerts) and ``GET/PUT/DELETE /api/v1/me/alerts``.
The resident chooses SMS (WeChat once bound) and the topics, sees what will and will not be sent, and
withdraws at once; every change is in their change log, every read in the access log. Real app, real
database, headless Chromium for the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from estation.accounts.models import AccessLog
from estation.labour.models import Resident, ResidentChange
from estation.notifications.models import AlertConsent, Channel
from estation.notifications.service import consent_of
from tests.conftest import screenshot
from tests.kiosk.conftest import pin_sign_in, sign_in
from tests.kiosk.elder import VIEWPORTS, elder_problems
from tests.kiosk.loop import form_of, plain

SHOTS = Path("/tmp/shots/alerts")


def _client(world, id_number: str | None = None):
    client = world.client()
    sign_in(client, id_number or world.pin_id_number)
    client.headers["X-CSRF-Token"] = client.cookies.get("estation_csrf")
    return client


def _changes(world, resident_id: int) -> list[ResidentChange]:
    with world.harness.db() as s:
        return list(s.scalars(select(ResidentChange).where(ResidentChange.resident_id == resident_id,
                                                           ResidentChange.fields == ["alert_consent"])))


def test_the_api_reads_sets_and_withdraws_the_residents_own_alerts(world) -> None:
    client = _client(world)
    rid = world.pin_resident_id
    got = client.get("/api/v1/me/alerts")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["active"] is False and body["sms_to"] == "138****0000" and "身份证号" in body["never_sent"]
    refused = client.put("/api/v1/me/alerts", json={"channel": "wechat", "job_digest": True})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "wechat_openid"
    put = client.put("/api/v1/me/alerts", json={"channel": "sms", "application_steps": False, "job_digest": True})
    assert put.status_code == 200, put.text
    assert (put.json()["active"], put.json()["channel"], put.json()["job_digest"], put.json()["application_steps"]) \
        == (True, "sms", True, False)
    again = client.put("/api/v1/me/alerts", json={"channel": "sms", "application_steps": False, "job_digest": True})
    assert again.status_code == 200
    assert len(_changes(world, rid)) == 1  # the same choice again changes nothing and logs nothing
    wechat = client.put("/api/v1/me/alerts", json={"channel": "wechat", "job_digest": True, "wechat_openid": "oWx-1"})
    assert wechat.json()["wechat_bound"] is True and wechat.json()["channel"] == "wechat"
    gone = client.delete("/api/v1/me/alerts")
    assert gone.status_code == 200 and gone.json()["active"] is False and gone.json()["wechat_bound"] is False
    with world.harness.db() as s:
        assert consent_of(s, rid) is None
        row = s.scalars(select(AlertConsent).where(AlertConsent.resident_id == rid)).one()
        assert row.withdrawn_at is not None and row.wechat_openid is None
        reads = s.scalars(select(AccessLog).where(AccessLog.resident_id == rid, AccessLog.what == "短信和微信提醒"))
        assert [r.reason for r in reads] == ["本人查看提醒设置"]
    assert len(_changes(world, rid)) == 3  # sms, then wechat, then withdrawn
    assert world.client().get("/api/v1/me/alerts").status_code == 401


def test_sms_needs_a_phone_on_record(world) -> None:
    with world.harness.db() as s:
        resident = s.get(Resident, world.pin_resident_id)
        phone, resident.phone = resident.phone, None
        s.commit()
    try:
        client = _client(world)
        page = client.get("/kiosk/me/alerts").text
        assert 'value="sms" disabled' in page and "您没有登记手机号，收不到短信" in plain(page)
        response = client.post("/kiosk/me/alerts", data=form_of(client, "/kiosk/me/alerts", "/kiosk/me/alerts")
                               | {"channel": "sms", "job_digest": "1"})
        assert response.status_code == 422 and "请到服务窗口登记手机号" in plain(response.text)
        assert 'name="job_digest" value="1" checked' in response.text  # what was ticked is still ticked
        with world.harness.db() as s:
            assert consent_of(s, world.pin_resident_id) is None
    finally:
        with world.harness.db() as s:
            s.get(Resident, world.pin_resident_id).phone = phone
            s.commit()


@pytest.mark.browser
def test_the_resident_opts_in_and_withdraws_at_the_kiosk(world, live_kiosk, browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["portrait"])
    page = context.new_page()
    base = live_kiosk.url
    pin_sign_in(page, base, world.pin_id_number)
    page.goto(f"{base}/kiosk/me/profile")
    page.get_by_role("link", name="设置短信和微信提醒（求职进展、每日新岗位）").click()
    page.wait_for_url(f"{base}/kiosk/me/alerts")
    state = page.locator("#alerts-state").inner_text()
    assert "现在：不发提醒" in state
    never = page.locator("#never-sent").inner_text()
    assert "身份证号" in never and "健康、残疾" in never and "21:00" in never
    assert page.get_by_role("radio", name="微信").is_disabled()  # not bound to WeChat
    page.get_by_role("radio", name="短信").check()
    page.get_by_role("checkbox", name="每日新岗位").check()
    page.get_by_role("checkbox", name="求职进展").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/kiosk/me/alerts?saved=on")
    assert "已经保存好了" in page.locator("#saved").inner_text()
    assert "现在：用短信接收“求职进展”、“每日新岗位”" in page.locator("#alerts-state").inner_text()
    assert "138****0000" in page.locator("#alerts-state").inner_text()
    assert not elder_problems(page, "alerts")
    page.screenshot(path=str(SHOTS / "kiosk-alerts.png"), full_page=True)
    screenshot(page, "kiosk-alerts.png")
    with world.harness.db() as s:
        consent = consent_of(s, world.pin_resident_id)
        assert (consent.channel, consent.application_steps, consent.job_digest) == (Channel.sms, True, True)
    page.goto(f"{base}/kiosk/me/profile")
    assert "短信和微信提醒" in page.locator("main").inner_text().split("最近的修改")[-1]
    page.goto(f"{base}/kiosk/me/alerts")
    page.get_by_role("button", name="不再给我发提醒").click()
    page.wait_for_url(f"{base}/kiosk/me/alerts?saved=off")
    assert "现在：不发提醒" in page.locator("#alerts-state").inner_text()
    assert page.get_by_role("button", name="不再给我发提醒").count() == 0
    with world.harness.db() as s:
        assert consent_of(s, world.pin_resident_id) is None
    context.close()

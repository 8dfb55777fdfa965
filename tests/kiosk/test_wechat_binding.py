"""绑定微信: at the kiosk a resident gets a QR code of a one-time code, scans it with WeChat, the official
account's sign-in says who they are (the logging fake of estation.notifications.wechat stands in for WeChat,
an outside service), and from then on they can choose WeChat for their alerts. Real app and database; the
phone is a second client with no cookies of the kiosk; headless Chromium for both screens."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from estation.db import utcnow
from estation.errors import InvalidInput
from estation.notifications import binding
from estation.notifications.models import AlertConsent, Channel, WeChatBinding
from estation.notifications.service import consent_of, opt_out
from tests.conftest import screenshot
from tests.kiosk.conftest import make_world, pin_sign_in, sign_in
from tests.kiosk.elder import VIEWPORTS, elder_problems
from tests.kiosk.loop import form_of, plain

SHOTS = Path("/tmp/shots/wechat")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The official account in ``log`` mode; no public address set, so QR codes point at the address asked on."""
    return make_world(tmp_path_factory, external_notifications="log")


def _kiosk(world) -> TestClient:
    client = world.client()
    sign_in(client, world.pin_id_number)
    return client


def _qr_url(html: str) -> str:
    url = re.search(r'id="wechat-qr" data-url="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert urlsplit(url).path == "/m/wechat/bind" and urlsplit(url).query.startswith("code=")
    return url


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _show_qr(world, kiosk: TestClient) -> str:
    shown = kiosk.post("/kiosk/me/wechat", data=form_of(kiosk, "/kiosk/me/alerts", "/kiosk/me/wechat"))
    assert shown.status_code == 200 and "扫一扫" in plain(shown.text), shown.text
    return _qr_url(shown.text)


def _scan(world, qr: str):
    """What the resident's phone does: open the QR's page, go through WeChat's sign-in, land back."""
    phone = TestClient(world.harness.app)
    to_wechat = phone.get(_path(qr), follow_redirects=False)
    if to_wechat.status_code != 303:
        return to_wechat
    assert urlsplit(to_wechat.headers["location"]).path == "/m/wechat/bound"
    assert urlsplit(to_wechat.headers["location"]).query.startswith("code=log-")
    return phone.get(_path(to_wechat.headers["location"]))


def _bindings(world) -> list[WeChatBinding]:
    with world.harness.db() as s:
        return list(s.scalars(select(WeChatBinding).where(WeChatBinding.resident_id == world.pin_resident_id)
                              .order_by(WeChatBinding.id)))


def test_scan_bind_choose_wechat_and_withdraw(world) -> None:
    kiosk = _kiosk(world)
    before = kiosk.get("/kiosk/me/alerts").text
    assert re.search(r'value="wechat"[^>]* disabled', before) and 'action="/kiosk/me/wechat"' in before
    assert "点下面的“绑定微信”" in plain(before)
    qr = _show_qr(world, kiosk)
    not_yet = kiosk.get("/kiosk/me/alerts?scanned=1").text
    assert "还没有收到您的微信" in plain(not_yet)

    landed = _scan(world, qr)
    assert landed.status_code == 200 and "绑定好了" in plain(landed.text)
    # The phone's pages say nothing of whom: no name, no id number, no address.
    assert world.pin_id_number not in landed.text and "王" not in plain(landed.text)
    (row,) = _bindings(world)
    assert row.bound_at is not None and re.fullmatch(r"o[0-9a-f]{27}", row.openid or "")
    with world.harness.db() as s:  # kept encrypted: the stored value is not the address
        stored = s.execute(text("SELECT openid, code_hash FROM wechat_binding WHERE id = :i"), {"i": row.id}).one()
    assert row.openid not in stored[0] and qr.split("code=")[1] not in stored[1]

    again = _scan(world, qr)  # the same QR scanned later, or by someone else: used
    assert again.status_code == 422 and "已经用过" in plain(again.text)
    assert len(_bindings(world)) == 1

    bound = kiosk.get("/kiosk/me/alerts?scanned=1").text
    assert "微信绑定好了" in plain(bound) and not re.search(r'value="wechat"[^>]* disabled', bound)
    assert 'action="/kiosk/me/wechat"' not in bound
    saved = kiosk.post("/kiosk/me/alerts", data={**form_of(kiosk, "/kiosk/me/alerts", "/kiosk/me/alerts"),
                                                 "channel": "wechat", "application_steps": "1"})
    assert saved.status_code == 303, saved.text
    with world.harness.db() as s:
        consent = consent_of(s, world.pin_resident_id)
        assert consent.channel == Channel.wechat and consent.wechat_openid == row.openid

    gone = kiosk.post("/kiosk/me/alerts/withdraw", data=form_of(kiosk, "/kiosk/me/alerts", "/kiosk/me/alerts/withdraw"))
    assert gone.status_code == 303
    assert all(b.openid is None for b in _bindings(world))  # withdrawing keeps no WeChat address
    with world.harness.db() as s:
        assert s.scalars(select(AlertConsent).where(AlertConsent.resident_id == world.pin_resident_id)).one().wechat_openid is None
    assert re.search(r'value="wechat"[^>]* disabled', kiosk.get("/kiosk/me/alerts").text)


def test_a_code_is_good_for_ten_minutes_and_only_the_newest_works(world) -> None:
    kiosk = _kiosk(world)
    first, second = _show_qr(world, kiosk), _show_qr(world, kiosk)
    old = _scan(world, first)
    assert old.status_code == 422 and "过期" in plain(old.text)  # a newer QR replaced it
    with world.harness.db() as s:
        row = s.scalars(select(WeChatBinding).order_by(WeChatBinding.id.desc()).limit(1)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
    late = _scan(world, second)
    assert late.status_code == 422 and "过期" in plain(late.text)
    third = _show_qr(world, kiosk)
    ended = kiosk.post("/kiosk/finish", data={"csrf_token": form_of(kiosk, "/kiosk/me/alerts", "/kiosk/me/wechat")["csrf_token"]})
    assert ended.status_code == 303
    left = _scan(world, third)  # a QR code left on the screen (or photographed) after 结束 binds nobody
    assert left.status_code == 422 and "过期" in plain(left.text)
    unknown = TestClient(world.harness.app).get("/m/wechat/bind?code=made-up")
    assert unknown.status_code == 422 and "无效" in plain(unknown.text)
    no_code = TestClient(world.harness.app).get("/m/wechat/bound?state=made-up")
    assert no_code.status_code == 422 and "没有确认您的身份" in plain(no_code.text)


def test_two_scans_of_one_code_at_once_bind_one_address(world) -> None:
    """Two phones scan the same QR at the same moment: one binds, the other is told it is used."""
    with world.harness.db() as s:
        code = binding.start(s, resident_id=world.pin_resident_id)
        s.commit()
    gate, outcome = threading.Barrier(2), {}

    def scan(openid: str) -> None:
        with world.harness.db() as s:
            gate.wait()
            try:
                binding.finish(s, code, openid=openid)
                s.commit()
                outcome[openid] = "bound"
            except InvalidInput as exc:
                s.rollback()
                outcome[openid] = exc.message

    threads = [threading.Thread(target=scan, args=(f"o{n}" * 4,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcome.values()) == sorted(["bound", binding.USED]), outcome
    with world.harness.db() as s:
        assert binding.bound_openid(s, world.pin_resident_id) == next(o for o, v in outcome.items() if v == "bound")


def test_without_an_official_account_nobody_is_sent_to_bind(tmp_path_factory) -> None:
    plain_world = make_world(tmp_path_factory)  # ESTATION_EXTERNAL_NOTIFICATIONS off: no account
    kiosk = _kiosk(plain_world)
    page = kiosk.get("/kiosk/me/alerts").text
    assert "本站还没有接入微信公众号" in plain(page) and 'action="/kiosk/me/wechat"' not in page
    refused = kiosk.post("/kiosk/me/wechat", data=form_of(kiosk, "/kiosk/me/alerts", "/kiosk/me/alerts"))
    assert refused.status_code == 409 and "还没有接入微信公众号" in plain(refused.text)
    with plain_world.harness.db() as s:
        code = binding.start(s, resident_id=plain_world.pin_resident_id)
        s.commit()
    phone = TestClient(plain_world.harness.app).get(f"/m/wechat/bind?code={code}", follow_redirects=False)
    assert phone.status_code == 409 and "还没有接入微信公众号" in plain(phone.text)


@pytest.mark.browser
def test_the_old_resident_binds_in_chromium(world, live_kiosk, browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with world.harness.db() as s:  # not bound, whatever the tests before did
        opt_out(s, resident_id=world.pin_resident_id)
        s.commit()
    kiosk_context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["portrait"])
    phone_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = kiosk_context.new_page()
        base = live_kiosk.url
        pin_sign_in(page, base, world.pin_id_number)
        page.goto(f"{base}/kiosk/me/alerts")
        page.get_by_role("button", name="绑定微信").click()
        assert "扫一扫" in page.locator("#wechat-steps").inner_text()
        assert page.locator("#wechat-qr svg").is_visible()
        assert not elder_problems(page, "wechat qr")
        page.screenshot(path=str(SHOTS / "kiosk-wechat-qr.png"), full_page=True)
        screenshot(page, "kiosk-wechat-qr.png")
        qr = page.locator("#wechat-qr").get_attribute("data-url")

        phone = phone_context.new_page()
        phone.goto(qr)  # WeChat's sign-in (the fake) sends it straight back
        assert "绑定好了" in phone.locator("#bound").inner_text()
        phone.screenshot(path=str(SHOTS / "phone-wechat-bound.png"), full_page=True)

        page.get_by_role("link", name="我已扫码").click()
        assert "微信绑定好了" in page.locator("#wechat-bound").inner_text()
        page.get_by_role("radio", name="微信").check()
        page.get_by_role("checkbox", name="通知公告").check()
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"{base}/kiosk/me/alerts?saved=on")
        assert "现在：用微信服务通知接收" in page.locator("#alerts-state").inner_text()
        assert not elder_problems(page, "alerts after binding")
        page.screenshot(path=str(SHOTS / "kiosk-alerts-wechat.png"), full_page=True)
    finally:
        kiosk_context.close()
        phone_context.close()

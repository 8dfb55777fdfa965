"""Issue 19 point 6: the WeChat way in. The official account's menu opens the phone pages; template messages
carry notices and alerts (log mode: logged with the address masked, kept as the recording fake; off: nothing);
the QR codes printed on slips decode (zxing, independently of the library that drew them) to the phone page
of notices, with nothing personal in the address."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import zxingcpp
from sqlalchemy import select

from estation.accounts.models import Role
from estation.cases.models import Case
from estation.config import Settings
from estation.notifications.models import Audience, Channel
from estation.notifications.notifier import (
    ByChannel, DisabledNotifier, OutgoingMessage, WeChatNotifier, build_notifier,
)
from estation.notifications.wechat import (
    MENU, DisabledWeChat, LoggingWeChat, WeChatApi, WeChatRefused, build_wechat, menu,
)
from tests.factories import create_user
from tests.kiosk.conftest import KioskWorld, build_world, csrf_of
from tests.notices.conftest import PUBLIC, SETTINGS, notices_harness
from tests.server import ROOT

SETTINGS_LOG = Settings(environment="test", **SETTINGS)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> KioskWorld:
    return build_world(notices_harness(tmp_path_factory.mktemp("wechat")))


def test_the_menu_opens_public_phone_pages(world: KioskWorld) -> None:
    buttons = menu(SETTINGS_LOG)["button"]
    assert [(b["type"], b["name"]) for b in buttons] == [("view", name) for name, _ in MENU]
    assert len(buttons) <= 3
    anonymous = world.client()
    for button in buttons:
        assert button["url"].startswith(PUBLIC + "/m/")
        assert len(button["name"].encode()) <= 16  # the official account's limit for a first-level button
        page = anonymous.get(button["url"].removeprefix(PUBLIC))
        assert page.status_code == 200 and '<body class="phone">' in page.text


def _message(kind: str, link: str | None, to: str | None = "oWx-abcdefgh-12") -> OutgoingMessage:
    return OutgoingMessage(notification_id=1, audience=Audience.resident, channel=Channel.wechat, to=to,
                           title="标题", body="正文", kind=kind, link=link)


def test_a_template_message_per_kind_and_the_log_masks_the_address(caplog) -> None:
    account = LoggingWeChat()
    wechat = WeChatNotifier(account, SETTINGS_LOG)
    with caplog.at_level(logging.INFO, logger="estation.notifications"):
        assert wechat.send(_message("notice", "/m/notices/7"))
        assert wechat.send(_message("jobs.digest", "/kiosk/recommend"))  # a kiosk page: no link leaves
        assert not wechat.send(_message("notice", "/m/notices/7", to=None))  # nowhere to send it
    assert [(m.template_id, m.url, m.keyword1) for m in account.sent] == [
        ("TPL-NOTICE", f"{PUBLIC}/m/notices/7", "通知公告"), ("TPL-ALERT", None, "就业e站消息")]
    assert "oWx-****12" in caplog.text and "oWx-abcdefgh-12" not in caplog.text
    assert "url" not in account.sent[1].payload()


def test_the_adapter_is_off_unless_log_mode_is_chosen() -> None:
    assert isinstance(build_notifier(Settings(environment="test")), DisabledNotifier)
    chosen = build_notifier(SETTINGS_LOG)
    assert isinstance(chosen, ByChannel) and isinstance(chosen.wechat.account, LoggingWeChat)


def _decoded(html: str) -> list[str]:
    """The text of each QR code drawn as segno's inline SVG in ``html``: its path's dark runs rasterised, then
    read by zxing."""
    found = []
    for size, path in re.findall(r'<svg width="(\d+)"[^>]*class="segno">.*?<path class="qrline"[^>]* d="([^"]+)"', html):
        modules = int(size) // 5  # drawn at scale 5
        grid = np.full((modules, modules), 255, dtype=np.uint8)
        x = y = 0.0
        for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
            if op == "M":
                x, y = float(a), float(b)
            elif op == "m":
                x, y = x + float(a), y + float(b)
            else:
                grid[int(y), int(x):int(x + float(a))] = 0
                x += float(a)
        image = np.pad(grid, 4, constant_values=255).repeat(6, 0).repeat(6, 1)
        found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


def test_the_qr_codes_on_slips_decode_to_the_phone_page(world: KioskWorld) -> None:
    phone_page = f"{PUBLIC}/m/notices"
    kiosk = world.client()
    guide = kiosk.get("/kiosk/guide/pension_transfer")
    printed = kiosk.post("/kiosk/guide/pension_transfer/print", data={"csrf_token": csrf_of(guide.text)})
    assert printed.status_code == 303, printed.text
    assert _decoded(kiosk.get(printed.headers["location"]).text) == [phone_page]

    with world.harness.db() as s:
        clerk = create_user(s, role=Role.counter_staff, window=1)
        case = s.scalar(select(Case).where(Case.reference == world.case_reference))
        s.commit()
    counter = world.harness.client_for(clerk)
    for page in ("slip", "receipt"):
        html = counter.get(f"/counter/cases/{case.id}/{page}").text
        assert world.case_code in html  # the slip is the applicant's: it carries their query code, the QR code not
        assert _decoded(html) == [phone_page], page


def test_the_command_prints_the_menu_for_the_public_address() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")} | {"ESTATION_ENVIRONMENT": "test"}
    command = [sys.executable, "-m", "estation", "wechat", "menu"]
    printed = subprocess.run(command, env=env | {"ESTATION_PUBLIC_URL": PUBLIC}, capture_output=True, text=True,
                             check=True, cwd=ROOT)
    assert json.loads(printed.stdout) == menu(SETTINGS_LOG)
    refused = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 2 and "ESTATION_PUBLIC_URL" in refused.stderr


class FakeWeChatServer:
    """The WeChat API's calls (token, template message, the web sign-in's code), on a loopback port (an outside service's fake): it hands out tokens, records
    each template message, and answers each send with the next error code queued (0 once the queue is empty)."""

    def __init__(self) -> None:
        self.tokens: list[dict[str, list[str]]] = []
        self.sent: list[tuple[str, dict]] = []
        self.codes: list[int] = []
        self.signins: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == "/sns/oauth2/access_token":  # the web sign-in's code for the user's openid
                    fake.signins.append(query)
                    code = query["code"][0]
                    self._answer({"openid": f"oWx-{code}", "access_token": "WEB", "scope": "snsapi_base"}
                                 if code.startswith("good") else {"errcode": 40029, "errmsg": "invalid code"})
                    return
                fake.tokens.append(query)
                self._answer({"access_token": f"TOKEN-{len(fake.tokens)}", "expires_in": 7200})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.sent.append((parse_qs(urlsplit(self.path).query)["access_token"][0], body))
                code = fake.codes.pop(0) if fake.codes else 0
                self._answer({"errcode": code, "errmsg": "ok" if code == 0 else "refused"})

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_live_account_keeps_its_token_and_says_what_went_wrong() -> None:
    fake = FakeWeChatServer()
    try:
        settings = Settings(environment="test", wechat_app_id="wx-app", wechat_app_secret="s3cret",
                            wechat_api_url=fake.url, public_url=PUBLIC, wechat_notice_template="TPL-NOTICE")
        account = build_wechat(settings)
        assert isinstance(account, WeChatApi)
        wechat = WeChatNotifier(account, settings)
        assert wechat.send(_message("notice", "/m/notices/7"))
        assert wechat.send(_message("notice", "/m/notices/8"))
        assert [t["appid"] + t["secret"] + t["grant_type"] for t in fake.tokens] == [["wx-app", "s3cret", "client_credential"]]
        assert [(token, body["touser"], body["url"]) for token, body in fake.sent] == [
            ("TOKEN-1", "oWx-abcdefgh-12", f"{PUBLIC}/m/notices/7"), ("TOKEN-1", "oWx-abcdefgh-12", f"{PUBLIC}/m/notices/8")]
        assert fake.sent[0][1]["data"]["first"] == {"value": "标题"} and fake.sent[0][1]["template_id"] == "TPL-NOTICE"
        fake.codes = [40001]  # the token was taken back: refused now, a new token at the next try
        with pytest.raises(WeChatRefused, match="40001"):
            wechat.send(_message("notice", "/m/notices/9"))
        assert wechat.send(_message("notice", "/m/notices/9"))
        assert len(fake.tokens) == 2 and fake.sent[-1][0] == "TOKEN-2"
        fake.codes = [43004]  # the resident no longer follows the account: not sent, nothing to retry
        assert wechat.send(_message("notice", "/m/notices/10")) is False
    finally:
        fake.stop()
    with pytest.raises(WeChatRefused, match="微信接口不可用"):  # nobody answers: the notifier tries again later
        wechat.send(_message("notice", "/m/notices/11"))
    assert isinstance(build_wechat(Settings(environment="test", wechat_app_id="wx-app")), DisabledWeChat)


def test_the_live_account_tells_who_signed_in_for_binding() -> None:
    """绑定微信 through the live account: the phone is sent to WeChat's sign-in page (snsapi_base, the
    state carried), and the code it comes back with is exchanged for the user's openid."""
    fake = FakeWeChatServer()
    try:
        account = build_wechat(Settings(environment="test", wechat_app_id="wx-app", wechat_app_secret="s3cret",
                                        wechat_api_url=fake.url))
        assert isinstance(account, WeChatApi) and account.binds
        target = urlsplit(account.authorize_url(f"{PUBLIC}/m/wechat/bound", "CODE-1"))
        assert (target.netloc, target.path, target.fragment) == ("open.weixin.qq.com", "/connect/oauth2/authorize",
                                                                 "wechat_redirect")
        assert {k: v[0] for k, v in parse_qs(target.query).items()} == {
            "appid": "wx-app", "redirect_uri": f"{PUBLIC}/m/wechat/bound", "response_type": "code",
            "scope": "snsapi_base", "state": "CODE-1"}
        assert account.openid_for("good-7") == "oWx-good-7"
        assert fake.signins[0]["grant_type"] == ["authorization_code"] and fake.signins[0]["secret"] == ["s3cret"]
        with pytest.raises(WeChatRefused, match="40029"):
            account.openid_for("stale")
    finally:
        fake.stop()
    assert not build_wechat(Settings(environment="test")).binds

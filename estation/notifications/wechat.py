"""The adapter for the street's WeChat official account (甸柳街道微信公众平台), beside the SMS one.

Residents who chose WeChat for their alerts get them as template messages (模板消息): a notice
(通知公告) with its own template and a link to its phone page, any other alert with the alert template.
The account's menu links to the phone pages (:data:`MENU`); the QR codes printed on slips point there
too (estation.web.qr). Every address under ``ESTATION_PUBLIC_URL`` is a public page: no personal data
ever goes into one.

Like the SMS side (estation.notifications.notifier), the account is off by default; ``log`` mode
(``ESTATION_EXTERNAL_NOTIFICATIONS=log``) writes each template message to the log with the WeChat
address masked and keeps it in memory, which is also the recording fake the tests read. With the
account's AppID and AppSecret set, :class:`WeChatApi` sends them through the WeChat API.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from estation import clock
from estation.config import Settings

log = logging.getLogger("estation.notifications")

NOTICE_KIND = "notice"
"""The kind of a resident's notification that carries a notice (estation.notices.service.push)."""

PHONE_NOTICES = "/m/notices"

MENU: tuple[tuple[str, str], ...] = (
    ("通知公告", PHONE_NOTICES),
    ("社区通知", PHONE_NOTICES + "#communities"),
    ("留言答复", "/m/answers"),
)
"""The official account's menu (at most three buttons): each one's name and the phone page it opens (under
the public URL)."""


@dataclass(frozen=True)
class TemplateMessage:
    """One template message as the official account's API takes it (POST /cgi-bin/message/template/send)."""

    touser: str
    """The resident's openid for this official account."""
    template_id: str
    url: str | None
    first: str
    keyword1: str
    keyword2: str
    remark: str

    def payload(self) -> dict:
        fields = {"first": self.first, "keyword1": self.keyword1, "keyword2": self.keyword2, "remark": self.remark}
        data = {name: {"value": value} for name, value in fields.items()}
        body: dict = {"touser": self.touser, "template_id": self.template_id, "data": data}
        if self.url:
            body["url"] = self.url
        return body


class WeChatAccount(Protocol):
    name: str
    binds: bool
    """Whether residents can bind their WeChat here (there is an account, live or the logging fake)."""

    def send_template(self, message: TemplateMessage) -> bool:
        """True when the message left the platform; False when it was (deliberately) not sent."""
        ...

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Where a phone goes to have WeChat say who its user is (the official account's web sign-in,
        ``snsapi_base``: no prompt), coming back to ``redirect_uri`` with ``code`` and ``state``."""
        ...

    def openid_for(self, code: str) -> str:
        """The user's address for the official account, from the ``code`` the sign-in came back with."""
        ...


class DisabledWeChat:
    name = "off"
    binds = False

    def send_template(self, message: TemplateMessage) -> bool:
        return False

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        raise WeChatRefused("没有接入微信公众号")

    def openid_for(self, code: str) -> str:
        raise WeChatRefused("没有接入微信公众号")


def mask_openid(openid: str) -> str:
    return openid[:4] + "****" + openid[-2:] if len(openid) > 8 else "****"


@dataclass
class LoggingWeChat:
    """Writes each template message to the log (the WeChat address masked) and keeps it in ``sent``."""

    name = "log"
    binds = True
    sent: list[TemplateMessage] = field(default_factory=list)

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Straight back, as WeChat would after its sign-in, with a made-up code."""
        code = "log-" + hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]
        return f"{redirect_uri}?{urllib.parse.urlencode({'code': code, 'state': state})}"

    def openid_for(self, code: str) -> str:
        """A made-up address of 28 characters, as WeChat's, the same for the same code."""
        if not code.startswith("log-"):
            raise WeChatRefused("微信接口拒绝登录：40029 invalid code")
        return "o" + hashlib.sha256(code.encode("utf-8")).hexdigest()[:27]

    def send_template(self, message: TemplateMessage) -> bool:
        self.sent.append(message)
        log.info("wechat template %s to %s: %s | %s | %s | %s %s", message.template_id or "-", mask_openid(message.touser),
                 message.first, message.keyword1, message.keyword2, message.remark, message.url or "")
        return True


def public_link(settings: Settings, path: str | None) -> str | None:
    """The public address of a phone page (``/m/...``); None for anything else or without a public URL:
    a template message never points into a signed-in surface."""
    if not path or not path.startswith("/m/") or not settings.public_url:
        return None
    return settings.public_url.rstrip("/") + path


def menu(settings: Settings) -> dict:
    """The menu definition for the official account (POST /cgi-bin/menu/create, or pasted in its console)."""
    base = settings.public_url.rstrip("/")
    return {"button": [{"type": "view", "name": name, "url": base + path} for name, path in MENU]}


def template_message(settings: Settings, *, to: str, kind: str, title: str, body: str,
                     link: str | None) -> TemplateMessage:
    """The template message for one alert: a notice on the notice template, anything else on the alert one."""
    notice, today = kind == NOTICE_KIND, clock.today()
    return TemplateMessage(
        touser=to,
        template_id=settings.wechat_notice_template if notice else settings.wechat_alert_template,
        url=public_link(settings, link), first=title, keyword1="通知公告" if notice else "就业e站消息",
        keyword2=f"{today.year}年{today.month}月{today.day}日", remark=body,
    )


class WeChatRefused(Exception):
    """The WeChat API answered with an error (or not at all): the message is tried again later."""


AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
"""The official account's web sign-in (a page on WeChat's own site, not the API's)."""
GONE = frozenset({43004, 43101})
"""The resident no longer follows the account, or refused this template: nothing to send, nothing to retry."""
EXPIRED_TOKEN = frozenset({40001, 40014, 42001})


class WeChatApi:
    """The live official account: an access token (client_credential) kept until five minutes before it
    expires, then POST /cgi-bin/message/template/send. Used by one notifier worker at a time; the lock keeps
    two threads from fetching two tokens (each fetch invalidates the one before)."""

    name = "live"
    binds = True

    def __init__(self, *, app_id: str, app_secret: str, base_url: str, timeout: float = 10.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.app_id, self._secret, self.base_url, self.timeout, self._now = app_id, app_secret, base_url.rstrip("/"), timeout, now
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _call(self, request: urllib.request.Request) -> dict:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return json.loads(answer.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise WeChatRefused(f"微信接口不可用：{type(exc).__name__}") from exc

    def _access_token(self) -> str:
        with self._lock:
            if self._token is None or self._token[1] <= self._now():
                query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": self.app_id,
                                                "secret": self._secret})
                got = self._call(urllib.request.Request(f"{self.base_url}/cgi-bin/token?{query}"))
                if "access_token" not in got:
                    raise WeChatRefused(f"微信接口拒绝取令牌：{got.get('errcode')} {got.get('errmsg', '')}")
                self._token = (got["access_token"], self._now() + int(got.get("expires_in", 7200)) - 300)
            return self._token[0]

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = urllib.parse.urlencode({"appid": self.app_id, "redirect_uri": redirect_uri, "response_type": "code",
                                        "scope": "snsapi_base", "state": state})
        return f"{AUTHORIZE_URL}?{query}#wechat_redirect"

    def openid_for(self, code: str) -> str:
        query = urllib.parse.urlencode({"appid": self.app_id, "secret": self._secret, "code": code,
                                        "grant_type": "authorization_code"})
        got = self._call(urllib.request.Request(f"{self.base_url}/sns/oauth2/access_token?{query}"))
        if not got.get("openid"):
            raise WeChatRefused(f"微信接口拒绝登录：{got.get('errcode')} {got.get('errmsg', '')}")
        return str(got["openid"])

    def send_template(self, message: TemplateMessage) -> bool:
        token = urllib.parse.quote(self._access_token())
        body = json.dumps(message.payload(), ensure_ascii=False).encode("utf-8")
        got = self._call(urllib.request.Request(f"{self.base_url}/cgi-bin/message/template/send?access_token={token}",
                                                data=body, headers={"Content-Type": "application/json"}))
        code = int(got.get("errcode", 0))
        if code == 0:
            return True
        if code in GONE:
            return False
        if code in EXPIRED_TOKEN:
            with self._lock:
                self._token = None
        raise WeChatRefused(f"微信接口拒绝发送：{code} {got.get('errmsg', '')}")


def build_wechat(settings: Settings) -> WeChatAccount:
    if settings.external_notifications == "log":
        return LoggingWeChat()
    if settings.wechat_app_id and settings.wechat_app_secret.get_secret_value():
        return WeChatApi(app_id=settings.wechat_app_id, app_secret=settings.wechat_app_secret.get_secret_value(),
                         base_url=settings.wechat_api_url)
    return DisabledWeChat()

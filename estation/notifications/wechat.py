"""The adapter for the street's WeChat official account (甸柳街道微信公众平台), beside the SMS one.

Residents who chose WeChat for their alerts get them as template messages (模板消息): a notice
(通知公告) with its own template and a link to its phone page, any other alert with the alert template.
The account's menu links to the phone pages (:data:`MENU`); the QR codes printed on slips point there
too (estation.web.qr). Every address under ``ESTATION_PUBLIC_URL`` is a public page: no personal data
ever goes into one.

Like the SMS side (estation.notifications.notifier), the account is off by default; ``log`` mode
(``ESTATION_EXTERNAL_NOTIFICATIONS=log``) writes each template message to the log with the WeChat
address masked and keeps it in memory, which is also the recording fake the tests read. A live client of
the WeChat API implements :class:`WeChatAccount`.
"""

from __future__ import annotations

import logging
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
        data = {name: {"value": getattr(self, name)} for name in ("first", "keyword1", "keyword2", "remark")}
        body: dict = {"touser": self.touser, "template_id": self.template_id, "data": data}
        if self.url:
            body["url"] = self.url
        return body


class WeChatAccount(Protocol):
    name: str

    def send_template(self, message: TemplateMessage) -> bool:
        """True when the message left the platform; False when it was (deliberately) not sent."""
        ...


class DisabledWeChat:
    name = "off"

    def send_template(self, message: TemplateMessage) -> bool:
        return False


def mask_openid(openid: str) -> str:
    return openid[:4] + "****" + openid[-2:] if len(openid) > 8 else "****"


@dataclass
class LoggingWeChat:
    """Writes each template message to the log (the WeChat address masked) and keeps it in ``sent``."""

    name = "log"
    sent: list[TemplateMessage] = field(default_factory=list)

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


def build_wechat(settings: Settings) -> WeChatAccount:
    return LoggingWeChat() if settings.external_notifications == "log" else DisabledWeChat()

"""短信和微信提醒 (/kiosk/me/alerts): the resident chooses SMS or WeChat and the topics, sees what will and will
not be sent, and withdraws at once. Changes go through estation.notifications.alerts (logged like every
change to their profile); a refused choice comes back on the same page with what was ticked still there."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from estation.deps import DB, OptionalPrincipal, Principal, parts
from estation.errors import EstationError, InvalidInput
from estation.kiosk.profile import OWN_CHANGE
from estation.kiosk.service import OWN_RECORD
from estation.notifications import alerts, binding
from estation.notifications.models import Channel
from estation.web.kiosk.common import KioskRoute, kiosk_resident, page, signin_redirect
from estation.web.once import SubmittedOnce
from estation.web.phone.wechat import NO_ACCOUNT
from estation.web.qr import public_url, qr_svg
from estation.web.security import CsrfChecked

router = APIRouter(prefix="/kiosk/me", include_in_schema=False, route_class=KioskRoute)

Tick = Annotated[str, Form(max_length=8)]
TOPICS = (("application_steps", "求职进展", "用人单位邀请您、您的申请有了新进展（约面试、录用等）时，发一条。"),
          ("job_digest", "每日新岗位", "每天上午一条：新发布的、适合您的岗位，最多5个，只写岗位名称、单位和离家远近。没有新岗位就不发。"),
          ("notices", "通知公告", "街道发给您的通知。"))
SAVED = {"on": "已经保存好了。", "off": "已经不再发了：从现在起，不会再给您发短信或微信，正在等待发送的也不发了。",
         "same": "您没有改动，和原来一样。"}


def _alerts_page(request: Request, db: DB, principal: Principal, *, form: dict[str, str] | None = None,
                 status_code: int = 200, **extra: object) -> Response:
    mine = alerts.my_alerts(db, user=principal.user, reason=OWN_RECORD)
    c = mine.consent
    quiet = parts(request).settings.alert_quiet_hours
    ctx = {
        "mine": mine, "topics": TOPICS, "quiet": quiet.split("-") if quiet else None,
        "form": form or {
            "channel": c.channel.value if c else ("sms" if mine.phone else ""),
            **{key: "1" if (c and getattr(c, key)) or (c is None and key == "application_steps") else ""
               for key, _, _ in TOPICS},
        },
        "wechat_available": parts(request).wechat.binds,
    } | extra
    return page(request, "kiosk/alerts.html", ctx, principal=principal, status_code=status_code)


@router.get("/alerts")
def my_alerts(request: Request, db: DB, principal: OptionalPrincipal, saved: str = "", scanned: str = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    return _alerts_page(request, db, resident, saved=SAVED.get(saved, ""), scanned=scanned == "1")


@router.post("/wechat", dependencies=[CsrfChecked])
def bind_wechat(request: Request, db: DB, principal: OptionalPrincipal):
    """A new one-time code as a QR code of the phone page; nothing is saved until WeChat answers for it."""
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    if resident.user.resident_id is None:
        return signin_redirect(request)
    if not parts(request).wechat.binds:
        return _alerts_page(request, db, resident, status_code=409, error=NO_ACCOUNT, error_field="channel")
    code = binding.start(db, resident_id=resident.user.resident_id)
    url = public_url(request, "/m/wechat/bind?" + urlencode({"code": code}))
    return page(request, "kiosk/wechat.html", {"qr": qr_svg(url), "url": url, "minutes": binding.BINDING_MINUTES},
                principal=resident)


@router.post("/alerts", dependencies=[CsrfChecked, SubmittedOnce])
def save_alerts(request: Request, db: DB, principal: OptionalPrincipal, channel: Tick = "",
                application_steps: Tick = "", job_digest: Tick = "", notices: Tick = ""):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    sent = {"channel": channel, "application_steps": application_steps, "job_digest": job_digest, "notices": notices}
    try:
        if channel not in {c.value for c in Channel}:
            raise InvalidInput("请先选择：用短信还是微信接收", field="channel")
        with db.begin_nested():
            changed = alerts.choose(db, user=resident.user, channel=Channel(channel),
                                    application_steps=application_steps == "1", job_digest=job_digest == "1",
                                    notices=notices == "1", reason=OWN_CHANGE).changed
    except EstationError as exc:
        db.expire_all()
        return _alerts_page(request, db, resident, form=sent, status_code=exc.status_code, error=exc.message,
                            error_field=exc.field)
    return RedirectResponse(f"/kiosk/me/alerts?saved={'on' if changed else 'same'}", status_code=303)


@router.post("/alerts/withdraw", dependencies=[CsrfChecked, SubmittedOnce])
def withdraw_alerts(request: Request, db: DB, principal: OptionalPrincipal):
    if (resident := kiosk_resident(principal)) is None:
        return signin_redirect(request)
    alerts.withdraw(db, user=resident.user, reason=OWN_CHANGE)
    return RedirectResponse("/kiosk/me/alerts?saved=off", status_code=303)

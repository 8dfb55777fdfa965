"""绑定微信 on the phone: the QR code the kiosk shows opens /m/wechat/bind, which sends the phone through the
official account's sign-in (WeChat says who the user is, without a prompt) and back to /m/wechat/bound,
where the resident's WeChat address is kept for their alerts (estation.notifications.binding). The pages
carry nothing personal: the code in the address is random, good for ten minutes and once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from estation.deps import DB, parts
from estation.errors import InvalidInput
from estation.notifications import binding
from estation.notifications.wechat import WeChatRefused
from estation.web.pages import render
from estation.web.qr import public_url

router = APIRouter(prefix="/m/wechat", include_in_schema=False)

Code = Annotated[str, Query(max_length=64)]
NO_ACCOUNT = "本站还没有接入微信公众号，暂时不能绑定微信。请在自助终端选择用短信接收。"
REFUSED = "微信没有确认您的身份（可能是网络不好）。请在自助终端重新点“绑定微信”，再扫一次。"


def _answer(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    return render(request, "phone/wechat.html", {"error": error}, status_code=status_code, personal=False)


@router.get("/bind")
def bind(request: Request, db: DB, code: Code = "") -> Response:
    try:
        binding.check(db, code)
    except InvalidInput as exc:
        return _answer(request, error=exc.message, status_code=exc.status_code)
    account = parts(request).wechat
    if not account.binds:
        return _answer(request, error=NO_ACCOUNT, status_code=409)
    return RedirectResponse(account.authorize_url(public_url(request, "/m/wechat/bound"), code), status_code=303)


@router.get("/bound")
def bound(request: Request, db: DB, code: Code = "", state: Code = "") -> Response:
    if not code:  # WeChat came back without saying who it was
        return _answer(request, error=REFUSED, status_code=422)
    try:
        openid = parts(request).wechat.openid_for(code)
        binding.finish(db, state, openid=openid)
    except InvalidInput as exc:
        return _answer(request, error=exc.message, status_code=exc.status_code)
    except WeChatRefused:
        return _answer(request, error=REFUSED, status_code=502)
    return _answer(request)

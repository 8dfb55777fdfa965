"""QR codes printed on slips, as inline SVG (segno, pure Python): printed with the page, nothing fetched.

Each one points to a public page for phones; the address carries no personal data (no name, id number,
case or query code), so a slip left behind tells nobody anything about whom it was printed for.
"""

from __future__ import annotations

import segno
from fastapi import Request
from jinja2 import pass_context
from markupsafe import Markup

from estation.deps import parts
from estation.notifications.wechat import PHONE_NOTICES


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=5, border=2, title="用手机扫码查看", dark="#000", light="#fff"))


def public_url(request: Request, path: str) -> str:
    """``path`` under the address phones reach the site at (ESTATION_PUBLIC_URL), else the one asked on."""
    base = parts(request).settings.public_url or str(request.base_url)
    return base.rstrip("/") + path


@pass_context
def notices_qr(context) -> Markup:
    """The QR code of the phone page of notices (通知公告), with its caption, for the foot of a slip."""
    url = public_url(context["request"], PHONE_NOTICES)
    return Markup('<div class="slip-qr notices-qr" data-url="{}">{}<p>微信或手机扫码，查看街道通知公告</p></div>').format(
        url, qr_svg(url))

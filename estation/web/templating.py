"""One Jinja2 environment for every UI, with the helpers templates share."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from estation import physical, submissions
from estation.clock import BEIJING
from estation.deps import parts, request_scope
from estation.geo import distance_words
from estation.notifications import service as notifications
from estation.privacy import mask_id_number, mask_name, mask_phone
from estation.web.qr import notices_qr

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.auto_reload = False  # the templates change only with a release (a restart): no stat() of each file per page


@lru_cache(maxsize=256)
def _fingerprint(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """A content-versioned URL, so static files can be cached for a year and still change."""
    return f"/static/{path}?v={_fingerprint(path)}"


def beijing_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are UTC; people in Jinan read Beijing time."""
    return "" if value is None else value.astimezone(BEIJING).strftime(fmt)


def yuan(value: float | int | None) -> str:
    return "" if value is None else f"{value:,.0f}元"


@pass_context
def form_fields(context) -> Markup:
    """The hidden fields of every POST form: the browser's CSRF token and a fresh one-time submission
    token, so a form sent twice is done once (estation.web.once)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">'
                  '<input type="hidden" name="submission_token" value="{}">').format(context["csrf_token"],
                                                                                    submissions.new_token())


@pass_context
def inbox_unread(context) -> int:
    """The signed-in staff member's unread messages, for the count beside 我的消息 in the ledger's menu
    (read in a session of its own: the page's unit of work stays the page's)."""
    request = context["request"]
    principal = request_scope(request).principal
    if principal is None:
        return 0
    with parts(request).session_factory() as session:
        return notifications.unread_count(session, user=principal.user)


@lru_cache(maxsize=512)
def icon(name: str, cls: str = "icon") -> Markup:
    """One of the kiosk's icons (the sprite in kiosk/_icons.html). A function kept per (name, class), not a
    template macro: a results page draws about seventy, and a macro call costs several times as much."""
    return Markup(f'<svg class="{escape(cls)}" aria-hidden="true" focusable="false"><use href="#i-{escape(name)}"/></svg>')


templates.env.globals.update(static_url=static_url, physical=physical, form_fields=form_fields, notices_qr=notices_qr,
                             inbox_unread=inbox_unread, icon=icon)
templates.env.filters.update(beijing_time=beijing_time, mask_id=mask_id_number, mask_phone=mask_phone,
                             mask_name=mask_name, yuan=yuan, distance=distance_words)

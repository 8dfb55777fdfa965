"""Binding a resident's WeChat to their alerts, at the kiosk, in one scan.

The kiosk asks for a one-time code (:func:`start`) and shows it as a QR code of the phone page
``/m/wechat/bind``; the resident scans it with WeChat, the official account's sign-in
(estation.notifications.wechat) says who they are, and :func:`finish` keeps their address. The code is
random, good for BINDING_MINUTES and once: a slip photographed later binds nobody. Only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from estation.db import utcnow
from estation.errors import InvalidInput
from estation.notifications.models import WeChatBinding

BINDING_MINUTES = 10
UNKNOWN = "这个二维码无效。请在自助终端重新点“绑定微信”。"
EXPIRED = "这个二维码已经过期（10分钟内有效）。请在自助终端重新点“绑定微信”。"
USED = "这个二维码已经用过了。请在自助终端重新点“绑定微信”。"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def start(session: Session, *, resident_id: int, now: datetime | None = None) -> str:
    """A new one-time code for the resident; any code of theirs not yet scanned stops working."""
    now = now or utcnow()
    expire_pending(session, resident_id=resident_id, now=now)
    code = secrets.token_urlsafe(18)
    session.add(WeChatBinding(resident_id=resident_id, code_hash=_hash(code), created_at=now,
                              expires_at=now + timedelta(minutes=BINDING_MINUTES)))
    session.flush()
    return code


def expire_pending(session: Session, *, resident_id: int, now: datetime | None = None) -> None:
    """Codes of the resident's not yet scanned stop working (a new one is shown, or they end their session
    at the kiosk: a photo of the screen binds nobody afterwards)."""
    now = now or utcnow()
    session.execute(update(WeChatBinding).where(WeChatBinding.resident_id == resident_id,
                                                WeChatBinding.bound_at.is_(None), WeChatBinding.expires_at > now)
                    .values(expires_at=now))


def check(session: Session, code: str, *, now: datetime | None = None) -> WeChatBinding:
    """The binding of a code that can still be scanned; else InvalidInput saying what to do."""
    return _usable(_row(session, code), now=now)


def finish(session: Session, code: str, *, openid: str, now: datetime | None = None) -> WeChatBinding:
    """Keep the WeChat address ``openid`` for the resident whose code this is. The same scan arriving
    twice (a double tap, a reload) binds once and answers the same."""
    row = _row(session, code)
    if row is not None and row.bound_at is not None and row.openid == openid:
        return row
    row = _usable(row, now=now)
    # Only a code not yet bound is bound: of two scans at once, one binds and the other is told it is used.
    done = session.execute(update(WeChatBinding).where(WeChatBinding.id == row.id, WeChatBinding.bound_at.is_(None))
                           .values(openid=openid, bound_at=now or utcnow()).execution_options(synchronize_session=False))
    session.refresh(row)
    if done.rowcount != 1 and row.openid != openid:  # type: ignore[attr-defined]
        raise InvalidInput(USED, field="state")
    return row


def _row(session: Session, code: str) -> WeChatBinding | None:
    return session.scalar(select(WeChatBinding).where(WeChatBinding.code_hash == _hash(code or "")))


def _usable(row: WeChatBinding | None, *, now: datetime | None) -> WeChatBinding:
    if row is None:
        raise InvalidInput(UNKNOWN, field="state")
    if row.bound_at is not None:
        raise InvalidInput(USED, field="state")
    if row.expires_at <= (now or utcnow()):
        raise InvalidInput(EXPIRED, field="state")
    return row


def bound_openid(session: Session, resident_id: int) -> str | None:
    """The resident's WeChat address: that of their latest bound code (None when never, or withdrawn)."""
    row = session.scalar(select(WeChatBinding).where(WeChatBinding.resident_id == resident_id,
                                                     WeChatBinding.bound_at.is_not(None))
                         .order_by(WeChatBinding.bound_at.desc(), WeChatBinding.id.desc()).limit(1))
    return row.openid if row is not None else None


def forget(session: Session, resident_id: int) -> None:
    """Withdrawn from alerts: no WeChat address of theirs is kept."""
    session.execute(update(WeChatBinding).where(WeChatBinding.resident_id == resident_id)
                    .values(openid=None))

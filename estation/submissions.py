"""One-time submission tokens: a form sent twice (a double click, a resend) makes one record.

Every form carries a fresh random token. The request claims it first thing in its unit of work, by an
insert that skips a token already present. The claimed row stays locked until that transaction ends (a
row lock on PostgreSQL, the write lock on SQLite), so a second copy of the form sent at the same moment
waits for the first and then finds its token used. The token is kept with the page the first submission
led to, so the second is shown that page; a submission that was refused gives its token back.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from estation.db import Base, UTCDateTime, insert_or_merge, utcnow

KEPT_FOR = timedelta(days=2)
"""Long enough for any resend of a page; older tokens are deleted as new ones are claimed."""
TOKEN_LENGTH = 64


class FormSubmission(Base):
    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    result_url: Mapped[str | None] = mapped_column(String(500))
    """Where the first submission sent the browser: where a second copy of the form is sent too."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(session: Session, *, token: str) -> bool:
    """True when this is the token's first submission; False when it was used already."""
    now = utcnow()
    insert = insert_or_merge(session, FormSubmission)
    claimed = session.execute(
        insert.values(token=token, created_at=now)
        .on_conflict_do_nothing(index_elements=[FormSubmission.token])
        .returning(FormSubmission.token)
    ).scalar_one_or_none()
    if claimed is None:
        return False
    session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEPT_FOR))
    return True


def earlier_result(session: Session, *, token: str) -> str | None:
    return session.scalar(select(FormSubmission.result_url).where(FormSubmission.token == token))


def settle(session: Session, *, token: str, result_url: str | None) -> None:
    """Keep a claimed token with the page its submission led to; without one (the form came back with a
    mistake to correct), give the token back so the same form can be sent again."""
    if result_url:
        session.execute(update(FormSubmission).where(FormSubmission.token == token).values(result_url=result_url))
    else:
        session.execute(delete(FormSubmission).where(FormSubmission.token == token))

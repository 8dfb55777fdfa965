"""One-time submission tokens (estation.submissions) on both engines: claimed once, kept with the page
the submission led to, given back when refused, forgotten after two days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from estation import submissions
from estation.db import utcnow
from estation.submissions import FormSubmission


def test_a_token_is_claimed_once_and_remembers_where_it_led(session: Session) -> None:
    token = submissions.new_token()
    assert submissions.claim(session, token=token)
    submissions.settle(session, token=token, result_url="/kiosk/suggest?done=LY203103090001")
    assert not submissions.claim(session, token=token)
    assert submissions.earlier_result(session, token=token) == "/kiosk/suggest?done=LY203103090001"


def test_a_refused_submission_gives_its_token_back(session: Session) -> None:
    token = submissions.new_token()
    assert submissions.claim(session, token=token)
    submissions.settle(session, token=token, result_url=None)
    assert submissions.claim(session, token=token)


def test_old_tokens_are_forgotten_as_new_ones_are_claimed(session: Session) -> None:
    old = FormSubmission(token=submissions.new_token(), created_at=utcnow() - timedelta(days=3), result_url="/ledger")
    recent = FormSubmission(token=submissions.new_token(), created_at=utcnow() - timedelta(hours=5), result_url="/ledger")
    session.add_all([old, recent])
    session.flush()
    assert submissions.claim(session, token=submissions.new_token())
    kept = set(session.scalars(select(FormSubmission.token).where(FormSubmission.token.in_([old.token, recent.token]))))
    assert kept == {recent.token}

"""The record-access log is append-only in the database itself, on SQLite and PostgreSQL: whoever
holds a connection can add a row but cannot change or remove one."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from estation.accounts.models import AccessLog
from estation.db import make_engine
from estation.migrate import upgrade


def _logged(session) -> int:
    row = AccessLog(role="counter_staff", action="view", what="resident:1", reason="办理养老保险接续")
    session.add(row)
    session.flush()
    return row.id


@pytest.mark.parametrize("change", [
    lambda i: update(AccessLog).where(AccessLog.id == i).values(reason="改掉原因"),
    lambda i: update(AccessLog).values(role="admin"),
    lambda i: delete(AccessLog).where(AccessLog.id == i),
    lambda i: delete(AccessLog),
], ids=["update-one", "update-all", "delete-one", "delete-all"])
def test_a_logged_read_cannot_be_changed_or_removed(session, change) -> None:
    row_id = _logged(session)
    savepoint = session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(change(row_id))
    savepoint.rollback()
    kept = session.execute(select(AccessLog.reason, AccessLog.role).where(AccessLog.id == row_id)).one()
    assert tuple(kept) == ("办理养老保险接续", "counter_staff")


def test_new_reads_are_still_logged(session) -> None:
    before = session.scalar(select(text("count(*)")).select_from(AccessLog))
    _logged(session)
    _logged(session)
    assert session.scalar(select(text("count(*)")).select_from(AccessLog)) == before + 2


def test_postgresql_refuses_truncate_too(postgres_url) -> None:
    upgrade(postgres_url)  # the run's PostgreSQL database (already at head if the suite migrated it)
    engine = make_engine(postgres_url)
    try:
        with Session(engine) as s:
            _logged(s)
            s.commit()
            with pytest.raises(DBAPIError, match="append-only"):
                s.execute(text("TRUNCATE access_log CASCADE"))
            s.rollback()
            assert s.scalar(select(text("count(*)")).select_from(AccessLog)) >= 1
    finally:
        engine.dispose()

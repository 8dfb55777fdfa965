"""Reference numbers come from one counter per prefix and day (estation.references), on both engines;
the migration that brought the counters in starts them after the references already given."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from estation.migrate import alembic_config, upgrade
from estation.references import next_reference

DAY = date(2031, 3, 9)


def test_numbers_run_on_per_prefix_and_day(session: Session) -> None:
    assert [next_reference(session, prefix="LY", day=DAY) for _ in range(3)] == [
        "LY203103090001", "LY203103090002", "LY203103090003"]
    assert next_reference(session, prefix="DY", day=DAY) == "DY203103090001"
    assert next_reference(session, prefix="LY", day=date(2031, 3, 10)) == "LY203103100001"
    assert next_reference(session, prefix="LY", day=DAY) == "LY203103090004"


def test_a_rolled_back_request_gives_its_number_back(session: Session) -> None:
    first = next_reference(session, prefix="YX", day=DAY)
    with session.begin_nested() as failed:
        next_reference(session, prefix="YX", day=DAY)
        failed.rollback()
    assert next_reference(session, prefix="YX", day=DAY) == first[:-4] + "0002"


def test_the_counters_start_after_the_references_already_given(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    upgrade(url, "0005")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO suggestion (reference, kind, text, channel, status, created_at, updated_at) "
                          "VALUES (:r, 'suggestion', '留言', 'kiosk', 'open', '2031-03-09', '2031-03-09')"),
                     [{"r": "LY203103090007"}, {"r": "LY203103090012"}, {"r": "LY203103080003"}])
    upgrade(url)
    with Session(engine) as s:
        assert next_reference(s, prefix="LY", day=DAY) == "LY203103090013"
        assert next_reference(s, prefix="LY", day=date(2031, 3, 8)) == "LY203103080004"
        assert next_reference(s, prefix="DL", day=DAY) == "DL203103090001"
    command.downgrade(alembic_config(url), "0005")
    engine.dispose()

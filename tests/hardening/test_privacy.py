"""Personal data at rest: no id number or phone in clear in the database file; secrets refuse defaults."""

import sqlite3
from datetime import date

import pytest
from pydantic import ValidationError

from estation.config import DEV_DATA_KEY, DEV_SECRET, Settings
from tests.factories import create_resident, new_id_number


def test_raw_database_holds_no_id_number_or_phone_in_clear(api) -> None:  # noqa: ANN001
    number = new_id_number(birth=date(1966, 6, 6), sex="male")
    phone = "13987654321"
    with api.db() as s:
        resident = create_resident(s, id_number=number, phone=phone, name="高德胜")
        s.commit()
        resident_id = resident.id
    path = api.settings.sqlalchemy_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(FULL)")
        dump = "\n".join(raw.iterdump())
        stored = raw.execute("SELECT id_number, phone FROM resident WHERE id = ?", (resident_id,)).fetchone()
    assert number not in dump and number[6:14] + number[14:] not in dump
    assert phone not in dump
    assert stored[0] != number and stored[1] != phone
    # ... and the file on disk itself, byte for byte (WAL included)
    for suffix in ("", "-wal"):
        try:
            data = open(path + suffix, "rb").read()  # noqa: SIM115
        except FileNotFoundError:
            continue
        assert number.encode() not in data and phone.encode() not in data
    # the application still reads it back, and finds it by its keyed hash
    with api.db() as s:
        from estation.labour.repository import resident_by_id_number

        found = resident_by_id_number(s, number)
        assert found is not None and found.id_number == number and found.phone == phone


@pytest.mark.parametrize("field", ["secret_key", "data_key"])
def test_production_refuses_default_secrets(field: str) -> None:
    good = {"secret_key": "s" * 40, "data_key": "d" * 40}
    Settings(environment="production", **good)
    defaults = {"secret_key": DEV_SECRET, "data_key": DEV_DATA_KEY}
    with pytest.raises(ValidationError, match=f"ESTATION_{field.upper()}"):
        Settings(environment="production", **(good | {field: defaults[field]}))


def test_development_accepts_the_defaults() -> None:
    assert Settings(environment="development").secret_key == DEV_SECRET

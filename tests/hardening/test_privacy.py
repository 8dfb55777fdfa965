"""Personal data at rest: no id number, phone, health or disability detail, hardship reason or ledger
text in clear in the database file or tables (existing rows encrypted by the migration); secrets refuse
defaults."""

import sqlite3
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from pydantic import ValidationError

from estation.accounts.models import Role
from estation.config import DEV_DATA_KEY, Settings
from estation.labour.models import Household, Resident
from estation.ledger.models import LedgerAction, LedgerItem, LedgerStatusChange
from estation.migrate import alembic_config, upgrade
from estation.privacy import encrypt, lookup_hash
from tests.conftest import POSTGRES_ADMIN_URL, drop_database
from tests.factories import create_household, create_resident, create_user, new_id_number

HEALTH = "患有二型糖尿病，需每日注射胰岛素"
CATEGORY = "精神"
GRADE = 3
HARDSHIP = "丈夫去年因车祸去世，独自抚养两个孩子"
PROBLEM = "女儿确诊抑郁症，住院费用无力承担"
NOTE = "入户了解到其正在服用抗抑郁药物"
REASON = "回访发现问题未解决：仍在住院治疗"
SECRET_TEXTS = (HEALTH, CATEGORY, HARDSHIP, PROBLEM, NOTE, REASON)


def test_raw_database_holds_no_id_number_or_phone_in_clear(api) -> None:
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
            data = open(path + suffix, "rb").read()
        except FileNotFoundError:
            continue
        assert number.encode() not in data and phone.encode() not in data
    # the application still reads it back, and finds it by its keyed hash
    with api.db() as s:
        from estation.labour.repository import resident_by_id_number

        found = resident_by_id_number(s, number)
        assert found is not None and found.id_number == number and found.phone == phone


def test_production_refuses_the_default_data_key() -> None:
    Settings(environment="production", data_key="d" * 40)
    with pytest.raises(ValidationError, match="ESTATION_DATA_KEY"):
        Settings(environment="production", data_key=DEV_DATA_KEY)


def test_development_accepts_the_defaults() -> None:
    assert Settings(environment="development").data_key == DEV_DATA_KEY


def _sqlite_dump(path: str) -> tuple[str, bytes]:
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(FULL)")
        dump = "\n".join(raw.iterdump())
    data = b""
    for suffix in ("", "-wal"):
        try:
            data += open(path + suffix, "rb").read()
        except FileNotFoundError:
            pass
    return dump, data


def test_raw_database_holds_no_health_disability_hardship_or_ledger_text_in_clear(api) -> None:
    with api.db() as s:
        household = create_household(s, hardship=True)
        household.hardship_reason = HARDSHIP
        resident = create_resident(s, household=household, id_number=new_id_number(birth=date(1970, 1, 2)),
                                   health_note=HEALTH, disability_category=CATEGORY, disability_grade=GRADE)
        cadre = create_user(s, role=Role.cadre)
        item = LedgerItem(household_id=household.id, resident_id=resident.id, category="health", problem=PROBLEM,
                          raised_on=date(2025, 3, 1), raised_by_id=cadre.id, due_on=date(2025, 4, 1), sensitive=True)
        s.add(item)
        s.flush()
        s.add(LedgerAction(household_id=household.id, item_id=item.id, kind="home_visit", on=date(2025, 3, 2),
                           by_user_id=cadre.id, note=NOTE, sensitive=True))
        s.add(LedgerStatusChange(item_id=item.id, from_status="resolved", to_status="in_progress",
                                 on=date(2025, 3, 9), by_user_id=cadre.id, reason=REASON))
        s.commit()
        ids = resident.id, household.id, item.id
    dump, data = _sqlite_dump(api.settings.sqlalchemy_url.removeprefix("sqlite:///"))
    for text in SECRET_TEXTS:
        assert text not in dump, text
        assert text.encode() not in data, text
    with sqlite3.connect(api.settings.sqlalchemy_url.removeprefix("sqlite:///")) as raw:
        grade, = raw.execute("SELECT disability_grade FROM resident WHERE id = ?", (ids[0],)).fetchone()
    assert isinstance(grade, str) and grade.startswith("gAAAA")  # a Fernet token, not the number 3
    # the application reads everything back
    with api.db() as s:
        resident, household, item = s.get(Resident, ids[0]), s.get(Household, ids[1]), s.get(LedgerItem, ids[2])
        assert (resident.health_note, resident.disability_category, resident.disability_grade) == (HEALTH, CATEGORY, GRADE)
        assert household.hardship_reason == HARDSHIP
        assert (item.problem, item.actions[0].note, item.status_changes[0].reason) == (PROBLEM, NOTE, REASON)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.sqlite3'}"
        return
    name = f"estation_migrate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as conn:
        drop_database(conn, name)
    admin.dispose()


def _plain_rows(conn) -> dict[str, dict]:
    """One row in each table the migration encrypts, written as the schema before it stored them."""
    now = datetime(2025, 3, 1, tzinfo=timezone.utc)
    stamps = {"created_at": now, "updated_at": now}
    return {
        "subdistrict": {"code": "370102009", "name": "甸柳街道", "district_code": "370102", "district_name": "历下区",
                        "city_name": "济南市"},
        "community": {"code": "370102009001", "subdistrict_code": "370102009", "name": "第三社区居委会",
                      "short_name": "第三社区", "lat": 36.66, "lon": 117.05},
        "household": {"id": 1, "community_code": "370102009001", "address": "甸柳新村1号楼", "hardship": True,
                      "hardship_reason": HARDSHIP, **stamps},
        "resident": {"id": 1, "household_id": 1, "relation": "head", "id_number": encrypt("370102197001020028"),
                     "id_number_hash": lookup_hash("370102197001020028"),
                     "birth_date": date(1970, 1, 2), "sex": "female", "name": "王秀英", "hukou_province": "37",
                     "community_code": "370102009001", "lat": 36.66, "lon": 117.05, "work_capacity": "partial",
                     "limits": {}, "max_hours_per_day": 4.0, "health_note": HEALTH, "disability_category": CATEGORY,
                     "disability_grade": GRADE, "employment_status": "registered_unemployed", "skills": "",
                     "experience": "", "wishes": "", "occupation_codes": [], "max_travel_km": 3.0,
                     "home_based_only": False, "consent_to_employers": False, **stamps},
        "ledger_item": {"id": 1, "household_id": 1, "resident_id": 1, "category": "health", "problem": PROBLEM,
                        "raised_on": date(2025, 3, 1), "due_on": date(2025, 4, 1), "status": "in_progress",
                        "sensitive": True, "reopened_count": 1, **stamps},
        "ledger_action": {"id": 1, "household_id": 1, "item_id": 1, "kind": "home_visit", "on": date(2025, 3, 2),
                          "note": NOTE, "sensitive": True, "at": now},
        "ledger_status_change": {"id": 1, "item_id": 1, "from_status": "resolved", "to_status": "in_progress",
                                 "on": date(2025, 3, 9), "reason": REASON, "at": now},
    }


ENCRYPTED = [("resident", "health_note", HEALTH), ("resident", "disability_category", CATEGORY),
             ("resident", "disability_grade", GRADE), ("household", "hardship_reason", HARDSHIP),
             ("ledger_item", "problem", PROBLEM), ("ledger_action", "note", NOTE),
             ("ledger_status_change", "reason", REASON)]


def test_migration_encrypts_existing_rows_and_downgrade_decrypts_them(empty_database: str) -> None:
    upgrade(empty_database, "0002")
    engine = sa.create_engine(empty_database)
    try:
        with engine.begin() as conn:
            tables = sa.MetaData()
            tables.reflect(conn)
            for name, row in _plain_rows(conn).items():
                conn.execute(tables.tables[name].insert(), row)
        upgrade(empty_database, "0003")

        def raw(table: str, column: str):
            with engine.connect() as conn:
                return conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = 1")).scalar_one()

        for table, column, _plain in ENCRYPTED:
            stored = raw(table, column)
            assert isinstance(stored, str) and stored.startswith("gAAAA"), (table, column)  # a Fernet token
        # ... and the models (which describe the newest schema) read them back in clear
        upgrade(empty_database, "head")
        with sa.orm.Session(engine) as s:
            resident, item = s.get(Resident, 1), s.get(LedgerItem, 1)
            assert (resident.health_note, resident.disability_category, resident.disability_grade) == (HEALTH, CATEGORY, GRADE)
            assert resident.household.hardship_reason == HARDSHIP
            assert (item.problem, item.actions[0].note, item.status_changes[0].reason) == (PROBLEM, NOTE, REASON)

        command.downgrade(alembic_config(empty_database), "0002")
        for table, column, plain in ENCRYPTED:
            assert raw(table, column) == plain, (table, column)
    finally:
        engine.dispose()

"""Counter registration forms sent twice at the same moment (a double click; two windows registering the
same person), against a running server on SQLite and PostgreSQL with real threads: one record, one
change-log line, and the other window told in plain words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from estation.accounts.models import Role
from estation.labour.models import Household, Resident, ResidentChange
from estation.migrate import upgrade
from estation.physical import DECLARED, MAX_LEVEL
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_resident, create_user, new_id_number, seed_places
from tests.server import at_once, form_tokens


@dataclass
class Hall:
    harness: ApiHarness
    live: LiveServer
    clerks: list[str]
    resident_id: int


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hall(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("register")
    url = f"sqlite:///{tmp / 'register.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        clerks = [create_user(s, role=Role.counter_staff, window=w).username for w in (2, 3)]
        resident_id = create_resident(s, name="钱淑珍").id
        s.commit()
    live = LiveServer(harness)
    yield Hall(harness, live, clerks, resident_id)
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def _clerk(hall: Hall, username: str) -> httpx.Client:
    client = httpx.Client(base_url=hall.live.url, timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    signed = client.post("/login", data={"csrf_token": csrf, "username": username, "password": TEST_PASSWORD})
    assert signed.status_code == 303, signed.text
    return client


def _registration(number: str) -> dict[str, str]:
    return {"name": "钱秀兰", "id_number": number, "hukou_province": "37", "community_code": "370102009002",
            "address": "甸柳新村二区8号楼", "relation": "head", "employment_status": "registered_unemployed",
            "registration": "job_seeking", "registered_on": "2026-11-20", "work_capacity": "partial",
            "max_travel_km": "2", **{f"limit_{d.key}": str(MAX_LEVEL) for d in DECLARED}, "limit_lifting_carrying": "1"}


def _counts(hall: Hall) -> tuple[int, ...]:
    with hall.harness.db() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Resident, Household, ResidentChange))


def test_a_double_click_registers_once(hall: Hall) -> None:
    client = _clerk(hall, hall.clerks[0])
    form = form_tokens(client, "/counter/register") | _registration(new_id_number(birth=date(1969, 5, 4)))
    before = _counts(hall)
    answers = at_once(2, lambda i: client.post("/counter/register", data=form))
    client.close()
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _counts(hall) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_two_windows_registering_one_person_at_once_make_one_record(hall: Hall) -> None:
    clients = [_clerk(hall, name) for name in hall.clerks]
    number = new_id_number(birth=date(1972, 8, 9))
    forms = [form_tokens(c, "/counter/register") | _registration(number) for c in clients]
    before = _counts(hall)
    answers = at_once(2, lambda i: clients[i].post("/counter/register", data=forms[i]))
    for c in clients:
        c.close()
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    assert "该身份证号已登记" in next(a for a in answers if a.status_code == 409).text
    assert _counts(hall) == (before[0] + 1, before[1] + 1, before[2] + 1)  # the refused one left no household


def test_a_double_click_on_a_change_logs_it_once(hall: Hall) -> None:
    client = _clerk(hall, hall.clerks[1])
    path = f"/counter/residents/{hall.resident_id}/profile"
    form = form_tokens(client, path) | _registration("") | {"skills": "收银、理货", "reason": "居民来窗口补充技能"}
    before = _counts(hall)
    answers = at_once(2, lambda i: client.post(path, data=form))
    client.close()
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    with hall.harness.db() as s:
        assert s.get(Resident, hall.resident_id).skills == "收银、理货"
        reasons = s.scalars(select(ResidentChange.reason).where(ResidentChange.resident_id == hall.resident_id)).all()
    assert reasons.count("居民来窗口补充技能") == 1 and _counts(hall)[2] == before[2] + 1

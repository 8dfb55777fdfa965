"""One rating per case and per kiosk session, however it is sent: against a running server on SQLite and
PostgreSQL with real threads, a double tap, the window and the kiosk rating the same case at the same moment,
and 结束并评价 sent twice from one session each leave exactly one rating (and one follow-up for a poor one)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from estation.migrate import upgrade
from estation.ratings.models import Rating, RatingFollowUp, Satisfaction
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_resident, create_user, seed_places
from tests.kiosk.conftest import PIN
from tests.ratings.helpers import finished_case
from tests.server import at_once, form_tokens


@dataclass
class Hall:
    harness: ApiHarness
    live: LiveServer
    clerk: str
    id_number: str
    resident_id: int
    cases: list[tuple[int, str]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hall(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("ratings")
    url = f"sqlite:///{tmp / 'ratings.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        clerk = create_user(s, role=Role.counter_staff, window=2)
        resident = create_resident(s, name="孙桂芝")
        set_pin(s, resident=resident, pin=PIN)
        cases = [finished_case(s, clerk=clerk, day=date(2026, 11, 2), resident=resident) for _ in range(2)]
        s.commit()
        people = clerk.username, resident.id_number, resident.id, [(c.id, c.reference) for c in cases]
    made = Hall(harness, LiveServer(harness), *people)
    yield made
    made.live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _clerk(hall: Hall) -> httpx.Client:
    client = httpx.Client(base_url=hall.live.url, timeout=60)
    signed = client.post("/login", data={"csrf_token": _csrf(client.get("/login").text), "username": hall.clerk,
                                         "password": TEST_PASSWORD})
    assert signed.status_code == 303
    return client


def _terminal(hall: Hall) -> httpx.Client:
    client = httpx.Client(base_url=hall.live.url, timeout=60)
    signed = client.post("/kiosk/signin/pin", data={"csrf_token": _csrf(client.get("/kiosk/signin/pin").text),
                                                    "id_number": hall.id_number, "pin": PIN})
    assert signed.status_code == 303, signed.text
    return client


def _ratings(hall: Hall, **where) -> list[Rating]:
    with hall.harness.db() as s:
        stmt = select(Rating)
        for key, value in where.items():
            stmt = stmt.where(getattr(Rating, key) == value)
        return list(s.scalars(stmt))


def test_a_double_tap_at_the_window_keeps_one_rating(hall: Hall) -> None:
    case_id, _ = hall.cases[0]
    clerk = _clerk(hall)
    form = form_tokens(clerk, f"/counter/cases/{case_id}/rating") | {"level": "dissatisfied", "reason": "等候时间长"}
    answers = at_once(2, lambda i: clerk.post(f"/counter/cases/{case_id}/rating", data=form))
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    rows = _ratings(hall, case_id=case_id)
    assert [(r.level, r.reason, r.window) for r in rows] == [(Satisfaction.dissatisfied, "等候时间长", 2)]
    with hall.harness.db() as s:
        assert s.scalar(select(func.count()).select_from(RatingFollowUp).where(RatingFollowUp.rating_id == rows[0].id)) == 1
    assert "谢谢您的评价" in clerk.get(f"/counter/cases/{case_id}/rating").text
    clerk.close()


def test_the_window_and_the_kiosk_rating_one_case_at_once_keep_one(hall: Hall) -> None:
    case_id, reference = hall.cases[1]
    clerk, terminal = _clerk(hall), _terminal(hall)
    sends = [
        (clerk, f"/counter/cases/{case_id}/rating",
         form_tokens(clerk, f"/counter/cases/{case_id}/rating") | {"level": "very_satisfied"}),
        (terminal, f"/kiosk/me/cases/{reference}/rating",
         form_tokens(terminal, "/kiosk/me/cases") | {"level": "satisfied"}),
    ]
    answers = at_once(2, lambda i: sends[i][0].post(sends[i][1], data=sends[i][2]))
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    rows = _ratings(hall, case_id=case_id)
    assert len(rows) == 1 and rows[0].level in (Satisfaction.very_satisfied, Satisfaction.satisfied)
    # The kiosk shows the one rating kept, whichever it was, and asks no more.
    assert f"您的评价：{rows[0].level.label}" in _terminal(hall).get("/kiosk/me/cases").text
    clerk.close()
    terminal.close()


def test_finish_and_rate_sent_twice_from_one_session_keeps_one(hall: Hall) -> None:
    terminal = _terminal(hall)
    home = terminal.get("/kiosk/home").text
    assert "请为这次自助服务评价" in home
    data = {"csrf_token": _csrf(home), "level": "very_dissatisfied", "reason": "终端不好用"}
    before = len(_ratings(hall, resident_id=hall.resident_id, case_id=None))
    answers = at_once(2, lambda i: terminal.post("/kiosk/finish", data=data))
    assert sorted(a.status_code for a in answers) == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    sessions = [r for r in _ratings(hall, resident_id=hall.resident_id) if r.case_id is None]
    assert len(sessions) == before + 1
    assert (sessions[-1].level, sessions[-1].reason) == (Satisfaction.very_dissatisfied, "终端不好用")
    assert terminal.get("/kiosk/me/cases").status_code == 303  # signed out
    terminal.close()

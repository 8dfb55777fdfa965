"""Issue 15 point 4 against a running server, on SQLite and PostgreSQL: the steps of an application taken
at the same moment by several people (real threads, real requests, released together) leave one step
taken and the others told, in Chinese, that the application moved on; a follow-up answered twice at once
is recorded once. Refusals come back as the API's one error shape naming the field."""

from __future__ import annotations

import re
from contextlib import closing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from estation.accounts.models import Role, User
from estation.db import utcnow
from estation.jobs import placements, service
from estation.jobs.models import Application, ApplicationStatus, ContractType, Placement, PlacementFollowUp, Vacancy
from estation.migrate import upgrade
from tests.conftest import ApiHarness, LiveServer
from tests.employer.conftest import make_company
from tests.factories import TEST_PASSWORD, create_resident, create_user, seed_places
from tests.server import at_once

CSRF = "placements-parallel-csrf-token"
TODAY = date.today()


@dataclass
class Server:
    harness: ApiHarness
    live: LiveServer
    employer: str
    clerk: str

    def client(self, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.live.url, cookies={"estation_csrf": CSRF}, headers={"X-CSRF-Token": CSRF},
                              timeout=60)
        signed = client.post("/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD})
        assert signed.status_code == 200, signed.text
        return client

    def offered(self) -> int:
        """A fresh application of the employer's vacancy, made 60 days ago, offered after an interview."""
        with self.harness.db() as s:
            company_user = s.scalar(select(User).where(User.username == self.employer))
            vacancy = s.scalar(select(Vacancy).where(Vacancy.employer_id == company_user.employer_id))
            application = service.apply(s, resident=create_resident(s, name="周凤霞"), vacancy=vacancy, by_user_id=None)
            application.created_at = utcnow() - timedelta(days=60)
            placements.schedule_interview(s, application=application, at=utcnow() - timedelta(days=50),
                                          place="单位一楼", user=company_user)
            placements.record_attendance(s, application=application, attended=True, note="", user=company_user)
            placements.move(s, application=application, status=ApplicationStatus.offered, reason=None, user=company_user)
            s.commit()
            return application.id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("placements")
    url = f"sqlite:///{tmp / 'placements.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        company = make_company(s, title="超市理货员")
        clerk = create_user(s, role=Role.counter_staff, window=2)
        s.commit()
        names = (company.user.username, clerk.username)
    live = LiveServer(harness)
    yield Server(harness, live, *names)
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


HIRE = {"started_on": str(TODAY - timedelta(days=5)), "monthly_wage": 3000, "contract_type": ContractType.fixed_term.value}


def test_eight_hires_and_refusals_at_once_take_one_step(server: Server) -> None:
    application_id = server.offered()
    clients = [server.client(server.employer) for _ in range(8)]

    def step(i: int) -> httpx.Response:
        if i % 2:
            return clients[i].post(f"/api/v1/applications/{application_id}/status",
                                   json={"status": "not_hired", "reason": "另有人选"})
        return clients[i].post(f"/api/v1/applications/{application_id}/hire", json=HIRE)

    answers = at_once(8, step)
    for c in clients:
        c.close()
    counts = Counter(r.status_code for r in answers)
    assert counts == {200: 1, 409: 7}, [(r.status_code, r.text[:200]) for r in answers]
    for refused in (r for r in answers if r.status_code == 409):
        (error,) = refused.json()["detail"]
        assert error["loc"] == ["body", "status"] and error["type"] == "conflict"
        assert re.search(r"[\u4e00-\u9fff]", error["msg"]) and "申请" in error["msg"], error
    winner = next(r for r in answers if r.status_code == 200).json()
    with server.harness.db() as s:
        application = s.get(Application, application_id)
        assert application.status == winner["status"]
        assert [e.status for e in application.history].count(application.status) == 1  # one step logged
        placed = s.scalar(select(func.count()).select_from(Placement).where(Placement.application_id == application_id))
        follow_ups = s.scalar(select(func.count()).select_from(PlacementFollowUp).join(Placement)
                              .where(Placement.application_id == application_id))
        hired = application.status == ApplicationStatus.hired
        assert (placed, follow_ups) == ((1, 3) if hired else (0, 0))


def test_a_follow_up_answered_six_times_at_once_is_recorded_once(server: Server) -> None:
    application_id = server.offered()
    with closing(server.client(server.employer)) as c:
        assert c.post(f"/api/v1/applications/{application_id}/hire",
                      json=HIRE | {"started_on": str(TODAY - timedelta(days=40))}).status_code == 200
    with server.harness.db() as s:
        follow_up_id = s.scalar(select(PlacementFollowUp.id).join(Placement)
                                .where(Placement.application_id == application_id, PlacementFollowUp.months_after == 1))
    clients = [server.client(server.clerk) for _ in range(6)]

    def answer(i: int) -> httpx.Response:
        return clients[i].post(f"/counter/follow-ups/{follow_up_id}", data={
            "csrf_token": CSRF, "still_employed": "true" if i % 2 else "false", "note": f"第{i}位工作人员"})

    answers = at_once(6, answer)
    for c in clients:
        c.close()
    counts = Counter(r.status_code for r in answers)
    assert counts == {303: 1, 409: 5}, [(r.status_code, r.text[:300]) for r in answers]
    assert all("已由他人登记" in r.text or "已经登记过" in r.text or "已离开" in r.text
               for r in answers if r.status_code == 409)
    with server.harness.db() as s:
        follow_up = s.get(PlacementFollowUp, follow_up_id)
        application = s.get(Application, application_id)
        assert follow_up.answered_on == TODAY and re.fullmatch(r"第\d位工作人员", follow_up.note or "")
        logged = [e for e in application.history if (e.note or "").startswith("上岗1个月跟踪")]
        assert len(logged) == 1 and logged[0].note.endswith("仍在岗" if follow_up.still_employed else "已不在岗")
        assert (application.status == ApplicationStatus.left) == (follow_up.still_employed is False)


def test_refusals_name_the_field_in_chinese(server: Server) -> None:
    application_id = server.offered()
    with closing(server.client(server.employer)) as c:
        r = c.post(f"/api/v1/applications/{application_id}/hire", json=HIRE | {"monthly_wage": 900})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "monthly_wage"]
        assert "最低工资标准" in r.json()["detail"][0]["msg"]
        r = c.post(f"/api/v1/applications/{application_id}/hire", json=HIRE | {"public_welfare": True})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "term_until"]
        r = c.post(f"/api/v1/applications/{application_id}/interview",
                   json={"interview_at": f"{TODAY}T09:00:00", "interview_place": "单位一楼"})
        assert r.status_code == 409 and "不能直接改为“已约面试”" in r.json()["detail"][0]["msg"]
        r = c.get(f"/api/v1/applications/{application_id}")
        assert r.json()["status"] == "offered" and r.json()["placement"] is None

"""Two answers to one invitation sent at the same moment (two terminals, two forms), against a running
server on SQLite and PostgreSQL with real threads: one is taken, the other is told in plain words that the
invitation was answered already, and the records agree with the answer taken (one application if it
was a yes, none if a no)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from estation.accounts.kiosk import set_pin
from estation.accounts.models import Role
from estation.jobs import invitations
from estation.jobs.models import Application, Invitation, InvitationStatus
from estation.migrate import upgrade
from tests.conftest import ApiHarness, LiveServer
from tests.factories import create_employer, create_resident, create_user, create_vacancy, seed_places
from tests.kiosk.conftest import PIN


@dataclass
class Hall:
    harness: ApiHarness
    live: LiveServer
    id_number: str
    invitation_ids: list[int]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hall(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    tmp = tmp_path_factory.mktemp("answers")
    url = f"sqlite:///{tmp / 'answers.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        employer = create_employer(s)
        boss = create_user(s, role=Role.employer, employer_id=employer.id)
        resident = create_resident(s, name="孙桂芝", consent_to_employers=True)
        set_pin(s, resident=resident, pin=PIN)
        ids = [invitations.invite(s, vacancy=create_vacancy(s, employer=employer, title=f"岗位{i}"), resident=resident,
                                  by_user_id=boss.id).id for i in range(2)]
        s.commit()
        id_number = resident.id_number
    live = LiveServer(harness)
    yield Hall(harness, live, id_number, ids)
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def _terminal(hall: Hall) -> httpx.Client:
    """A kiosk signed in as the resident (each terminal its own session)."""
    client = httpx.Client(base_url=hall.live.url, timeout=60)
    page = client.get("/kiosk/signin/pin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed = client.post("/kiosk/signin/pin", data={"csrf_token": csrf, "id_number": hall.id_number, "pin": PIN})
    assert signed.status_code == 303, signed.text
    return client


def _form(client: httpx.Client, action: str) -> dict[str, str]:
    html = client.get("/kiosk/me/invitations").text
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    return {name: re.search(rf'name="{name}" value="([^"]+)"', form).group(1) for name in ("csrf_token", "submission_token")}


@pytest.mark.parametrize(("first", "second"), [("accept", "accept"), ("accept", "decline")])
def test_two_answers_at_once_take_one(hall: Hall, first: str, second: str) -> None:
    inv_id = hall.invitation_ids[0 if second == "accept" else 1]
    terminals = [_terminal(hall), _terminal(hall)]
    verbs = [first, second]
    data = [_form(t, f"/kiosk/me/invitations/{inv_id}/{v}") | ({"share_phone": "1"} if v == "accept" else {"reason": "离家太远"})
            for t, v in zip(terminals, verbs, strict=True)]
    barrier = threading.Barrier(2)

    def send(i: int) -> httpx.Response:
        barrier.wait()
        return terminals[i].post(f"/kiosk/me/invitations/{inv_id}/{verbs[i]}", data=data[i])

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send, range(2)))
    for t in terminals:
        t.close()
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert "这条邀请已经答复过了" in refused.text
    taken = verbs[[a.status_code for a in answers].index(303)]
    with hall.harness.db() as s:
        invitation = s.get(Invitation, inv_id)
        applications = s.scalar(select(func.count(Application.id)).where(Application.vacancy_id == invitation.vacancy_id))
        assert invitation.status == (InvitationStatus.accepted if taken == "accept" else InvitationStatus.declined)
        assert applications == (1 if taken == "accept" else 0)

"""Admin forms sent twice at the same moment (a double click; two admins at once), against a running
server on SQLite and PostgreSQL with real threads: one account is made, one answer kept, nothing fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import AccessLog, Role, User
from estation.feedback import service as feedback
from estation.feedback.models import Suggestion, SuggestionKind
from estation.ledger.models import HouseholdPairing
from estation.migrate import upgrade
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_household, create_user, seed_places
from tests.server import at_once, form_tokens

PASSWORD = "qingshan-lvshui-2026"


@dataclass
class Office:
    harness: ApiHarness
    live: LiveServer
    admins: list[str]
    suggestion_id: int
    household_id: int
    cadre_id: int


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    tmp = tmp_path_factory.mktemp("admin")
    url = f"sqlite:///{tmp / 'admin.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        admins = [create_user(s, role=Role.admin).username for _ in range(2)]
        suggestion = feedback.leave(s, kind=SuggestionKind.suggestion, text="希望多开一个窗口", resident_id=None)
        household = create_household(s, hardship=True)
        cadre = create_user(s, role=Role.cadre)
        s.commit()
        ids = suggestion.id, household.id, cadre.id
    live = LiveServer(harness)
    yield Office(harness, live, admins, *ids)
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def _admin(office: Office, username: str) -> httpx.Client:
    client = httpx.Client(base_url=office.live.url, timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    signed = client.post("/login", data={"csrf_token": csrf, "username": username, "password": TEST_PASSWORD})
    assert signed.status_code == 303 and signed.headers["location"] == "/admin"
    return client


def _account_form(username: str) -> dict[str, str]:
    return {"username": username, "display_name": "冯窗口", "role": "counter_staff", "window": "4",
            "community_code": "", "password": PASSWORD, "password_confirm": PASSWORD}


def test_a_double_click_makes_one_account(office: Office) -> None:
    client = _admin(office, office.admins[0])
    form = form_tokens(client, "/admin/users/new") | _account_form("chuangkou4")
    answers = at_once(2, lambda i: client.post("/admin/users", data=form))
    client.close()
    assert [a.status_code for a in answers] == [303, 303], [(a.status_code, a.text[:300]) for a in answers]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    with office.harness.db() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "chuangkou4")) == 1
        assert s.scalar(select(func.count()).select_from(AccessLog)
                        .where(AccessLog.action == "create_account", AccessLog.what.contains("chuangkou4"))) == 1


def test_two_admins_making_the_same_username_at_once_make_one(office: Office) -> None:
    clients = [_admin(office, name) for name in office.admins]
    forms = [form_tokens(c, "/admin/users/new") | _account_form("chuangkou6") for c in clients]
    answers = at_once(2, lambda i: clients[i].post("/admin/users", data=forms[i]))
    for c in clients:
        c.close()
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 303 and codes[1] in (409, 422), [(a.status_code, a.text[:300]) for a in answers]
    refused = next(a for a in answers if a.status_code != 303).text
    assert "已被其他账号使用" in refused or "该用户名已被使用" in refused  # the service's check, or the database's
    assert 'value="chuangkou6"' in refused and 'value="冯窗口"' in refused  # the form is back as typed
    with office.harness.db() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "chuangkou6")) == 1


def test_two_answers_to_one_suggestion_at_once_keep_one(office: Office) -> None:
    clients = [_admin(office, name) for name in office.admins]
    forms = [form_tokens(c, "/admin/suggestions") | {"answer": f"第{i + 1}位管理员的答复"} for i, c in enumerate(clients)]
    url = f"/admin/suggestions/{office.suggestion_id}/answer"
    answers = at_once(2, lambda i: clients[i].post(url, data=forms[i]))
    for c in clients:
        c.close()
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    assert "这条留言已经答复过了" in next(a for a in answers if a.status_code == 409).text
    kept = forms[[a.status_code for a in answers].index(303)]["answer"]
    with office.harness.db() as s:
        assert s.get(Suggestion, office.suggestion_id).answer == kept


def test_two_admins_pairing_the_same_cadre_at_once_pair_once(office: Office) -> None:
    clients = [_admin(office, name) for name in office.admins]
    url = f"/admin/pairings/households/{office.household_id}"
    forms = [form_tokens(c, url) | {"cadre_id": str(office.cadre_id), "start_date": clock.today().isoformat()}
             for c in clients]
    answers = at_once(2, lambda i: clients[i].post(url, data=forms[i]))
    for c in clients:
        c.close()
    codes = sorted(a.status_code for a in answers)
    assert codes == [303, 409], [(a.status_code, a.text[:300]) for a in answers]
    assert "该干部已与这户结对" in next(a for a in answers if a.status_code == 409).text
    with office.harness.db() as s:
        assert s.scalar(select(func.count()).select_from(HouseholdPairing)
                        .where(HouseholdPairing.household_id == office.household_id)) == 1

"""Access rules of every ledger route for every role, enforced on the server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from estation.accounts.models import AccessLog, Role
from estation.ledger import service, work
from estation.labour.models import Household
from estation.ledger.models import ActionKind, LedgerAction, LedgerStatus
from estation.ledger.schemas import MASKED_NOTE, ActionCreate, PlacementCreate, ReferralCreate
from tests.factories import create_employer, create_household, create_resident, create_user, create_vacancy
from tests.ledger.helpers import hold, new_item, pair

TODAY = date.today()
ROLES = ["cadre_a", "cadre_b", "leader", "admin", "counter_staff", "community_staff", "employer", "resident"]
LEDGER = {"cadre_a", "cadre_b", "leader", "admin"}
H1 = {"cadre_a", "leader", "admin"}
"""Who may see household 1: its paired cadre, the leader holding its community, the admin."""
OVERSEERS = {"leader", "admin"}
ADMIN = {"admin"}


@dataclass
class World:
    api: object
    users: dict
    h1: int
    h2: int
    person1: int
    vacancy: int
    clients: dict

    def db(self):
        return self.api.db()

    def fresh_item(self, *, status: LedgerStatus = LedgerStatus.open) -> int:
        with self.db() as s:
            user = s.get(type(self.users["cadre_a"]), self.users["cadre_a"].id)
            household = s.get(Household, self.h1)
            item = new_item(s, user, household, raised_on=TODAY, due_on=TODAY + timedelta(days=30))
            if status == LedgerStatus.resolved:
                service.move_status(s, user=user, item=item, to=LedgerStatus.in_progress, reason="", today=TODAY)
                service.move_status(s, user=user, item=item, to=LedgerStatus.resolved, reason="", today=TODAY)
            s.commit()
            return item.id

    def fresh_referral(self, *, days_ago: int = 0) -> int:
        with self.db() as s:
            user = s.get(type(self.users["cadre_a"]), self.users["cadre_a"].id)
            vacancy = create_vacancy(s, employer=create_employer(s), title="物业保洁")  # one placement per vacancy
            action = work.refer(s, user=user, household=s.get(Household, self.h1), today=TODAY - timedelta(days=days_ago),
                                data=ReferralCreate(resident_id=self.person1, vacancy_id=vacancy.id))
            s.commit()
            return action.id

    def fresh_follow_up(self) -> int:
        referral = self.fresh_referral(days_ago=100)
        with self.db() as s:
            user = s.get(type(self.users["cadre_a"]), self.users["cadre_a"].id)
            work.place(s, user=user, referral=s.get(LedgerAction, referral), today=TODAY,
                       data=PlacementCreate(started_on=TODAY - timedelta(days=95)))
            s.commit()
            return work.follow_ups(s, user=user)[0].id

    def fresh_pairing(self) -> int:
        with self.db() as s:
            p = pair(s, create_user(s, role=Role.cadre), create_household(s, hardship=True), start=date(2024, 1, 1))
            s.commit()
            return p.id

    def fresh_cadre(self) -> int:
        """Pairing routes pair a cadre made for the call, so the named cadres keep their one household."""
        with self.db() as s:
            cadre = create_user(s, role=Role.cadre)
            s.commit()
            return cadre.id

    def fresh_household(self) -> int:
        with self.db() as s:
            h = create_household(s, hardship=True)
            s.commit()
            return h.id


@pytest.fixture(scope="module")
def world(api) -> World:
    with api.db() as s:
        users = {
            "cadre_a": create_user(s, role=Role.cadre), "cadre_b": create_user(s, role=Role.cadre),
            "leader": create_user(s, role=Role.leader), "admin": create_user(s, role=Role.admin),
            "counter_staff": create_user(s, role=Role.counter_staff),
            "community_staff": create_user(s, role=Role.community_staff, community_code="370102009001"),
            "employer": create_user(s, role=Role.employer),
        }
        h1 = create_household(s, community_code="370102009001", hardship=True)
        h2 = create_household(s, community_code="370102009002", hardship=True)
        person1 = create_resident(s, household=h1, name="刘建国")
        person2 = create_resident(s, household=h2, name="孙丽")
        users["resident"] = create_user(s, role=Role.resident, resident_id=person1.id)
        pair(s, users["cadre_a"], h1)
        pair(s, users["cadre_b"], h2)
        hold(s, users["leader"], "370102009001")
        vacancy = create_vacancy(s, employer=create_employer(s))
        item = new_item(s, users["cadre_a"], h1, raised_on=TODAY, due_on=TODAY + timedelta(days=10), sensitive=True,
                        problem="户主患精神疾病，需要定期复诊")
        service.add_action(s, user=users["cadre_a"], item=item, today=TODAY,
                           data=ActionCreate(kind=ActionKind.home_visit, note="入户了解病情", sensitive=True))
        new_item(s, users["cadre_b"], h2, raised_on=TODAY, due_on=TODAY + timedelta(days=10))
        s.commit()
        ids = dict(h1=h1.id, h2=h2.id, person1=person1.id, vacancy=vacancy.id)
        assert person2.id
    clients = {name: api.client_for(user) for name, user in users.items()}
    return World(api=api, users=users, clients=clients, **ids)


@dataclass
class Route:
    method: str
    path: Callable[[World], str]
    allowed: set
    ok: int = 200
    body: Callable[[World], dict] | None = None


ROUTES = {
    "list households": Route("GET", lambda w: "/api/v1/ledger/households", LEDGER),
    "household ledger": Route("GET", lambda w: f"/api/v1/ledger/households/{w.h1}", H1),
    "reminders": Route("GET", lambda w: f"/api/v1/ledger/households/{w.h1}/reminders", H1),
    "create item": Route("POST", lambda w: f"/api/v1/ledger/households/{w.h1}/items", H1, 201, lambda w: {
        "category": "housing", "problem": "屋顶漏雨", "due_on": str(TODAY + timedelta(days=20))}),
    "record visit": Route("POST", lambda w: f"/api/v1/ledger/households/{w.h1}/visits", H1, 201,
                          lambda w: {"kind": "home_visit", "note": "例行走访"}),
    "mark reminder": Route("POST", lambda w: f"/api/v1/ledger/households/{w.h1}/reminders", H1, 201, lambda w: {
        "resident_id": w.person1, "code": "employment_help", "outcome": "done"}),
    "hardship households": Route("GET", lambda w: "/api/v1/ledger/hardship", LEDGER),
    "reminder coverage": Route("GET", lambda w: "/api/v1/ledger/reminder-coverage", OVERSEERS),
    "find work": Route("GET", lambda w: f"/api/v1/ledger/households/{w.h1}/work", H1),
    "job referral": Route("POST", lambda w: f"/api/v1/ledger/households/{w.h1}/referrals", H1, 201,
                          lambda w: {"resident_id": w.person1, "vacancy_id": w.vacancy}),
    "household pairings": Route("GET", lambda w: f"/api/v1/ledger/households/{w.h1}/pairings", H1),
    "household export": Route("GET", lambda w: f"/api/v1/ledger/households/{w.h1}/export.xlsx", H1),
    "get item": Route("GET", lambda w: f"/api/v1/ledger/items/{w.fresh_item()}", H1),
    "add action": Route("POST", lambda w: f"/api/v1/ledger/items/{w.fresh_item()}/actions", H1, 201,
                        lambda w: {"kind": "call", "note": "电话了解进展"}),
    "move status": Route("POST", lambda w: f"/api/v1/ledger/items/{w.fresh_item()}/status", H1, 200,
                         lambda w: {"to": "in_progress"}),
    "reopen": Route("POST", lambda w: f"/api/v1/ledger/items/{w.fresh_item(status=LedgerStatus.resolved)}/reopen",
                    H1, 200, lambda w: {"reason": "居民反映问题复发"}),
    "placement": Route("POST", lambda w: f"/api/v1/ledger/referrals/{w.fresh_referral(days_ago=3)}/placement", H1, 201,
                       lambda w: {"started_on": str(TODAY)}),
    "list follow-ups": Route("GET", lambda w: "/api/v1/ledger/follow-ups", LEDGER),
    "answer follow-up": Route("POST", lambda w: f"/api/v1/ledger/follow-ups/{w.fresh_follow_up()}", H1, 200,
                              lambda w: {"still_employed": True}),
    "list pairings": Route("GET", lambda w: "/api/v1/ledger/pairings", LEDGER),
    "create pairing": Route("POST", lambda w: "/api/v1/ledger/pairings", ADMIN, 201, lambda w: {
        "cadre_id": w.fresh_cadre(), "household_id": w.fresh_household(), "start_date": "2025-01-01"}),
    "reassign": Route("POST", lambda w: f"/api/v1/ledger/pairings/{w.fresh_pairing()}/reassign", ADMIN, 201,
                      lambda w: {"cadre_id": w.fresh_cadre(), "on": str(TODAY), "reason": "工作调动"}),
    "list assignments": Route("GET", lambda w: "/api/v1/ledger/assignments", OVERSEERS),
    "create assignment": Route("POST", lambda w: "/api/v1/ledger/assignments", ADMIN, 201, lambda w: {
        "leader_id": w.users["leader"].id, "community_code": "370102009002", "start_date": "2099-01-01"}),
    "list meetings": Route("GET", lambda w: "/api/v1/ledger/meetings", OVERSEERS),
    "record meeting": Route("POST", lambda w: "/api/v1/ledger/meetings", OVERSEERS, 201, lambda w: {
        "community_code": "370102009001", "held_on": str(TODAY), "topic": "就业政策座谈", "attendees": 20}),
    "duties": Route("GET", lambda w: "/api/v1/ledger/duties", LEDGER),
    "dashboard": Route("GET", lambda w: "/api/v1/ledger/dashboard", LEDGER),
    "escalations": Route("POST", lambda w: "/api/v1/ledger/escalations", ADMIN),
    "community export": Route("GET", lambda w: "/api/v1/ledger/communities/370102009001/export.xlsx", OVERSEERS),
}


def test_every_ledger_api_route_is_covered(api) -> None:
    """A new route without an access case fails here, so none ships untested."""
    paths = api.app.openapi()["paths"]
    methods = sum(len(ops) for path, ops in paths.items() if path.startswith("/api/v1/ledger"))
    assert methods == len(ROUTES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROUTES))
def test_route_access(world: World, name: str, role: str) -> None:
    route = ROUTES[name]
    response = world.clients[role].request(route.method, route.path(world),
                                           json=route.body(world) if route.body else None)
    if role in route.allowed:
        assert response.status_code == route.ok, response.text
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("name", list(ROUTES))
def test_anonymous_is_refused_everywhere(world: World, name: str) -> None:
    route = ROUTES[name]
    path = route.path(world)
    response = world.api.anonymous.request(route.method, path, json=route.body(world) if route.body else None)
    assert response.status_code == 401


def test_each_role_lists_only_its_households(world: World) -> None:
    seen = {role: {h["id"] for h in world.clients[role].get("/api/v1/ledger/households").json()}
            for role in ("cadre_a", "cadre_b", "leader", "admin")}
    assert seen["cadre_a"] == {world.h1}
    assert seen["cadre_b"] == {world.h2}
    assert world.h1 in seen["leader"] and world.h2 not in seen["leader"]
    assert {world.h1, world.h2} <= seen["admin"]
    assert world.clients["cadre_b"].get(f"/api/v1/ledger/households/{world.h2}").status_code == 200
    assert world.clients["leader"].get(f"/api/v1/ledger/households/{world.h2}").status_code == 403


def test_sensitive_notes_are_masked_for_the_leader_and_reads_are_logged(world: World) -> None:
    with world.db() as s:
        before = s.scalar(select(func.count(AccessLog.id)).where(AccessLog.resident_id == world.person1))
    by_leader = world.clients["leader"].get(f"/api/v1/ledger/households/{world.h1}").json()
    by_cadre = world.clients["cadre_a"].get(f"/api/v1/ledger/households/{world.h1}").json()
    sensitive_leader = next(i for i in by_leader["items"] if i["sensitive"])
    sensitive_cadre = next(i for i in by_cadre["items"] if i["sensitive"])
    assert sensitive_leader["problem"] == MASKED_NOTE and sensitive_leader["actions"][0]["note"] == MASKED_NOTE
    assert sensitive_cadre["problem"] == "户主患精神疾病，需要定期复诊"
    member = next(m for m in by_cadre["members"] if m["id"] == world.person1)
    assert "*" in member["id_number_masked"] and "****" in member["phone_masked"]
    with world.db() as s:
        after = s.scalar(select(func.count(AccessLog.id)).where(AccessLog.resident_id == world.person1))
    assert after == before + 2


def test_bad_input_is_a_422_naming_the_field(world: World) -> None:
    client = world.clients["cadre_a"]
    r = client.post(f"/api/v1/ledger/households/{world.h1}/items",
                    json={"category": "housing", "problem": "漏雨", "due_on": "2000-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "due_on"
    r = client.post(f"/api/v1/ledger/items/{world.fresh_item()}/status", json={"to": "closed"})
    assert r.status_code == 409 and r.json()["detail"][0]["loc"][-1] == "to"
    r = client.post(f"/api/v1/ledger/households/{world.h1}/visits", json={"kind": "teleport"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "kind"


def test_household_export_is_a_paper_ledger_workbook(world: World) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    response = world.clients["cadre_a"].get(f"/api/v1/ledger/households/{world.h1}/export.xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "甸柳街道结对帮扶家庭台账"
    assert [c.value for c in ws[3]][:6] == ["序号", "社区", "住址", "户主", "问题类别", "问题描述"]
    problems = [row[5] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "户主患精神疾病，需要定期复诊" in problems
    leader_ws = load_workbook(BytesIO(world.clients["leader"].get(
        "/api/v1/ledger/communities/370102009001/export.xlsx").content)).active
    assert MASKED_NOTE in [row[5] for row in leader_ws.iter_rows(min_row=4, values_only=True)]

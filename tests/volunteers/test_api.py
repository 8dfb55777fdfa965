"""The volunteer API and forms: bad input answered 422 naming the field, a double submit making one member
(on a running server, SQLite and PostgreSQL, real threads), the community boundary, proposals and
assignments through the app's own matcher, and the Excel export masked like the screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from estation import clock
from estation.accounts.models import AccessLog, Role
from estation.migrate import upgrade
from estation.volunteers.models import Volunteer
from tests.conftest import ApiHarness, LiveServer
from tests.factories import TEST_PASSWORD, create_household, create_resident, create_user, new_id_number, seed_places
from tests.server import at_once, form_tokens
from tests.volunteers.helpers import FIRST, THIRD


def _body(**overrides) -> dict:
    return {"community_code": THIRD, "name": "李景仁", "id_number": new_id_number(birth=date(1948, 2, 3), sex="male"),
            "phone": "13905310001", "interests": "书法", "skills": "教书法", "activities": ["teaching"],
            "free_slots": ["sat:morning"], "party_member": True, "consent_to_contact": True, "max_km": 2} | overrides


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        seed_places(s)
        made = {"keeper": create_user(s, role=Role.community_staff, community_code=THIRD),
                "other": create_user(s, role=Role.community_staff, community_code=FIRST),
                "cadre": create_user(s, role=Role.cadre), "admin": create_user(s, role=Role.admin)}
        s.commit()
    return {k: api.client_for(u) for k, u in made.items()}


@pytest.mark.parametrize(("overrides", "loc"), [
    ({"id_number": "370102194802031230"}, ["body", "id_number"]),
    ({"free_slots": ["saturday:morning"]}, ["body", "free_slots", 0]),
    ({"free_slots": []}, ["body", "free_slots"]),
    ({"activities": ["singing"]}, ["body", "activities", 0]),
    ({"phone": "12345"}, ["body", "phone"]),
    ({"max_km": 0}, ["body", "max_km"]),
    ({"consent_to_contact": None}, ["body", "consent_to_contact"]),
])
def test_bad_input_is_422_naming_the_field(api, people, overrides, loc) -> None:
    answer = people["keeper"].post("/api/v1/volunteers", json=_body(**overrides))
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == loc
    assert re.search(r"[\u4e00-\u9fff]", answer.json()["detail"][0]["msg"])
    with api.db() as s:
        assert s.scalar(select(func.count()).select_from(Volunteer)) == 0


def test_a_need_with_bad_input_names_the_field(api, people) -> None:
    client = people["keeper"]
    for body, field in (({"first_on": "2020-01-01"}, "first_on"), ({"part_of_day": "night"}, "part_of_day"),
                        ({"place": ""}, "place"), ({"hours": 0}, "hours")):
        need = {"activity": "cleanup", "title": "楼道清洁", "place": "二区8号楼", "community_code": THIRD,
                "first_on": str(clock.today()),
                "part_of_day": "morning", "hours": 2} | body
        answer = client.post("/api/v1/volunteers/needs", json=need)
        assert answer.status_code == 422, answer.text
        assert field in answer.json()["detail"][0]["loc"]


def test_community_staff_register_only_in_their_community_and_see_only_it(api, people) -> None:
    refused = people["other"].post("/api/v1/volunteers", json=_body())
    assert refused.status_code == 403
    made = people["keeper"].post("/api/v1/volunteers", json=_body(phone="13905310009"))
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["phone_masked"] == "139****0009" and "13905310009" not in made.text
    assert out["age_band"] == "from_70" and out["free_time"] == ["周六上午"]
    assert [v["id"] for v in people["keeper"].get("/api/v1/volunteers").json()] == [out["id"]]
    assert people["other"].get("/api/v1/volunteers").json() == []
    assert people["cadre"].get("/api/v1/volunteers").status_code == 403
    summary = people["admin"].get("/api/v1/volunteers/summary").json()
    assert summary["volunteers"] == sum(c["volunteers"] for c in summary["by_community"]) >= 1


def test_a_need_proposes_assigns_once_and_records_hours(api, people) -> None:
    client = people["keeper"]
    with api.db() as s:
        household = create_household(s, community_code=THIRD)
        create_resident(s, household=household, name="孙玉珍", id_number=new_id_number(birth=date(1936, 1, 9)))
        s.commit()
        household_id = household.id
    today = clock.today()
    member = client.post("/api/v1/volunteers", json=_body(
        name="周淑华", interests="陪老人聊天", activities=["neighbour_watch"],
        free_slots=[f"{['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][today.weekday()]}:afternoon"])).json()
    need = client.post("/api/v1/volunteers/needs", json={
        "activity": "neighbour_watch", "title": "探访独居老人", "requirements": "陪老人聊天", "household_id": household_id,
        "first_on": str(today), "part_of_day": "afternoon", "weekly": True, "hours": 1.5})
    assert need.status_code == 201, need.text
    need_id = need.json()["id"]
    proposed = client.get(f"/api/v1/volunteers/needs/{need_id}/proposals").json()
    mine = next(p for p in proposed if p["volunteer_id"] == member["id"])
    kinds = [r["kind"] for r in mine["reasons"]]
    assert kinds[:3] == ["time", "distance", "activity"] and "interest" in kinds and "party" in kinds
    first = client.post(f"/api/v1/volunteers/needs/{need_id}/assignments", json={"volunteer_id": member["id"]})
    again = client.post(f"/api/v1/volunteers/needs/{need_id}/assignments", json={"volunteer_id": member["id"]})
    assert (first.status_code, again.status_code) == (201, 409)
    assert first.json()["reasons"] == [r["text"] for r in mine["reasons"]]
    assignment = first.json()["id"]
    bad = client.post(f"/api/v1/volunteers/assignments/{assignment}/services",
                      json={"on": str(today + timedelta(days=1)), "attended": True, "hours": 1})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "on"]
    done = client.post(f"/api/v1/volunteers/assignments/{assignment}/services",
                       json={"on": str(today), "attended": True, "hours": 1.5})
    assert done.status_code == 201 and done.json()["hours"] == 1.5
    visits = people["admin"].get(f"/api/v1/volunteers/households/{household_id}/visits").json()
    assert [(v["volunteer_name"], v["hours"], v["last_on"]) for v in visits] == [("周淑华", 1.5, str(today))]
    assert people["other"].get(f"/api/v1/volunteers/needs/{need_id}/proposals").status_code == 404


def test_the_export_is_the_ledger_masked_with_its_summary(api, people) -> None:
    with api.db() as s:  # a member who is a resident on record: linked by the id number
        resident = create_resident(s, household=create_household(s, community_code=THIRD), name="吴凤兰",
                                   id_number=new_id_number(birth=date(1966, 6, 6)))
        s.commit()
        number = resident.id_number
    assert people["keeper"].post("/api/v1/volunteers", json=_body(name="吴凤兰", id_number=number)).status_code == 201
    answer = people["admin"].get("/api/v1/volunteers/export.xlsx")
    assert answer.status_code == 200
    book = load_workbook(BytesIO(answer.content))
    rows = list(book["志愿者台账"].iter_rows(min_row=3, values_only=True))
    listed = people["admin"].get("/api/v1/volunteers").json()
    assert [r[2] for r in rows] == [v["name"] for v in listed]
    assert [r[3] for r in rows] == [v["id_number_masked"] for v in listed]
    assert [r[4] for r in rows] == [v["phone_masked"] for v in listed]
    with api.db() as s:
        residents = set(s.scalars(select(Volunteer.resident_id).where(Volunteer.resident_id.is_not(None))))
        logged = set(s.scalars(select(AccessLog.resident_id).where(AccessLog.what == "志愿者台账导出")))
    assert residents and logged == residents  # members on record are told who exported them
    totals = next(r for r in book["汇总"].iter_rows(values_only=True) if r[0] == "合计")
    summary = people["admin"].get("/api/v1/volunteers/summary").json()
    assert totals[1:5] == (summary["volunteers"], summary["party_members"], summary["active_last_quarter"],
                           summary["hours"])


# ---- a double submit on a running server -------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiHarness, str, str]]:
    tmp = tmp_path_factory.mktemp("volunteer-desk")
    url = f"sqlite:///{tmp / 'desk.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("private_postgres_url")
    upgrade(url)
    harness = ApiHarness(url, tmp)
    with harness.db() as s:
        seed_places(s)
        keeper = create_user(s, role=Role.community_staff, community_code=THIRD).username
        s.commit()
    live = LiveServer(harness)
    yield harness, live.url, keeper
    live.stop()
    harness.app.state.parts.stop_workers()
    harness.app.state.parts.engine.dispose()


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"csrf_token": csrf, "username": username, "password": TEST_PASSWORD}).status_code == 303
    return client


def _members(harness: ApiHarness) -> int:
    with harness.db() as s:
        return s.scalar(select(func.count()).select_from(Volunteer))


def test_a_double_click_on_the_form_registers_once(desk) -> None:
    harness, base, keeper = desk
    client = _signed_in(base, keeper)
    before = _members(harness)
    form = form_tokens(client, "/volunteers/new") | {
        "name": "赵桂香", "id_number": new_id_number(birth=date(1958, 8, 8)), "phone": "13605318888",
        "activities": "cleanup", "free_slots": "sun:morning", "consent_to_contact": "1", "max_km": "1"}
    answers = at_once(2, lambda i: client.post("/volunteers/new", data=form))
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert _members(harness) == before + 1


def test_two_api_calls_at_once_make_one_member(desk) -> None:
    harness, base, keeper = desk
    client = _signed_in(base, keeper)
    client.headers["X-CSRF-Token"] = client.cookies["estation_csrf"]
    before = _members(harness)
    body = _body(name="钱玉兰")
    answers = at_once(2, lambda i: client.post("/api/v1/volunteers", json=body))
    assert sorted(a.status_code for a in answers) == [201, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["detail"][0]["loc"] == ["body", "id_number"]
    assert _members(harness) == before + 1

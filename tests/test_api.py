"""The core JSON API: health, sign-in, 422s that name the field, and who may see which resident."""

from datetime import date

import pytest

from estation import clock
from estation.accounts.models import Role
from estation.labour.service import age_on
from tests.factories import create_household, create_resident, create_user, new_id_number


def test_healthz_and_openapi(api) -> None:
    assert api.anonymous.get("/healthz").json()["status"] == "ok"
    paths = api.anonymous.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/residents", "/api/v1/residents/{resident_id}", "/api/v1/vacancies", "/api/v1/employers"):
        assert path in paths


def test_sign_in_is_throttled_after_three_failures(api) -> None:
    with api.db() as s:
        user = create_user(s, role=Role.counter_staff)
        s.commit()
    for _ in range(3):
        r = api.anonymous.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong"})
        assert r.status_code == 401
    r = api.anonymous.post("/api/v1/auth/login", json={"username": user.username, "password": "wrong"})
    assert r.status_code == 429
    assert "秒后再试" in r.json()["detail"][0]["msg"]


@pytest.fixture(scope="module")
def people(api):
    with api.db() as s:
        home = create_household(s, community_code="370102009001")
        other = create_household(s, community_code="370102009002")
        mine = create_resident(s, household=home, name="张桂兰")
        theirs = create_resident(s, household=other, name="刘建国")
        staff = create_user(s, role=Role.counter_staff, window=1)
        community = create_user(s, role=Role.community_staff, community_code="370102009001")
        resident_user = create_user(s, role=Role.resident, resident_id=mine.id)
        employer_user = create_user(s, role=Role.employer)
        s.commit()
        return dict(home=home.id, mine=mine.id, theirs=theirs.id, staff=staff, community=community,
                    resident=resident_user, employer=employer_user)


def test_resident_create_validates_and_names_the_field(api, people) -> None:
    staff = api.client_for(people["staff"])
    body = dict(household_id=people["home"], relation="spouse", name="李淑珍", hukou_province="37",
                employment_status="flexible", id_number=new_id_number(birth=date(1970, 3, 8)))
    bad_check = body | {"id_number": body["id_number"][:17] + ("1" if body["id_number"][17] != "1" else "2")}
    r = staff.post("/api/v1/residents", json=bad_check)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "id_number"]
    r = staff.post("/api/v1/residents", json=body | {"birth_date": "1970-03-09"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "birth_date"]
    r = staff.post("/api/v1/residents", json=body | {"hukou_province": "99"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "hukou_province"]
    r = staff.post("/api/v1/residents", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["age"] == age_on(date(1970, 3, 8), clock.today()) and "birth_date" not in out
    assert "*" in out["id_number_masked"] and body["id_number"] not in r.text
    r = staff.post("/api/v1/residents", json=body)
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "id_number"]


def test_overlapping_period_via_api_names_the_field(api, people) -> None:
    staff = api.client_for(people["staff"])
    url = f"/api/v1/residents/{people['theirs']}/insurance-periods"
    period = dict(scheme="pension", province="44", start_month="2001-03", end_month="2009-12",
                  monthly_wage_base=3000, payer="employer")
    assert staff.post(url, json=period).status_code == 201
    r = staff.post(url, json=period | {"start_month": "2009-06", "end_month": "2011-01", "province": "37"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "start_month"]
    r = staff.post(url, json=period | {"monthly_wage_base": -5})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "monthly_wage_base"]
    assert len(staff.get(url).json()) == 1


@pytest.mark.parametrize(
    ("who", "target", "allowed"),
    [
        ("staff", "mine", True),
        ("staff", "theirs", True),
        ("community", "mine", True),
        ("community", "theirs", False),
        ("resident", "mine", True),
        ("resident", "theirs", False),
        ("employer", "mine", False),
    ],
)
def test_who_may_read_a_resident(api, people, who, target, allowed) -> None:
    client = api.client_for(people[who])
    r = client.get(f"/api/v1/residents/{people[target]}")
    assert r.status_code == (200 if allowed else 403)
    listed = {row["id"] for row in client.get("/api/v1/residents?size=200").json()["items"]}
    assert (people[target] in listed) == allowed


def test_anonymous_cannot_read_residents(api, people) -> None:
    assert api.anonymous.get(f"/api/v1/residents/{people['mine']}").status_code == 401
    assert api.anonymous.get("/api/v1/residents").status_code == 401


def test_reads_are_logged_with_reason(api, people) -> None:
    from sqlalchemy import select

    from estation.accounts.models import AccessLog

    staff = api.client_for(people["staff"])
    staff.get(f"/api/v1/residents/{people['mine']}", params={"reason": "办理养老保险接续"})
    with api.db() as s:
        last = s.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert (last.resident_id, last.user_id, last.reason) == (people["mine"], people["staff"].id, "办理养老保险接续")


def test_bad_query_parameters_get_422(api, people) -> None:
    staff = api.client_for(people["staff"])
    r = staff.get("/api/v1/residents", params={"size": 10000})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "size"]
    r = staff.get("/api/v1/residents", params={"work_capacity": "some"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "work_capacity"]


def test_logout_ends_the_session_on_the_server(api, people) -> None:
    client = api.client_for(people["staff"])
    token = client.cookies.get("estation_session")
    assert client.post("/api/v1/auth/logout").status_code == 204
    r = api.anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401

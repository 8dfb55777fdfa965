"""JSON API: registration and posting validation (422 naming the field), masking and consent, quota."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from estation.accounts.models import Role, User
from estation.identifiers import make_uscc
from estation.jobs import candidates
from estation.jobs.models import Employer, EmployerStatus, Vacancy
from estation.physical import DOMAIN_NAMES
from tests.employer.conftest import make_company
from tests.factories import create_resident, create_user


def _field(response) -> str:
    assert response.status_code == 422, response.text
    loc = response.json()["detail"][0]["loc"]
    return loc[1] if loc[0] == "body" else loc[-1]  # ["body", "adjustments", 0] names adjustments


def _registration(n: int, **kw) -> dict:
    body = dict(uscc=make_uscc(f"91370102MA3CAP{n:03d}"), name="济南甸柳社区养老服务中心", contact_name="钱主任",
                contact_phone="13811112222", address="历下区甸柳新村二区", community_code="370102009002",
                staff_count=80, disabled_staff_grade12=0, disabled_staff_other=0, username=f"yanglao-{n}",
                password="yanglao-password")
    body.update(kw)
    return body


def test_registration_creates_employer_and_account_that_can_sign_in(api, db) -> None:
    r = api.anonymous.post("/api/v1/employers/register", json=_registration(1))
    assert r.status_code == 201, r.text
    assert r.json()["employer"]["status"] == "pending" and r.json()["username"] == "yanglao-1"
    login = api.anonymous.post("/api/v1/auth/login", json={"username": "yanglao-1", "password": "yanglao-password"})
    assert login.status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"uscc": "91370102MA3CAP0010"}, "uscc"),  # wrong length
    ({"uscc": make_uscc("91370102MA3CAP002")[:17] + "0"}, "uscc"),  # wrong check digit (fixed below if it was 0)
    ({"contact_phone": "12345"}, "contact_phone"),
    ({"name": "甲"}, "name"),
    ({"community_code": "110101001001"}, "community_code"),
    ({"staff_count": 3, "disabled_staff_grade12": 2, "disabled_staff_other": 2}, "disabled_staff_other"),
    ({"username": "a b"}, "username"),
    ({"password": "short"}, "password"),
    ({"password": "nine-char"}, "password"),  # under 10 characters
    ({"password": "qwertyuiop"}, "password"),  # on the common-password list
    ({"password": "woaini1314"}, "password"),
])
def test_registration_errors_name_the_field(api, change, field) -> None:
    body = _registration(2, **change)
    if field == "uscc" and len(body["uscc"]) == 18 and body["uscc"] == make_uscc("91370102MA3CAP002"):
        body["uscc"] = body["uscc"][:17] + "1"
    assert _field(api.anonymous.post("/api/v1/employers/register", json=body)) == field


def test_a_refused_registration_writes_nothing(api, db) -> None:
    api.anonymous.post("/api/v1/employers/register", json=_registration(3))
    before = db.scalar(select(func.count()).select_from(Employer))
    r = api.anonymous.post("/api/v1/employers/register", json=_registration(4, username="yanglao-3"))
    assert r.status_code == 409 and r.json()["detail"][0]["loc"][-1] == "username"
    assert db.scalar(select(func.count()).select_from(Employer)) == before
    r = api.anonymous.post("/api/v1/employers/register", json=_registration(3, username="yanglao-3b"))
    assert r.status_code == 409 and r.json()["detail"][0]["loc"][-1] == "uscc"
    assert db.scalar(select(User.id).where(User.username == "yanglao-3b")) is None


@pytest.fixture(scope="module")
def company(api):
    with api.db() as s:
        c = make_company(s)
        s.commit()
        return c


def _vacancy(employer_id: int, **kw) -> dict:
    body = dict(employer_id=employer_id, title="社区便利店收银员", occupation_code="4-07-05-01", community_code="370102009001",
                address="甸柳新村第三社区", wage_min=2600, wage_max=3000, hours_per_day=8, days_per_week=5,
                employment_type="full_time", adjustments=["seated_work"],
                demands={"standing_walking": 1, "lifting_carrying": 1, "fine_hand": 2, "seeing": 2, "hearing": 2,
                         "speaking": 2, "learning_memory": 2},
                valid_until=(date.today() + timedelta(days=30)).isoformat())
    body.update(kw)
    return body


@pytest.mark.parametrize(("change", "field"), [
    ({"wage_min": 2000, "wage_max": 2500}, "wage_min"),  # below the 2200 minimum for full time
    ({"employment_type": "part_time", "hours_per_day": 4, "wage_min": 1000, "wage_max": 1200}, "wage_min"),  # 1100 pro rata
    ({"wage_max": 2500}, "wage_max"),
    ({"valid_until": (date.today() - timedelta(days=1)).isoformat()}, "valid_until"),
    ({"valid_until": (date.today() + timedelta(days=400)).isoformat()}, "valid_until"),
    ({"occupation_code": "9-99-99-99"}, "occupation_code"),
    ({"occupation_code": "保安"}, "occupation_code"),
    ({"demands": {"flying": 2}}, "demands"),
    ({"demands": {"standing_walking": 5}}, "demands"),
    ({"adjustments": ["free_lunch"]}, "adjustments"),
    ({"hours_per_day": 13}, "hours_per_day"),
    ({"title": "岗"}, "title"),
    ({"community_code": None}, "lat"),  # no place at all
])
def test_posting_errors_name_the_field(api, company, change, field) -> None:
    client = api.client_for(company.user)
    r = client.post("/api/v1/vacancies", json=_vacancy(company.employer.id, **change))
    assert _field(r) == field


def test_part_time_at_the_pro_rata_minimum_is_accepted_and_listed(api, company) -> None:
    client = api.client_for(company.user)
    r = client.post("/api/v1/vacancies", json=_vacancy(company.employer.id, employment_type="part_time", hours_per_day=4,
                                                      wage_min=1100, wage_max=1400))
    assert r.status_code == 201, r.text
    mine = client.get(f"/api/v1/employers/{company.employer.id}/vacancies").json()
    assert r.json()["id"] in [v["id"] for v in mine]


@pytest.mark.parametrize(("demands", "missing"), [
    (None, {"demands"}),  # the field left out altogether
    ({}, set(DOMAIN_NAMES)),
    ({"standing_walking": 1, "lifting_carrying": 0}, set(DOMAIN_NAMES) - {"standing_walking", "lifting_carrying"}),
])
def test_posting_without_every_demand_is_refused_naming_each(api, company, db, demands, missing) -> None:
    client = api.client_for(company.user)
    body = _vacancy(company.employer.id, title="地下车库巡查员")
    if demands is None:
        del body["demands"]
    else:
        body["demands"] = demands
    r = client.post("/api/v1/vacancies", json=body)
    assert r.status_code == 422, r.text
    named = {e["loc"][-1] for e in r.json()["detail"] if e["type"] == "missing"}
    assert named == missing
    assert db.scalar(select(func.count()).select_from(Vacancy).where(Vacancy.title == "地下车库巡查员")) == 0


def test_a_demand_must_be_a_level_and_a_change_states_them_all(api, company) -> None:
    client = api.client_for(company.user)
    stated = dict.fromkeys(DOMAIN_NAMES, 1)
    assert _field(client.post("/api/v1/vacancies", json=_vacancy(company.employer.id, demands=stated | {"seeing": True})))\
        == "demands"
    r = client.post("/api/v1/vacancies", json=_vacancy(company.employer.id, demands=stated | {"seeing": 0}))
    assert r.status_code == 201 and r.json()["demands"] == stated | {"seeing": 0}
    vid = r.json()["id"]
    r = client.patch(f"/api/v1/vacancies/{vid}", json={"demands": {"seeing": 3}})
    assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == set(DOMAIN_NAMES) - {"seeing"}
    r = client.patch(f"/api/v1/vacancies/{vid}", json={"demands": stated | {"seeing": 3}})
    assert r.status_code == 200 and r.json()["demands"]["seeing"] == 3


def test_close_and_renew_through_the_api(api, company) -> None:
    client = api.client_for(company.user)
    vid = company.vacancy.id
    assert client.post(f"/api/v1/vacancies/{vid}/close").json()["status"] == "closed"
    assert vid not in [v["id"] for v in api.anonymous.get("/api/v1/vacancies", params={"size": 200}).json()["items"]]
    assert _field(client.post(f"/api/v1/vacancies/{vid}/renew", json={"valid_until": "2020-01-01"})) == "valid_until"
    until = (date.today() + timedelta(days=60)).isoformat()
    r = client.post(f"/api/v1/vacancies/{vid}/renew", json={"valid_until": until})
    assert r.json()["status"] == "open" and r.json()["valid_until"] == until


def test_occupation_suggestion_from_the_title(api) -> None:
    r = api.anonymous.get("/api/v1/occupations/suggest", params={"title": "小区保安"})
    assert r.status_code == 200
    assert r.json()[0]["code"] == "4-07-05-01" and r.json()[0]["name"] == "保安员"
    assert api.anonymous.get("/api/v1/occupations/suggest", params={"title": "天文望远镜"}).json() == []


def test_quota_api_and_staff_counts(api, company) -> None:
    client = api.client_for(company.user)
    r = client.put(f"/api/v1/employers/{company.employer.id}/staff",
                   json={"staff_count": 150, "disabled_staff_grade12": 0, "disabled_staff_other": 1})
    assert r.status_code == 200
    q = r.json()
    assert (q["province_name"], q["required"], q["gap"], q["hires_needed"], q["severe_hires_needed"]) == \
        ("山东省", 2.25, 1.25, 2, 1)
    bad = client.put(f"/api/v1/employers/{company.employer.id}/staff",
                     json={"staff_count": 1, "disabled_staff_grade12": 1, "disabled_staff_other": 1})
    assert _field(bad) == "disabled_staff_other"


def test_candidates_come_from_matching_and_only_consenting_ones(api, company) -> None:
    r = api.client_for(company.user).get(f"/api/v1/vacancies/{company.vacancy.id}/candidates")
    assert r.status_code == 200
    body = r.json()
    assert body["available"] is True and body["message"] != candidates.UNAVAILABLE
    assert all("name" not in item and "phone" not in item for item in body["items"])


def test_a_matching_fault_is_an_honest_state_not_an_error(api) -> None:
    """A vacancy whose stored demands matching cannot read (a level written as text, by hand in the
    database) makes the real matcher fail: the candidates list says so plainly, the page does not fail."""
    with api.db() as s:
        company = make_company(s)
        s.flush()
        s.execute(update(Vacancy).where(Vacancy.id == company.vacancy.id)
                  .values(demands=dict.fromkeys(DOMAIN_NAMES, 0) | {"seeing": "很多"}))
        s.commit()
        user, vacancy_id = company.user, company.vacancy.id
    r = api.client_for(user).get(f"/api/v1/vacancies/{vacancy_id}/candidates")
    assert r.status_code == 200, r.text
    assert (r.json()["available"], r.json()["items"], r.json()["message"]) == (False, [], candidates.FAILED)


FITS = {"standing_walking": 3, "lifting_carrying": 1}  # partly able, enough for the security job's standing


def test_consent_and_masking(api, company) -> None:
    """The real matcher offers the resident who consented and never the one who did not, though both fit;
    the employer sees neither's identity, and a reference to the one who did not consent resolves to nobody."""
    with api.db() as s:
        willing = create_resident(s, name="欧阳淑珍", phone="13688889999", consent_to_employers=True,
                                  skills="小区保安、门卫", work_capacity="partial", limits=FITS)
        shy = create_resident(s, name="司马光明", phone="13677776666", consent_to_employers=False,
                              skills="小区保安、门卫", work_capacity="partial", limits=FITS)
        resident_user = create_user(s, role=Role.resident, resident_id=willing.id)
        s.commit()
        willing_id, shy_id, id_number = willing.id, shy.id, willing.id_number

    client = api.client_for(company.user)
    url = f"/api/v1/vacancies/{company.vacancy.id}/candidates"
    body = client.get(url)
    assert body.status_code == 200 and body.json()["available"] is True
    refs = {i["candidate_ref"]: i for i in body.json()["items"]}
    assert candidates.candidate_ref(company.vacancy.id, shy_id) not in refs  # no consent: never offered
    item = refs[candidates.candidate_ref(company.vacancy.id, willing_id)]
    for secret in ("欧阳", "司马", "13688889999", "13677776666", id_number, id_number[-4:]):
        assert secret not in body.text
    assert not {"id", "resident_id", "name", "phone", "id_number", "address"} & item.keys()
    assert item["skills"] == "小区保安、门卫" and item["work_capacity"] == "部分劳动能力"
    assert item["fits_demands"] is True  # matching offers only residents the job's demands fit
    assert item["age_band"].endswith("岁") and item["invitation_status"] is None

    shy_ref = candidates.candidate_ref(company.vacancy.id, shy_id)
    r = client.post(f"{url.rsplit('/', 1)[0]}/invitations", json={"candidate_ref": shy_ref})
    assert r.status_code == 404  # a reference to a non-consenting resident resolves to nobody
    r = client.post(f"{url.rsplit('/', 1)[0]}/invitations", json={"candidate_ref": item["candidate_ref"],
                                                                    "message": "欢迎来店里看看"})
    assert r.status_code == 201, r.text
    invitation_id = r.json()["id"]
    invited = [i for i in client.get(url).json()["items"] if i["candidate_ref"] == item["candidate_ref"]]
    assert invited[0]["invitation_status"] == "pending"
    applicants = client.get(f"/api/v1/vacancies/{company.vacancy.id}/applicants").json()
    assert all(a["name"] != "欧阳淑珍" for a in applicants)  # still masked: invited is not accepted

    resident = api.client_for(resident_user)
    assert [i["id"] for i in resident.get("/api/v1/invitations").json()] == [invitation_id]
    assert company.user and client.post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 403
    accepted = resident.post(f"/api/v1/invitations/{invitation_id}/accept?share_phone=true").json()
    assert (accepted["status"], accepted["share_phone"]) == ("accepted", True)
    applicants = client.get(f"/api/v1/vacancies/{company.vacancy.id}/applicants").json()
    mine = [a for a in applicants if a["name"] == "欧阳淑珍"]
    assert mine and mine[0]["phone"] == "13688889999" and mine[0]["via_invitation"] is True
    assert all(i["candidate_ref"] != item["candidate_ref"] for i in client.get(url).json()["items"])


def test_employer_status_change_notifies_the_resident_at_the_kiosk_inbox(api, company) -> None:
    with api.db() as s:
        resident = create_resident(s, name="李秀梅")
        resident_user = create_user(s, role=Role.resident, resident_id=resident.id)
        s.commit()
    me = api.client_for(resident_user)
    app = me.post("/api/v1/applications", json={"vacancy_id": company.vacancy.id}).json()
    employer = api.client_for(company.user)
    assert any(n["kind"] == "application.new" for n in employer.get("/api/v1/notifications").json())
    r = employer.post(f"/api/v1/applications/{app['id']}/status", json={"status": "not_hired"})
    assert _field(r) == "reason"
    r = employer.post(f"/api/v1/applications/{app['id']}/status", json={"status": "interview"})
    assert _field(r) == "interview_at"  # an interview needs its time and place
    r = employer.post(f"/api/v1/applications/{app['id']}/interview",
                      json={"interview_at": f"{date.today() + timedelta(days=3)}T09:30:00",
                            "interview_place": "单位二楼会议室"})
    assert r.status_code == 200, r.text
    notes = me.get("/api/v1/notifications").json()
    assert notes[0]["title"] == "您的求职申请状态：已约面试"
    assert me.post(f"/api/v1/notifications/{notes[0]['id']}/read").json()["read_at"] is not None
    assert me.get("/api/v1/notifications", params={"unread": True}).json() == []


def test_staff_approval_opens_drafts(api) -> None:
    with api.db() as s:
        pending = make_company(s, status=EmployerStatus.pending)
        pending.vacancy.status = pending.vacancy.status.__class__("draft")
        staff = create_user(s, role=Role.counter_staff)
        s.commit()
    client = api.client_for(staff)
    assert _field(client.post(f"/api/v1/employers/{pending.employer.id}/decision", json={"approve": False})) == "reason"
    r = client.post(f"/api/v1/employers/{pending.employer.id}/decision", json={"approve": True})
    assert r.json()["status"] == "approved"
    assert api.anonymous.get(f"/api/v1/vacancies/{pending.vacancy.id}").json()["status"] == "open"
    notes = api.client_for(pending.user).get("/api/v1/notifications").json()
    assert notes[0]["kind"] == "employer.decision"
